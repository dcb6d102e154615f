/*
 * lectern — certificate: codes, issuing and the JSON of a certificate
 * (SPEC §6.6).
 *
 * A code is 60 random bits written as 12 Crockford base32 characters,
 * shown as XXXX-XXXX-XXXX and stored without the dashes.  A code typed
 * by a person is read without regard to case or dashes, and with
 * Crockford's look-alikes (I and L are 1, O is 0).
 */
#ifndef LECTERN_CERTIFICATE_H
#define LECTERN_CERTIFICATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "row.h"

struct db;
struct db_res;

#define CERT_CODE_LEN	12	/* characters, without dashes */
#define CERT_SHOWN_LEN	14	/* XXXX-XXXX-XXXX */
#define CERT_REASON_MAX	500	/* characters of a revocation reason */
/* The path under LECTERN_PUBLIC_URL where a person verifies a code. */
#define CERT_VERIFY_PATH "/verify/"

/*
 * The columns of a certificate ct, in the order of cert_cols: select
 * CERT_COLUMNS from certificates ct.
 */
#define CERT_COLUMNS							\
	"ct.id, ct.code, ct.user_id, ct.course_id, ct.student_name,"	\
	" ct.course_title, " SQL_UTC("ct.issued_at") ","		\
	" (ct.revoked_at IS NULL), " SQL_UTC("ct.revoked_at") ","	\
	" ct.revoked_reason"
extern const struct row_col	cert_cols[10];
#define CERT_NCOLUMNS	10
#define CERT_COL_CODE	1

/*
 * The JSON of the certificate in row of res (CERT_COLUMNS from col on,
 * row_json_fn): {id, code (shown with dashes), user_id, course_id,
 * student_name, course_title, issued_at, valid, revoked_at?, reason?,
 * verify_url, pdf_url}.  NULL when out of memory or the row is not
 * there.
 */
cJSON		*cert_json(const struct db_res *res, int row, int col);

/*
 * Read the code s as a person may type it into out (CERT_CODE_LEN + 1
 * bytes): dashes and spaces dropped, upper case, look-alikes mapped.
 * Returns 1, or 0 when it is not a code.
 */
int		 cert_code_parse(const char *s, char *out);

/* Show the stored code into out (CERT_SHOWN_LEN + 1 bytes). */
void		 cert_code_show(const char *code, char *out);

/*
 * The verify URL of code into buf: LECTERN_PUBLIC_URL, CERT_VERIFY_PATH
 * and the shown code.
 */
void		 cert_verify_url(const char *code, char *buf, size_t size);

/*
 * Inside the open transaction of the learner user_id who has just
 * completed a lesson of course_id: issue their certificate when every
 * lesson of the course is now done, unless they have one.  Completions
 * of one learner in one course are serialised here (a transaction-level
 * advisory lock), so of two lessons completed at once the later sees
 * the earlier and exactly one certificate is issued.  Returns API_OK
 * (issued or not) or a database error.
 */
enum api_err	 cert_issue_on_completion(struct db *db,
		    const char *course_id, const char *user_id)
		    __attribute__((warn_unused_result));

/*
 * Issue the certificate of user_id for course_id in the open
 * transaction (issued_by: the author or admin, NULL on completion),
 * unless there is one; either way leave it in *res (CERT_COLUMNS) and
 * set *created.  Returns API_OK or a database error.
 */
enum api_err	 cert_issue(struct db *db, const char *course_id,
		    const char *user_id, const char *issued_by,
		    struct db_res **res, int *created)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_CERTIFICATE_H */

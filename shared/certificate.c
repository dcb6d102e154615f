/*
 * lectern — certificate: Crockford base32 codes, issuing a certificate
 * once per learner and course, and its JSON.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "certificate.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "row.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

const struct row_col cert_cols[CERT_NCOLUMNS] = {
	{ "id", ROW_NUM, 0 },
	{ "code", ROW_SKIP, 0 },
	{ "user_id", ROW_NUM, 0 },
	{ "course_id", ROW_NUM, 0 },
	{ "student_name", ROW_TEXT, 0 },
	{ "course_title", ROW_TEXT, 0 },
	{ "issued_at", ROW_TEXT, 0 },
	{ "valid", ROW_BOOL, 0 },
	{ "revoked_at", ROW_TEXT, ROW_OMIT_NULL },
	{ "reason", ROW_TEXT, ROW_OMIT_NULL },
};

/* One learner's completions in one course, one after the other. */
static const char sql_lock[] =
    "SELECT pg_advisory_xact_lock(hashtextextended("
    "'lectern.certificate:' || $1 || ':' || $2, 0))";

/* A statement of its own after the lock: it sees what committed. */
static const char sql_on_completion[] =
    "INSERT INTO certificates (code, user_id, course_id, student_name,"
    " course_title)"
    " SELECT $1, u.id, c.id, u.name, c.title FROM users u, courses c"
    " WHERE u.id = $2::bigint AND c.id = $3::bigint"
    " AND lectern_course_done(c.id, u.id)"
    " ON CONFLICT ON CONSTRAINT certificates_user_course_key DO NOTHING";

static const char sql_issue[] =
    "INSERT INTO certificates AS ct (code, user_id, course_id,"
    " student_name, course_title, issued_by)"
    " SELECT $1, u.id, c.id, u.name, c.title, $4::bigint"
    " FROM users u, courses c WHERE u.id = $2::bigint AND c.id = $3::bigint"
    " ON CONFLICT ON CONSTRAINT certificates_user_course_key DO NOTHING"
    " RETURNING " CERT_COLUMNS;

static const char sql_existing[] =
    "SELECT " CERT_COLUMNS " FROM certificates ct"
    " WHERE ct.user_id = $1::bigint AND ct.course_id = $2::bigint";

/*
 * A new random code into out (CERT_CODE_LEN + 1 bytes).  Returns API_OK
 * or API_INTERNAL when no randomness could be had.
 */
static enum api_err
new_code(char *out)
{
	unsigned char	 b[8];
	uint64_t	 v = 0;
	size_t		 i;
	enum api_err	 er;

	if ((er = crypto_random(b, sizeof(b))) != API_OK)
		return er;
	for (i = 0; i < sizeof(b); i++)
		v = v << 8 | b[i];
	/* 12 characters of 5 bits: the low 60 bits. */
	for (i = CERT_CODE_LEN; i > 0; i--) {
		out[i - 1] = crockford[v & 31];
		v >>= 5;
	}
	out[CERT_CODE_LEN] = '\0';
	explicit_bzero(b, sizeof(b));
	return API_OK;
}

int
cert_code_parse(const char *s, char *out)
{
	size_t	 n = 0;
	int	 ch;

	for (; *s != '\0'; s++) {
		if (*s == '-' || *s == ' ')
			continue;
		ch = toupper((unsigned char)*s);
		if (ch == 'I' || ch == 'L')
			ch = '1';
		else if (ch == 'O')
			ch = '0';
		if (ch == '\0' || strchr(crockford, ch) == NULL ||
		    n == CERT_CODE_LEN)
			return 0;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return n == CERT_CODE_LEN;
}

void
cert_code_show(const char *code, char *out)
{

	snprintf(out, CERT_SHOWN_LEN + 1, "%.4s-%.4s-%.4s", code, code + 4,
	    code + 8);
}

void
cert_verify_url(const char *code, char *buf, size_t size)
{
	const char	*base = config_get()->public_url;
	char		 shown[CERT_SHOWN_LEN + 1];
	size_t		 len = strlen(base);

	while (len > 0 && base[len - 1] == '/')
		len--;
	cert_code_show(code, shown);
	snprintf(buf, size, "%.*s%s%s", (int)len, base, CERT_VERIFY_PATH,
	    shown);
}

cJSON *
cert_json(const struct db_res *res, int row, int col)
{
	const char	*code;
	char		 shown[CERT_SHOWN_LEN + 1], url[1024], path[64];
	cJSON		*o;

	if ((code = db_get(res, row, col + CERT_COL_CODE)) == NULL ||
	    strlen(code) != CERT_CODE_LEN)
		return NULL;
	if ((o = row_json(res, row, col, cert_cols, CERT_NCOLUMNS)) == NULL)
		return NULL;
	cert_code_show(code, shown);
	cert_verify_url(code, url, sizeof(url));
	snprintf(path, sizeof(path), "/api/certificates/%s/pdf", shown);
	if (cJSON_AddStringToObject(o, "code", shown) == NULL ||
	    cJSON_AddStringToObject(o, "verify_url", url) == NULL ||
	    cJSON_AddStringToObject(o, "pdf_url", path) == NULL) {
		log_warnx("cert_json: out of memory");
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

enum api_err
cert_issue_on_completion(struct db *db, const char *course_id,
    const char *user_id)
{
	char		 code[CERT_CODE_LEN + 1];
	const char	*params[3] = { code, user_id, course_id };
	enum api_err	 er;

	/* The lock's $1 and $2 are the user and the course. */
	if ((er = db_exec(db, sql_lock, 2, params + 1, NULL)) != API_OK ||
	    (er = new_code(code)) != API_OK)
		return er;
	return db_exec(db, sql_on_completion, 3, params, NULL);
}

enum api_err
cert_issue(struct db *db, const char *course_id, const char *user_id,
    const char *issued_by, struct db_res **res, int *created)
{
	const char	*params[4];
	char		 code[CERT_CODE_LEN + 1];
	enum api_err	 er;

	*res = NULL;
	*created = 0;
	if ((er = new_code(code)) != API_OK)
		return er;
	params[0] = code;
	params[1] = user_id;
	params[2] = course_id;
	params[3] = issued_by;
	if ((er = db_exec(db, sql_issue, 4, params, res)) != API_OK)
		return er;
	if (db_nrows(*res) == 1) {
		*created = 1;
		return API_OK;
	}
	db_res_free(*res);
	*res = NULL;
	/* Issued meanwhile, or before: a new statement sees it. */
	params[0] = user_id;
	params[1] = course_id;
	return db_exec(db, sql_existing, 2, params, res);
}

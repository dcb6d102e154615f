/*
 * lectern — adminreq: requests to become an admin (SPEC §3).
 *
 * A user asks with a reason; a mailed single-use token (24 h, stored as
 * its SHA-256) proves the address; an admin approves a verified request
 * (the user becomes an admin) or rejects it with a note.  Every step is
 * audited.
 */
#ifndef LECTERN_ADMINREQ_H
#define LECTERN_ADMINREQ_H

#include <cjson/cJSON.h>

#include "err.h"
#include "row.h"

struct call;
struct db_res;

/* What adminreq_json reads: select ADMINREQ_COLUMNS from admin_requests q. */
#define ADMINREQ_COLUMNS						\
	"q.id, q.user_id, (SELECT u.name FROM users u"			\
	"  WHERE u.id = q.user_id), (SELECT u.email FROM users u"	\
	"  WHERE u.id = q.user_id), q.reason, q.phone, q.status,"	\
	" q.email_verified, q.note, q.decided_by, "			\
	SQL_UTC("q.decided_at") ", " SQL_UTC("q.created_at")
#define ADMINREQ_NCOLUMNS	12

/* The request of row of res from column col on; NULL out of memory. */
cJSON		*adminreq_json(const struct db_res *res, int row, int col);

/*
 * Decide request c->id as the admin c calls for: approve (the user
 * becomes an admin; the request must be verified, else 409) or reject,
 * with the optional note.  Sends 200 with the request.  Returns API_OK
 * or the error to answer with.
 */
enum api_err	adminreq_decide(struct call *c, int approve,
		    const char *note) __attribute__((warn_unused_result));

#endif /* LECTERN_ADMINREQ_H */

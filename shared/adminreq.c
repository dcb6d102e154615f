/*
 * lectern — adminreq: the JSON of a request and the admin's decision.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "adminreq.h"
#include "audit.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"

static const struct row_col cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "user.id", ROW_NUM, 0 },
	{ "user.name", ROW_TEXT, 0 },
	{ "user.email", ROW_TEXT, 0 },
	{ "reason", ROW_TEXT, 0 },
	{ "phone", ROW_TEXT, 0 },
	{ "status", ROW_TEXT, 0 },
	{ "email_verified", ROW_BOOL, 0 },
	{ "note", ROW_TEXT, 0 },
	{ "decided_by", ROW_NUM, 0 },
	{ "decided_at", ROW_TEXT, 0 },
	{ "created_at", ROW_TEXT, 0 },
};

_Static_assert(ROW_NCOLS(cols) == ADMINREQ_NCOLUMNS,
    "ADMINREQ_COLUMNS and its table agree");

static const char sql_lock[] =
    "SELECT q.status, q.email_verified, q.user_id FROM admin_requests q"
    " WHERE q.id = $1::bigint FOR UPDATE";

static const char sql_decide[] =
    "UPDATE admin_requests AS q SET status = $2, note = $3,"
    " decided_by = $4::bigint, decided_at = now()"
    " WHERE q.id = $1::bigint RETURNING " ADMINREQ_COLUMNS;

static const char sql_promote[] =
    "UPDATE users SET role = 'admin' WHERE id = $1::bigint"
    " RETURNING (SELECT role FROM users o WHERE o.id = $1::bigint)";

cJSON *
adminreq_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, cols, ROW_NCOLS(cols));
}

/*
 * Audit action on request id of user_id by c's caller, with the note
 * and, for a role change, the old role.  Returns API_OK or an error.
 */
static enum api_err
audit(struct call *c, const char *action, const char *user_id,
    const char *note, const char *old_role)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) != NULL &&
	    cJSON_AddStringToObject(d, "user_id", user_id) != NULL &&
	    (note == NULL ||
	    cJSON_AddStringToObject(d, "note", note) != NULL) &&
	    (old_role == NULL ||
	    cJSON_AddStringToObject(d, "old_role", old_role) != NULL))
		er = audit_log(c->r, c->db, c->user_id, action,
		    "admin_request", c->id_str, d);
	cJSON_Delete(d);
	return er;
}

enum api_err
adminreq_decide(struct call *c, int approve, const char *note)
{
	struct db_res	*res = NULL, *up = NULL;
	cJSON		*o = NULL;
	const char	*params[4];
	char		 uid[24];
	enum api_err	 er;

	params[0] = c->id_str;
	if ((er = db_exec(c->db, sql_lock, 1, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1) {
		db_res_free(res);
		return http_fail(c->r, API_NOT_FOUND,
		    "admin request not found");
	}
	if (db_get(res, 0, 0)[0] != 'p') {
		db_res_free(res);
		return http_fail(c->r, API_CONFLICT,
		    "the request is already decided");
	}
	if (approve && db_get(res, 0, 1)[0] != 't') {
		db_res_free(res);
		return http_fail(c->r, API_CONFLICT,
		    "the request's email address is not verified yet");
	}
	snprintf(uid, sizeof(uid), "%s", db_get(res, 0, 2));
	db_res_free(res);
	res = NULL;
	params[1] = approve ? "approved" : "rejected";
	params[2] = note;
	params[3] = c->user_id;
	if ((er = db_exec(c->db, sql_decide, 4, params, &res)) != API_OK)
		goto out;
	if (approve) {
		params[0] = uid;
		if ((er = db_exec(c->db, sql_promote, 1, params,
		    &up)) != API_OK ||
		    (er = audit(c, "user.role_change", uid, NULL,
		    db_get(up, 0, 0))) != API_OK)
			goto out;
	}
	if ((er = audit(c, approve ? "admin_request.approve" :
	    "admin_request.reject", uid, note, NULL)) != API_OK)
		goto out;
	if ((o = adminreq_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send(c->r, 200, o);
out:
	cJSON_Delete(o);
	db_res_free(up);
	db_res_free(res);
	return er;
}

/*
 * lectern — GET /api/admin/users/{id}/export: everything stored about a
 * user, for an admin acting on their behalf (SPEC §3): the document of
 * GET /api/auth/me/export (account_export), read in the admin's
 * transaction and audited as user.export.  An unknown id is a 404.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "export.h"
#include "audit.h"
#include "auth.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	admin_user_export(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/users/{id}/export",
	.who = ROLE_ADMIN,
	.tx = TX_CALLER,	/* the audit entry commits with the read */
	.run = admin_user_export,
};

static const char sql_user[] =
    "SELECT " AUTH_USER_COLUMNS " FROM users u WHERE u.id = $1::bigint";

static enum api_err
admin_user_export(struct call *c)
{
	struct db_res	*res = NULL;
	struct user	 u;
	cJSON		*doc = NULL;
	const char	*id = c->id_str;
	enum api_err	 er;

	if ((er = db_exec(c->db, sql_user, 1, &id, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || !auth_user_from_row(res, 0, 0, &u)) {
		er = http_fail(c->r, API_NOT_FOUND, "no such user");
		goto out;
	}
	if ((er = export_user(c->r, c->db, &u, NULL, &doc)) != API_OK ||
	    (er = audit_log(c->r, c->db, c->user_id, "user.export", "user",
	    id, NULL)) != API_OK)
		goto out;
	er = http_send(c->r, 200, doc);
out:
	cJSON_Delete(doc);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

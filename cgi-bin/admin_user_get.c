/*
 * lectern — GET /api/admin/users/{id}: one account, for admins.  An
 * unknown id, and an id that is not one, is a 404.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"

static enum api_err	user_get(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/users/{id}",
	.who = ROLE_ADMIN,
	.tx = TX_NONE,		/* users has no row-level security */
	.run = user_get,
};

static const char sql_user[] =
    "SELECT " AUTH_USER_COLUMNS " FROM users u WHERE u.id = $1::bigint";

static enum api_err
user_get(struct call *c)
{
	struct db_res	*res = NULL;
	const char	*id = c->id_str;
	enum api_err	 er;

	if ((er = db_exec(c->db, sql_user, 1, &id, &res)) == API_OK)
		er = row_send(c->r, 200, res, auth_user_row_json);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

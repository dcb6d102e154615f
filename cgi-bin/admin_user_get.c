/*
 * lectern — GET /api/admin/users/{id}: one account, for admins.  An
 * unknown id, and an id that is not one, is a 404.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "valid.h"

static const char sql_user[] =
    "SELECT " AUTH_USER_COLUMNS " FROM users u WHERE u.id = $1::bigint";

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct db	*db;
	struct db_res	*res = NULL;
	struct user	 u;
	cJSON		*uj = NULL;
	const char	*id;
	long long	 n;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ADMIN, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if (!valid_id_str(id, &n))
		return API_NOT_FOUND;
	if ((er = db_exec(db, sql_user, 1, &id, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || !auth_user_from_row(res, 0, 0, &u)) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((uj = auth_user_json(&u)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send(r, 200, uj);
out:
	cJSON_Delete(uj);
	db_res_free(res);
	return er;
}

int
main(void)
{

	return http_main("GET", handle);
}

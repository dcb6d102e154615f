/*
 * lectern — PATCH /api/auth/me: change the caller's own name.
 *
 * Only the name may be changed here.  Any other member (role, email,
 * is_active, ...) is an unknown field and the whole request fails with
 * 400, so a client can never promote or reactivate itself.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "valid.h"

enum field { F_NAME, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "name", valid_string, VF_REQUIRED, 1, 100 },
};

static const char sql_update[] =
    "UPDATE users u SET name = $2 WHERE u.id = $1::bigint"
    " RETURNING " AUTH_USER_COLUMNS;

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct auth	 a;
	struct db	*db;
	struct db_res	*res = NULL;
	struct user	 u;
	cJSON		*body, *errs, *uj = NULL;
	const char	*params[2];
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK ||
	    (er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK)
		goto out;
	params[0] = a.user.id_str;
	params[1] = in[F_NAME].v.s;
	if ((er = db_exec(db, sql_update, 2, params, &res)) != API_OK)
		goto out;
	if (!auth_user_from_row(res, 0, 0, &u)) {
		er = API_INTERNAL;
		goto out;
	}
	if ((er = db_commit(db)) != API_OK)
		goto out;
	if ((uj = auth_user_json(&u)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send(r, 200, uj);
out:
	cJSON_Delete(uj);
	db_res_free(res);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("PATCH", handle);
}

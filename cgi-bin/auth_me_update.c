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
#include "endpoint.h"
#include "http.h"

static enum api_err	me_update(struct call *);

enum field { F_NAME, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_NAME] = { .name = "name", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 100 },
};

static const struct endpoint endpoint = {
	.method = "PATCH",
	.route = "/api/auth/me",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = me_update,
};

static const char sql_update[] =
    "UPDATE users u SET name = $2 WHERE u.id = $1::bigint"
    " RETURNING " AUTH_USER_COLUMNS;

static enum api_err
me_update(struct call *c)
{
	struct db_res	*res = NULL;
	cJSON		*uj = NULL;
	const char	*params[2];
	enum api_err	 er;

	params[0] = c->user_id;
	params[1] = c->in[F_NAME].v.s;
	if ((er = db_exec(c->db, sql_update, 2, params, &res)) != API_OK)
		goto out;
	if ((uj = auth_user_row_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	er = http_send(c->r, 200, uj);
out:
	cJSON_Delete(uj);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — POST /api/auth/register: create a student (or another role
 * that LECTERN_SIGNUP_ROLES allows, never admin) and sign it in.
 */
#include "config.h"

#include <string.h>

#include "auth.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "password.h"
#include "ratelimit.h"
#include "valid.h"

enum field { F_NAME, F_EMAIL, F_PASSWORD, F_ROLE, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "name", valid_string, VF_REQUIRED, 1, 100 },
	{ "email", valid_email, VF_REQUIRED, 0, 0 },
	{ "password", valid_string, VF_REQUIRED | VF_NOTRIM, 1, 1024 },
	{ "role", valid_string, 0, 1, 16 },
};

static const char sql_insert[] =
    "INSERT INTO users AS u (email, name, password_hash, role)"
    " VALUES ($1, $2, $3, $4) RETURNING " AUTH_USER_COLUMNS;

/*
 * Whether role may be chosen at sign-up: listed in LECTERN_SIGNUP_ROLES
 * (comma-separated), a known role, and never admin.
 */
static int
signup_role_ok(const char *role)
{
	const char	*list = config_get()->signup_roles, *p;
	size_t		 len = strlen(role);

	if (auth_role_bit(role) == 0 || strcmp(role, "admin") == 0)
		return 0;
	for (p = list; (p = strstr(p, role)) != NULL; p += len)
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
		    (p[len] == '\0' || p[len] == ',' || p[len] == ' '))
			return 1;
	return 0;
}

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct db	*db;
	struct db_res	*res = NULL;
	struct user	 u;
	cJSON		*body, *errs = NULL;
	const char	*role, *why, *params[4];
	char		*hash = NULL;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = ratelimit_check(r, db, RL_AUTH, NULL)) != API_OK ||
	    (er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	role = in[F_ROLE].present ? in[F_ROLE].v.s : "student";
	if (!signup_role_ok(role)) {
		er = http_invalid_field(r, "role",
		    "is not a role you can sign up with");
		goto out;
	}
	er = password_check_policy(in[F_PASSWORD].v.s, in[F_EMAIL].v.s,
	    config_get()->password_min, &why);
	if (er == API_INVALID)
		er = http_invalid_field(r, "password", why);
	if (er != API_OK)
		goto out;
	if ((er = password_hash(in[F_PASSWORD].v.s, &hash)) != API_OK ||
	    (er = db_begin(db, NULL, NULL)) != API_OK)
		goto out;
	params[0] = in[F_EMAIL].v.s;
	params[1] = in[F_NAME].v.s;
	params[2] = hash;
	params[3] = role;
	er = db_exec(db, sql_insert, 4, params, &res);
	if (er == API_CONFLICT &&
	    strcmp(db_last_constraint(db), "users_email_key") == 0)
		er = API_EMAIL_TAKEN;
	if (er != API_OK)
		goto out;
	if (!auth_user_from_row(res, 0, 0, &u)) {
		er = API_INTERNAL;
		goto out;
	}
	(void)http_header(r, "Location", "/api/auth/me");
	er = auth_finish(r, db, &u, NULL, 201, 0);
out:
	db_res_free(res);
	crypto_wipe_free(hash);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("POST", handle);
}

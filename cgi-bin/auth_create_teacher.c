/*
 * lectern — POST /api/auth/admin/create-teacher: an admin creates a
 * teacher account with a password that passes the policy.  The answer
 * is the new user (201, Location /api/admin/users/<id>), never tokens:
 * the teacher signs in on their own.  Audited as user.create_teacher.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "password.h"
#include "valid.h"

enum field { F_NAME, F_EMAIL, F_PASSWORD, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "name", valid_string, VF_REQUIRED, 1, 200 },
	{ "email", valid_email, VF_REQUIRED, 0, 0 },
	{ "password", valid_string, VF_REQUIRED | VF_NOTRIM, 1, 1024 },
};

static const char sql_insert[] =
    "INSERT INTO users AS u (email, name, password_hash, role)"
    " VALUES ($1, $2, $3, 'teacher') RETURNING " AUTH_USER_COLUMNS;

/*
 * Record the creation of u by admin a.  Returns API_OK, API_ENOMEM or a
 * database error.
 */
static enum api_err
audit_created(struct req *r, struct db *db, const struct auth *a,
    const struct user *u)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) != NULL &&
	    cJSON_AddStringToObject(d, "email", u->email) != NULL &&
	    cJSON_AddStringToObject(d, "role", u->role) != NULL)
		er = audit_log(r, db, a->user.id_str, "user.create_teacher",
		    "user", u->id_str, d);
	cJSON_Delete(d);
	return er;
}

/*
 * Check the password of in against the policy and hash it into *hash
 * (the caller wipes and frees it).  Returns API_OK, API_INVALID with
 * fields.password set, or another error as password_check_policy or
 * password_hash returned it.
 */
static enum api_err
new_hash(struct req *r, const struct vout *in, char **hash)
{
	const char	*why;
	enum api_err	 er;

	*hash = NULL;
	er = password_check_policy(in[F_PASSWORD].v.s, in[F_EMAIL].v.s,
	    config_get()->password_min, &why);
	if (er == API_INVALID)
		return http_invalid_field(r, "password", why);
	if (er != API_OK)
		return er;
	return password_hash(in[F_PASSWORD].v.s, hash);
}

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct auth	 a;
	struct db	*db;
	struct db_res	*res = NULL;
	struct user	 u;
	cJSON		*body, *errs = NULL, *uj = NULL;
	const char	*params[3];
	char		*hash = NULL, loc[64];
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ADMIN, &a)) != API_OK ||
	    (er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	/* Argon2id takes a while: hash before the transaction begins. */
	if ((er = new_hash(r, in, &hash)) != API_OK ||
	    (er = db_begin(db, a.user.id_str, a.user.role)) != API_OK)
		goto out;
	params[0] = in[F_EMAIL].v.s;
	params[1] = in[F_NAME].v.s;
	params[2] = hash;
	er = db_exec(db, sql_insert, 3, params, &res);
	if (er == API_CONFLICT &&
	    strcmp(db_last_constraint(db), "users_email_key") == 0)
		er = API_EMAIL_TAKEN;
	if (er != API_OK)
		goto out;
	if (!auth_user_from_row(res, 0, 0, &u)) {
		er = API_INTERNAL;
		goto out;
	}
	if ((er = audit_created(r, db, &a, &u)) != API_OK)
		goto out;
	if ((uj = auth_user_json(&u)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	if ((er = db_commit(db)) != API_OK)
		goto out;
	snprintf(loc, sizeof(loc), "/api/admin/users/%s", u.id_str);
	(void)http_header(r, "Location", loc);
	er = http_send(r, 201, uj);
out:
	cJSON_Delete(uj);
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

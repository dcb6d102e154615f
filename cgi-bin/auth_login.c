/*
 * lectern — POST /api/auth/login: email and password for a new session.
 *
 * An unknown email and a wrong password take comparable time (a dummy
 * Argon2id verification) and get the same 401.  Failed logins count per
 * account, whatever the address, besides the per-address auth limit.
 * Hashes imported from the Flask apps are upgraded to Argon2id here.
 */
#include "config.h"

#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "password.h"
#include "ratelimit.h"
#include "valid.h"

enum field { F_EMAIL, F_PASSWORD, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "email", valid_email, VF_REQUIRED, 0, 0 },
	{ "password", valid_string, VF_REQUIRED | VF_NOTRIM, 1, 1024 },
};

static const char sql_user[] =
    "SELECT " AUTH_USER_COLUMNS ", u.password_hash FROM users u"
    " WHERE lower(u.email) = lower($1)";

static const char sql_rehash[] =
    "UPDATE users SET password_hash = $2 WHERE id = $1::bigint"
    " AND password_hash = $3";

/* Store an Argon2id hash of pw in place of the imported one. */
static enum api_err
upgrade(struct req *r, struct db *db, const struct user *u, const char *pw,
    const char *old)
{
	const char	*params[3];
	char		*hash = NULL;
	enum api_err	 er;

	if ((er = password_hash(pw, &hash)) != API_OK)
		return er;
	params[0] = u->id_str;
	params[1] = hash;
	params[2] = old;
	if ((er = db_exec(db, sql_rehash, 3, params, NULL)) == API_OK)
		log_event(LOG_LVL_INFO, r->request_id, "password_rehashed",
		    "user_id", u->id_str, NULL);
	crypto_wipe_free(hash);
	return er;
}

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct db	*db;
	struct db_res	*res = NULL;
	struct user	 u;
	cJSON		*body, *errs;
	const char	*stored;
	int		 ok = 0, rehash = 0;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = ratelimit_check(r, db, RL_AUTH, NULL)) != API_OK ||
	    (er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	if ((er = db_exec(db, sql_user, 1, (const char *const *)&in[F_EMAIL].v.s,
	    &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || !auth_user_from_row(res, 0, 0, &u) ||
	    (stored = db_get(res, 0, AUTH_USER_NCOLUMNS)) == NULL) {
		password_verify_dummy(in[F_PASSWORD].v.s);
		er = API_INVALID_CREDENTIALS;
		goto out;
	}
	if ((er = ratelimit_peek(r, db, RL_LOGIN_FAIL, u.id_str)) != API_OK ||
	    (er = password_verify(in[F_PASSWORD].v.s, stored, &ok,
	    &rehash)) != API_OK)
		goto out;
	if (!ok) {
		log_event(LOG_LVL_INFO, r->request_id, "login_failed",
		    "user_id", u.id_str, "ip", r->remote_addr, NULL);
		if ((er = ratelimit_check(r, db, RL_LOGIN_FAIL, u.id_str)) ==
		    API_OK)
			er = API_INVALID_CREDENTIALS;
		goto out;
	}
	if (!u.is_active) {
		er = API_ACCOUNT_DISABLED;
		goto out;
	}
	if ((er = db_begin(db, u.id_str, u.role)) != API_OK ||
	    (rehash && (er = upgrade(r, db, &u, in[F_PASSWORD].v.s,
	    stored)) != API_OK))
		goto out;
	er = auth_finish(r, db, &u, NULL, 200, 0);
out:
	db_res_free(res);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("POST", handle);
}

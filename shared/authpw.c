/*
 * lectern — authpw: the password of a signed-in account (auth module):
 * asking for it again, checking and hashing a new one, and storing it.
 *
 * Kept apart from auth.c so that only the executables that verify or
 * hash a password link this file and, through password.c, libargon2
 * and libcrack; every other authenticated endpoint links auth.c alone.
 */
#include "config.h"

#include "audit.h"
#include "auth.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "password.h"
#include "ratelimit.h"

static const char sql_hash[] =
    "SELECT password_hash FROM users WHERE id = $1::bigint";

static const char sql_store[] =
    "UPDATE users SET password_hash = $2 WHERE id = $1::bigint";

static const char sql_spend_resets[] =
    "UPDATE password_resets SET used_at = now()"
    " WHERE user_id = $1::bigint AND used_at IS NULL";

enum api_err
auth_check_password(struct req *r, struct db *db, const struct auth *a,
    const char *password)
{
	struct db_res	*res = NULL;
	const char	*params[1];
	int		 ok = 0;
	enum api_err	 er;

	params[0] = a->user.id_str;
	/* Counted before the check, as at login; a right one is refunded. */
	if ((er = ratelimit_attempt(r, db, RL_LOGIN_FAIL, a->user.id_str)) !=
	    API_OK ||
	    (er = db_exec(db, sql_hash, 1, params, &res)) != API_OK)
		goto out;
	if ((er = password_verify(password, db_get(res, 0, 0), &ok, NULL)) !=
	    API_OK)
		goto out;
	if (ok)
		ratelimit_refund(r, db, RL_LOGIN_FAIL, a->user.id_str);
	else
		er = API_INVALID_CREDENTIALS;
out:
	db_res_free(res);
	return er;
}

enum api_err
auth_new_password(struct req *r, const char *field, const char *password,
    const char *email, char **hash)
{
	const char	*why;
	enum api_err	 er;

	*hash = NULL;
	er = password_check_policy(password, email,
	    config_get()->password_min, &why);
	if (er == API_INVALID)
		return http_invalid_field(r, field, why);
	if (er != API_OK)
		return er;
	return password_hash(password, hash);
}

enum api_err
auth_password_set(struct req *r, struct db *db, const char *user_id,
    const char *actor, const char *hash, const char *keep_sid,
    const char *reason, const char *action)
{
	const char	*params[2];
	enum api_err	 er;

	params[0] = user_id;
	params[1] = hash;
	if ((er = db_exec(db, sql_store, 2, params, NULL)) != API_OK ||
	    (er = db_exec(db, sql_spend_resets, 1, params, NULL)) != API_OK ||
	    (er = auth_revoke_sessions(db, user_id, NULL, keep_sid,
	    reason)) != API_OK)
		return er;
	return audit_log(r, db, actor, action, "user", user_id, NULL);
}

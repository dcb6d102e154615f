/*
 * lectern — POST /api/auth/password: change the caller's password.
 *
 * The current password is asked again (failures count against the
 * account's failed-login limit, as at login) and the new one must pass
 * the policy.  It is stored as Argon2id; every other session of the user
 * is revoked, so a thief signed in elsewhere is out, while the caller's
 * own session goes on.  Pending password resets are spent too.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "password.h"
#include "valid.h"

enum field { F_CURRENT, F_NEW, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "current_password", valid_string, VF_REQUIRED | VF_NOTRIM, 1, 1024 },
	{ "new_password", valid_string, VF_REQUIRED | VF_NOTRIM, 1, 1024 },
};

static const char sql_store[] =
    "UPDATE users SET password_hash = $2 WHERE id = $1::bigint";

static const char sql_spend_resets[] =
    "UPDATE password_resets SET used_at = now()"
    " WHERE user_id = $1::bigint AND used_at IS NULL";

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct auth	 a;
	struct db	*db;
	cJSON		*body, *errs;
	const char	*params[2], *why;
	char		*hash = NULL;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK ||
	    (er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	if ((er = auth_check_password(r, db, &a, in[F_CURRENT].v.s)) !=
	    API_OK)
		goto out;
	er = password_check_policy(in[F_NEW].v.s, a.user.email,
	    config_get()->password_min, &why);
	if (er == API_INVALID)
		er = http_invalid_field(r, "new_password", why);
	if (er != API_OK ||
	    (er = password_hash(in[F_NEW].v.s, &hash)) != API_OK ||
	    (er = db_begin(db, a.user.id_str, a.user.role)) != API_OK)
		goto out;
	params[0] = a.user.id_str;
	params[1] = hash;
	if ((er = db_exec(db, sql_store, 2, params, NULL)) != API_OK ||
	    (er = db_exec(db, sql_spend_resets, 1, params, NULL)) != API_OK ||
	    (er = auth_revoke_sessions(db, a.user.id_str, NULL, a.claims.sid,
	    "password_change")) != API_OK ||
	    (er = audit_log(r, db, a.user.id_str, "user.password_change",
	    "user", a.user.id_str, NULL)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	er = http_send(r, 204, NULL);
out:
	crypto_wipe_free(hash);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("POST", handle);
}

/*
 * lectern — DELETE /api/auth/me: erase the caller's personal data.
 *
 * The password is asked again.  The row stays, for the payments and
 * certificates that must be kept for accounting, but it no longer says
 * who the person was: the name becomes "Deleted user", the email
 * "deleted-<id>@invalid.invalid", the password hash a marker nothing
 * verifies against, and the account is deactivated.  Every session is
 * revoked, pending password resets are spent, Google and Firebase
 * identities are removed, and the erasure is audited (without the old
 * name or address).
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "password.h"
#include "valid.h"

enum field { F_PASSWORD, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "password", valid_string, VF_REQUIRED | VF_NOTRIM, 1, 1024 },
};

static const char sql_erase[] =
    "UPDATE users SET name = 'Deleted user',"
    " email = 'deleted-' || id || '@invalid.invalid',"
    " password_hash = $2, is_active = false WHERE id = $1::bigint";

/* Google and Firebase sign-in no longer reach the erased account. */
static const char sql_drop_identities[] =
    "DELETE FROM user_identities WHERE user_id = $1::bigint";

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
	const char	*params[2];
	char		*unusable = NULL;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK ||
	    (er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	if ((er = auth_check_password(r, db, &a, in[F_PASSWORD].v.s)) !=
	    API_OK ||
	    (er = password_unusable(&unusable)) != API_OK ||
	    (er = db_begin(db, a.user.id_str, a.user.role)) != API_OK)
		goto out;
	params[0] = a.user.id_str;
	params[1] = unusable;
	if ((er = db_exec(db, sql_erase, 2, params, NULL)) != API_OK ||
	    (er = db_exec(db, sql_spend_resets, 1, params, NULL)) != API_OK ||
	    (er = db_exec(db, sql_drop_identities, 1, params, NULL)) !=
	    API_OK ||
	    (er = auth_revoke_sessions(db, a.user.id_str, NULL, NULL,
	    "erased")) != API_OK ||
	    (er = audit_log(r, db, a.user.id_str, "user.erase", "user",
	    a.user.id_str, NULL)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	er = http_send(r, 204, NULL);
out:
	crypto_wipe_free(unusable);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("DELETE", handle);
}

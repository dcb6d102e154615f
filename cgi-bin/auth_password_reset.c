/*
 * lectern — POST /api/auth/password/reset: set a new password with a
 * reset token from the mail that /api/auth/password/forgot queued.
 *
 * The token is looked up by its SHA-256 and locked, so of two requests
 * with one token only the first can spend it.  An unknown, used or
 * expired token (or one whose account was deactivated since) gets one
 * and the same answer.  A new password ends every session of the user
 * and spends every other reset token of theirs.
 */
#include "config.h"

#include <string.h>

#include "audit.h"
#include "auth.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "password.h"
#include "ratelimit.h"
#include "valid.h"

#define TOKEN_INVALID	"is invalid or has expired"

enum field { F_TOKEN, F_NEW_PASSWORD, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "token", valid_string, VF_REQUIRED, 1, 255 },
	{ "new_password", valid_string, VF_REQUIRED | VF_NOTRIM, 1, 1024 },
};

/* A live token and its active account, locked until the commit. */
static const char sql_lookup[] =
    "SELECT " AUTH_USER_COLUMNS " FROM password_resets pr"
    " JOIN users u ON u.id = pr.user_id"
    " WHERE pr.token_hash = $1 AND pr.used_at IS NULL"
    " AND pr.expires_at > now() AND u.is_active"
    " FOR UPDATE OF pr, u";

static const char sql_set_password[] =
    "UPDATE users SET password_hash = $2 WHERE id = $1::bigint";

/* Spends this token and every other live one of the user. */
static const char sql_spend[] =
    "UPDATE password_resets SET used_at = now()"
    " WHERE user_id = $1::bigint AND used_at IS NULL";

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct db	*db;
	struct db_res	*res = NULL;
	struct user	 u;
	cJSON		*body, *errs;
	const char	*why, *params[2];
	char		 th[CRYPTO_SHA256_HEX_SIZE];
	char		*hash = NULL;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = ratelimit_check(r, db, RL_AUTH, NULL)) != API_OK ||
	    (er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	if ((er = crypto_sha256_hex(in[F_TOKEN].v.s, strlen(in[F_TOKEN].v.s),
	    th)) != API_OK || (er = db_begin(db, NULL, NULL)) != API_OK)
		goto out;
	params[0] = th;
	if ((er = db_exec(db, sql_lookup, 1, params, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || !auth_user_from_row(res, 0, 0, &u)) {
		er = http_invalid_field(r, "token", TOKEN_INVALID);
		goto out;
	}
	er = password_check_policy(in[F_NEW_PASSWORD].v.s, u.email,
	    config_get()->password_min, &why);
	if (er == API_INVALID)
		er = http_invalid_field(r, "new_password", why);
	if (er != API_OK ||
	    (er = password_hash(in[F_NEW_PASSWORD].v.s, &hash)) != API_OK)
		goto out;
	params[0] = u.id_str;
	params[1] = hash;
	if ((er = db_exec(db, sql_set_password, 2, params, NULL)) != API_OK ||
	    (er = db_exec(db, sql_spend, 1, params, NULL)) != API_OK ||
	    (er = auth_revoke_sessions(db, u.id_str, NULL, NULL,
	    "password_reset")) != API_OK ||
	    (er = audit_log(r, db, u.id_str, "user.password_reset", "user",
	    u.id_str, NULL)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	log_event(LOG_LVL_INFO, r->request_id, "password_reset",
	    "user_id", u.id_str, NULL);
	er = http_send(r, 204, NULL);
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

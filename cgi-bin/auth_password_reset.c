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

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"

#define TOKEN_INVALID	"is invalid or has expired"

static enum api_err	password_reset(struct call *);

enum field { F_TOKEN, F_NEW_PASSWORD, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TOKEN] = { .name = "token", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 255 },
	[F_NEW_PASSWORD] = AUTH_PASSWORD_FIELD("new_password"),
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/auth/password/reset",
	.who = WHO_ANYONE,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_AUTH,
	.run = password_reset,
};

/* A live token and its active account, locked until the commit. */
static const char sql_lookup[] =
    "SELECT " AUTH_USER_COLUMNS " FROM password_resets pr"
    " JOIN users u ON u.id = pr.user_id"
    " WHERE pr.token_hash = $1 AND pr.used_at IS NULL"
    " AND pr.expires_at > now() AND u.is_active"
    " FOR UPDATE OF pr, u";

static enum api_err
password_reset(struct call *c)
{
	struct db_res	*res = NULL;
	struct user	 u;
	const char	*params[1];
	char		 th[CRYPTO_SHA256_HEX_SIZE];
	char		*hash = NULL;
	enum api_err	 er;

	if ((er = crypto_sha256_hex(c->in[F_TOKEN].v.s,
	    strlen(c->in[F_TOKEN].v.s), th)) != API_OK)
		goto out;
	params[0] = th;
	if ((er = db_exec(c->db, sql_lookup, 1, params, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || !auth_user_from_row(res, 0, 0, &u)) {
		er = http_invalid_field(c->r, "token", TOKEN_INVALID);
		goto out;
	}
	if ((er = auth_new_password(c->r, "new_password",
	    c->in[F_NEW_PASSWORD].v.s, u.email, &hash)) != API_OK ||
	    (er = auth_password_set(c->r, c->db, u.id_str, u.id_str, hash, NULL,
	    "password_reset", "user.password_reset")) != API_OK)
		goto out;
	log_event(LOG_LVL_INFO, c->r->request_id, "password_reset",
	    "user_id", u.id_str, NULL);
	er = http_send(c->r, 204, NULL);
out:
	db_res_free(res);
	crypto_wipe_free(hash);
	return er;
}

ENDPOINT_MAIN(endpoint)

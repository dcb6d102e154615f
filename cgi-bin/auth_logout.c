/*
 * lectern — POST /api/auth/logout: end the caller's session.
 *
 * The access token's jti goes into revoked_tokens until it would have
 * expired anyway, and its session (the refresh family) is revoked.  A
 * refresh token may be given too, for a client that holds the pair of
 * another session of the same user; that session is revoked as well.
 * A refresh token that is unknown or belongs to someone else is
 * ignored: logout never revokes another user's session and never tells
 * whose a token is.  The body is optional.  A browser's refresh cookie
 * is cleared (on a cookie-mode request, SPEC §12): its session is the
 * access token's, already revoked.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	logout(struct call *);

enum field { F_REFRESH_TOKEN, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_REFRESH_TOKEN] = AUTH_REFRESH_FIELD,
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/auth/logout",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_BODY_OPTIONAL,
	.run = logout,
};

static const char sql_revoke_jti[] =
    "INSERT INTO revoked_tokens (jti, user_id, expires_at)"
    " VALUES ($1, $2::bigint, to_timestamp($3::bigint))"
    " ON CONFLICT (jti) DO NOTHING";

static const char sql_session_of[] =
    "SELECT s.id FROM refresh_tokens rt"
    " JOIN sessions s ON s.id = rt.session_id"
    " WHERE rt.token_hash = $1 AND s.user_id = $2::bigint";

/*
 * Revoke the session of refresh token tok if it is user_id's.  Returns
 * API_OK (also when the token is unknown or someone else's) or a
 * database error.
 */
static enum api_err
revoke_refresh(struct db *db, const char *user_id, const char *tok)
{
	struct db_res	*res = NULL;
	const char	*params[2], *sid;
	char		 hash[CRYPTO_SHA256_HEX_SIZE];
	enum api_err	 er;

	if ((er = crypto_sha256_hex(tok, strlen(tok), hash)) != API_OK)
		return er;
	params[0] = hash;
	params[1] = user_id;
	if ((er = db_exec(db, sql_session_of, 2, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) == 1 && (sid = db_get(res, 0, 0)) != NULL)
		er = auth_revoke_sessions(db, user_id, sid, NULL, "logout");
	db_res_free(res);
	return er;
}

static enum api_err
logout(struct call *c)
{
	const char	*params[3];
	char		 exp[24];
	enum api_err	 er;

	snprintf(exp, sizeof(exp), "%lld", c->a.claims.exp);
	params[0] = c->a.claims.jti;
	params[1] = c->user_id;
	params[2] = exp;
	if ((er = db_exec(c->db, sql_revoke_jti, 3, params, NULL)) != API_OK ||
	    (er = auth_revoke_sessions(c->db, c->user_id, c->a.claims.sid,
	    NULL, "logout")) != API_OK)
		return er;
	if (c->in[F_REFRESH_TOKEN].present &&
	    (er = revoke_refresh(c->db, c->user_id,
	    c->in[F_REFRESH_TOKEN].v.s)) != API_OK)
		return er;
	if (auth_cookie_mode(c->r) &&
	    (er = auth_cookie_set(c->r, NULL, 0)) != API_OK)
		return er;
	return http_send(c->r, 204, NULL);
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — POST /api/auth/logout: end the caller's session.
 *
 * The access token's jti goes into revoked_tokens until it would have
 * expired anyway, and its session (the refresh family) is revoked.  A
 * refresh token may be given too, for a client that holds the pair of
 * another session of the same user; that session is revoked as well.
 * A refresh token that is unknown or belongs to someone else is
 * ignored: logout never revokes another user's session and never tells
 * whose a token is.  The body is optional.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "valid.h"

enum field { F_REFRESH_TOKEN, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "refresh_token", valid_string, VF_NOTRIM, 1, 1024 },
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
 * Whether r came without a body: Content-Length 0, or neither a length
 * nor a type (a body nobody reads is drained by http_dispatch).
 */
static int
no_body(const struct req *r)
{

	return r->content_length == 0 ||
	    (r->content_length < 0 && r->content_type == NULL);
}

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
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct auth	 a;
	struct db	*db;
	cJSON		*body, *errs;
	const char	*params[3];
	char		 exp[24];
	enum api_err	 er;

	memset(in, 0, sizeof(in));
	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	if (!no_body(r)) {
		if ((er = http_body_json(r, &body)) != API_OK)
			return er;
		if ((er = valid_object(body, fields, F__MAX, in, &errs)) !=
		    API_OK)
			return er == API_INVALID ? http_invalid(r, errs) : er;
	}
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK)
		goto out;
	snprintf(exp, sizeof(exp), "%lld", a.claims.exp);
	params[0] = a.claims.jti;
	params[1] = a.user.id_str;
	params[2] = exp;
	if ((er = db_exec(db, sql_revoke_jti, 3, params, NULL)) != API_OK ||
	    (er = auth_revoke_sessions(db, a.user.id_str, a.claims.sid, NULL,
	    "logout")) != API_OK)
		goto out;
	if (in[F_REFRESH_TOKEN].present &&
	    (er = revoke_refresh(db, a.user.id_str,
	    in[F_REFRESH_TOKEN].v.s)) != API_OK)
		goto out;
	if ((er = db_commit(db)) != API_OK)
		goto out;
	er = http_send(r, 204, NULL);
out:
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("POST", handle);
}

/*
 * lectern — POST /api/auth/refresh: spend a refresh token for a new pair.
 *
 * Each refresh token is good for one use.  The token's row is locked
 * (FOR UPDATE) for the whole transaction, so two refreshes with the same
 * token are serialised: the first spends it and gets a successor in the
 * same session, the second finds it spent.  Presenting a spent token is
 * taken as theft (SPEC §3): the whole session, successor included, is
 * revoked, the reuse is audited and committed, and the answer is 401.
 *
 * A browser sends no body: its token is in the HttpOnly cookie, which is
 * read only on a cookie-mode request (X-Requested-With: lectern and this
 * site's or an allowed Origin, SPEC §12); a cookie without them is
 * refused (403), so another site cannot spend it.  The new token goes
 * back into the cookie.
 */
#include "config.h"

#include <string.h>

#include "audit.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"

static enum api_err	refresh(struct call *);

enum field { F_REFRESH_TOKEN, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_REFRESH_TOKEN] = AUTH_REFRESH_FIELD,
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/auth/refresh",
	.who = WHO_ANYONE,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_BODY_OPTIONAL,
	.rate = RL_AUTH_IP,	/* not a sign-in: per address only */
	.run = refresh,
};

/* The columns of sql_lookup before the user's. */
enum col { C_ID, C_SPENT, C_IDLE, C_SID, C_LIVE, C__USER };

static const char sql_lookup[] =
    "SELECT rt.id, rt.spent_at IS NOT NULL, rt.idle_expires_at <= now(),"
    " s.id, (s.revoked_at IS NULL AND s.expires_at > now()), "
    AUTH_USER_COLUMNS
    " FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id"
    " JOIN users u ON u.id = s.user_id"
    " WHERE rt.token_hash = $1 FOR UPDATE OF rt";

static const char sql_spend[] =
    "UPDATE refresh_tokens SET spent_at = now()"
    " WHERE id = $1::bigint AND spent_at IS NULL RETURNING id";

/*
 * The one answer for every refresh token that cannot be used (unknown,
 * spent, lapsed, of a dead session): 401 with WWW-Authenticate, and the
 * same message whatever the reason.
 */
static enum api_err
rejected(struct req *r)
{

	r->bad_token = 1;
	return http_fail(r, API_UNAUTHORIZED,
	    "the refresh token is not valid");
}

/*
 * A spent token came back: revoke its session (the whole family, the
 * live successor included), audit it and commit here, so the revocation
 * stands although the request fails (the runner commits only what
 * succeeds).  Returns the 401 of rejected, or a database error (the
 * transaction is then rolled back).
 */
static enum api_err
reuse(struct req *r, struct db *db, const struct user *u, const char *sid)
{
	enum api_err	 er;

	if ((er = auth_revoke_sessions(db, u->id_str, sid, NULL,
	    "reuse_detected")) != API_OK ||
	    (er = audit_log(r, db, NULL, "session.reuse_detected", "user",
	    u->id_str, NULL)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		return er;
	log_event(LOG_LVL_WARN, r->request_id, "refresh_reuse_detected",
	    "user_id", u->id_str, "ip", r->remote_addr, NULL);
	return rejected(r);
}

static enum api_err
refresh(struct call *c)
{
	struct req	*r = c->r;
	struct db_res	*res = NULL, *spend = NULL;
	struct user	 u;
	const char	*params[1], *id, *spent, *idle, *sid, *live, *tok;
	char		 hash[CRYPTO_SHA256_HEX_SIZE], cookie[1100];
	enum api_err	 er;

	if (c->in[F_REFRESH_TOKEN].present)
		tok = c->in[F_REFRESH_TOKEN].v.s;
	else if ((tok = auth_cookie_get(r, cookie, sizeof(cookie))) ==
	    NULL) {
		if (auth_cookie_mode(r))
			return rejected(r);
		return http_invalid_field(r, "refresh_token", "is required");
	} else if (!auth_cookie_mode(r)) {
		er = http_fail(r, API_FORBIDDEN, "the session cookie is"
		    " accepted only from this site's pages");
		goto out;
	}
	er = crypto_sha256_hex(tok, strlen(tok), hash);
	explicit_bzero(cookie, sizeof(cookie));
	if (er != API_OK)
		goto out;
	params[0] = hash;
	if ((er = db_exec(c->db, sql_lookup, 1, params, &res)) != API_OK)
		goto out;
	id = db_get(res, 0, C_ID);
	spent = db_get(res, 0, C_SPENT);
	idle = db_get(res, 0, C_IDLE);
	sid = db_get(res, 0, C_SID);
	live = db_get(res, 0, C_LIVE);
	if (db_nrows(res) != 1 || id == NULL || spent == NULL ||
	    idle == NULL || sid == NULL || live == NULL ||
	    !auth_user_from_row(res, 0, C__USER, &u)) {
		er = rejected(r);
		goto out;
	}
	if (spent[0] == 't') {
		er = reuse(r, c->db, &u, sid);
		goto out;
	}
	if (idle[0] == 't' || live[0] != 't') {
		er = rejected(r);
		goto out;
	}
	if (!u.is_active) {
		er = API_ACCOUNT_DISABLED;
		goto out;
	}
	/* The row is locked, so this holds; if it ever did not: reuse. */
	params[0] = id;
	if ((er = db_exec(c->db, sql_spend, 1, params, &spend)) != API_OK)
		goto out;
	if (db_nrows(spend) != 1) {
		er = reuse(r, c->db, &u, sid);
		goto out;
	}
	er = auth_finish(r, c->db, &u, sid, 200, 0);
out:
	db_res_free(spend);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

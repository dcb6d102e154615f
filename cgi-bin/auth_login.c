/*
 * lectern — POST /api/auth/login: email and password for a new session.
 *
 * An unknown email and a wrong password take comparable time (a dummy
 * Argon2id verification) and get the same 401.  Failed logins count per
 * account, whatever the address, besides the per-address auth limit.
 * Hashes imported from the Flask apps are upgraded to Argon2id here.
 * The check runs outside any transaction, so a failure's count stands
 * and the slow verification pins no pooled server connection; the
 * sign-in itself is one transaction.
 */
#include "config.h"

#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"
#include "password.h"
#include "ratelimit.h"

static enum api_err	login(struct call *);

enum field { F_EMAIL, F_PASSWORD, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_EMAIL] = { .name = "email", .fn = valid_email,
	    .flags = VF_REQUIRED },
	[F_PASSWORD] = AUTH_PASSWORD_FIELD("password"),
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/auth/login",
	.who = WHO_ANYONE,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_AUTH,
	.rate_by = "email",
	.tx = TX_NONE,		/* begun once the password is right */
	.run = login,
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
login(struct call *c)
{
	struct req	*r = c->r;
	struct db_res	*res = NULL;
	struct user	 u;
	const char	*stored, *pw = c->in[F_PASSWORD].v.s;
	int		 ok = 0, rehash = 0;
	enum api_err	 er;

	if ((er = db_exec(c->db, sql_user, 1,
	    (const char *const *)&c->in[F_EMAIL].v.s, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || !auth_user_from_row(res, 0, 0, &u) ||
	    (stored = db_get(res, 0, AUTH_USER_NCOLUMNS)) == NULL) {
		password_verify_dummy(pw);
		er = API_INVALID_CREDENTIALS;
		goto out;
	}
	/*
	 * Every attempt is counted, atomically, before the password is
	 * checked, so parallel guesses cannot outrun the limit: at most
	 * the limit's worth of checks ever run.  A right password takes
	 * its count back.
	 */
	if ((er = ratelimit_attempt(r, c->db, RL_LOGIN_FAIL, u.id_str)) !=
	    API_OK ||
	    (er = password_verify(pw, stored, &ok, &rehash)) != API_OK)
		goto out;
	if (!ok) {
		log_event(LOG_LVL_INFO, r->request_id, "login_failed",
		    "user_id", u.id_str, "ip", r->remote_addr, NULL);
		er = API_INVALID_CREDENTIALS;
		goto out;
	}
	ratelimit_refund(r, c->db, RL_LOGIN_FAIL, u.id_str);
	if (!u.is_active) {
		er = API_ACCOUNT_DISABLED;
		goto out;
	}
	if ((er = endpoint_begin(c)) != API_OK ||
	    (rehash && (er = upgrade(r, c->db, &u, pw, stored)) != API_OK))
		goto out;
	er = auth_finish(r, c->db, &u, NULL, 200, 0);
out:
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

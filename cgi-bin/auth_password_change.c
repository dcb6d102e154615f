/*
 * lectern — POST /api/auth/password: change the caller's password.
 *
 * The current password is asked again (failures count against the
 * account's failed-login limit, as at login) and the new one must pass
 * the policy.  Both Argon2id steps run before the transaction begins.
 * It is stored as Argon2id; every other session of the user is revoked,
 * so a thief signed in elsewhere is out, while the caller's own session
 * goes on.  Pending password resets are spent too.
 */
#include "config.h"

#include "auth.h"
#include "crypto.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	password_change(struct call *);

enum field { F_CURRENT, F_NEW, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_CURRENT] = AUTH_PASSWORD_FIELD("current_password"),
	[F_NEW] = AUTH_PASSWORD_FIELD("new_password"),
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/auth/password",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.tx = TX_NONE,		/* begun after the password work */
	.run = password_change,
};

static enum api_err
password_change(struct call *c)
{
	char		*hash = NULL;
	enum api_err	 er;

	if ((er = auth_check_password(c->r, c->db, &c->a,
	    c->in[F_CURRENT].v.s)) != API_OK ||
	    (er = auth_new_password(c->r, "new_password", c->in[F_NEW].v.s,
	    c->a.user.email, &hash)) != API_OK ||
	    (er = endpoint_begin(c)) != API_OK ||
	    (er = auth_password_set(c->r, c->db, c->user_id, c->user_id, hash,
	    c->a.claims.sid, "password_change", "user.password_change")) !=
	    API_OK)
		goto out;
	er = http_send(c->r, 204, NULL);
out:
	crypto_wipe_free(hash);
	return er;
}

ENDPOINT_MAIN(endpoint)

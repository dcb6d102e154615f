/*
 * lectern — DELETE /api/auth/me: erase the caller's personal data.
 *
 * The password is asked again, outside the transaction (its check is
 * slow, and a failure must count although the request fails).  The row
 * stays, for the payments and certificates that must be kept for
 * accounting, but it no longer says who the person was: the name
 * becomes "Deleted user", the email "deleted-<id>@invalid.invalid", the
 * password hash a marker nothing verifies against, and the account is
 * deactivated.  Every session is revoked, pending password resets are
 * spent, Google and Firebase identities are removed, submissions lose
 * their text, enrollments end (the roster says so), and the erasure is
 * audited (without the old name or address): account_erase.  Uploaded
 * files are removed once that has committed.  The last active admin
 * cannot erase themselves (409).
 */
#include "config.h"

#include "account.h"
#include "auth.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "upload.h"

static enum api_err	me_delete(struct call *);

enum field { F_PASSWORD, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_PASSWORD] = AUTH_PASSWORD_FIELD("password"),
};

static const struct endpoint endpoint = {
	.method = "DELETE",
	.route = "/api/auth/me",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.tx = TX_NONE,		/* begun after the password check */
	.run = me_delete,
};

static enum api_err
me_delete(struct call *c)
{
	int		 others = 0;
	enum api_err	 er;

	if ((er = auth_check_password(c->r, c->db, &c->a,
	    c->in[F_PASSWORD].v.s)) != API_OK ||
	    (er = endpoint_begin(c)) != API_OK)
		return er;
	if (c->a.user.role_bit == ROLE_ADMIN && ((er =
	    auth_other_admins(c->db, c->user_id, &others)) != API_OK ||
	    others == 0))
		return er != API_OK ? er : http_fail(c->r, API_CONFLICT,
		    "the last active admin cannot be erased");
	if ((er = account_erase(c->r, c->db, c->user_id, c->user_id)) !=
	    API_OK || (er = db_commit(c->db)) != API_OK)
		return er;
	/* The erased person's files, once the erasure has committed. */
	upload_purge(c->db, c->user_id);
	return http_send(c->r, 204, NULL);
}

ENDPOINT_MAIN(endpoint)

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
 * their text, enrollments end (the roster says so), uploaded files are
 * removed (after the commit), and the erasure is audited (without the
 * old name or address).
 */
#include "config.h"

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "password.h"
#include "upload.h"

static enum api_err	me_delete(struct call *);

enum field { F_PASSWORD, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_PASSWORD] = { .name = "password", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_NOTRIM, .min = 1, .max = 1024 },
};

static const struct endpoint endpoint = {
	.method = "DELETE",
	.route = "/api/auth/me",
	.who = ROLE_ANY,
	.body = BODY_JSON,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_API,
	.tx = TX_NONE,		/* begun after the password check */
	.run = me_delete,
};

static const char sql_erase[] =
    "UPDATE users SET name = 'Deleted user',"
    " email = 'deleted-' || id || '@invalid.invalid',"
    " is_active = false WHERE id = $1::bigint";

/*
 * What the person wrote goes (an essay is personal data); the roster
 * shows the enrollment as ended, not as a student still there.
 */
static const char sql_erase_work[] =
    "SELECT lectern_erase_work($1::bigint)";

/* Google and Firebase sign-in no longer reach the erased account. */
static const char sql_drop_identities[] =
    "DELETE FROM user_identities WHERE user_id = $1::bigint";

static enum api_err
me_delete(struct call *c)
{
	char		*unusable = NULL;
	enum api_err	 er;

	if ((er = auth_check_password(c->r, c->db, &c->a,
	    c->in[F_PASSWORD].v.s)) != API_OK ||
	    (er = password_unusable(&unusable)) != API_OK ||
	    (er = endpoint_begin(c)) != API_OK ||
	    (er = db_exec(c->db, sql_erase, 1, &c->user_id, NULL)) != API_OK ||
	    (er = db_exec(c->db, sql_drop_identities, 1, &c->user_id,
	    NULL)) != API_OK ||
	    (er = db_exec(c->db, sql_erase_work, 1, &c->user_id,
	    NULL)) != API_OK ||
	    (er = auth_password_set(c->r, c->db, c->user_id, unusable, NULL,
	    "erased", "user.erase")) != API_OK ||
	    (er = db_commit(c->db)) != API_OK)
		goto out;
	/* The erased person's files, once the erasure has committed. */
	upload_purge(c->db, c->user_id);
	er = http_send(c->r, 204, NULL);
out:
	crypto_wipe_free(unusable);
	return er;
}

int
main(void)
{

	return endpoint_main(&endpoint);
}

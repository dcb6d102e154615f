/*
 * lectern — account: find or make a student, with a set-password mail;
 * erase an account, for its owner or an admin; the last admin's guard.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "mail.h"
#include "password.h"

static const char sql_by_email[] =
    "SELECT " AUTH_USER_COLUMNS " FROM users u"
    " WHERE lower(u.email) = lower($1)";

/* Nothing comes back when the address is taken (perhaps just now). */
static const char sql_create[] =
    "INSERT INTO users AS u (email, name, password_hash, role)"
    " VALUES (lower($1), $2, $3, 'student')"
    " ON CONFLICT ((lower(email))) DO NOTHING"
    " RETURNING " AUTH_USER_COLUMNS;

static const char sql_welcome[] =
    "WITH pr AS (INSERT INTO password_resets (user_id, token_hash,"
    "  expires_at) VALUES ($1::bigint, $2, now() + interval '7 days')"
    "  RETURNING user_id)"
    " INSERT INTO email_outbox (to_address, subject, body)"
    " SELECT u.email, $3, format($4, u.name, $5::text)"
    " FROM pr JOIN users u ON u.id = pr.user_id RETURNING id";

/*
 * The user sql selects with param into *u.  Returns API_OK,
 * API_NOT_FOUND or a database error.
 */
static enum api_err
one(struct db *db, const char *sql, int n, const char *const *params,
    struct user *u, int *found)
{
	struct db_res	*res = NULL;
	enum api_err	 er;

	if ((er = db_exec(db, sql, n, params, &res)) != API_OK)
		return er;
	*found = auth_user_from_row(res, 0, 0, u);
	db_res_free(res);
	return API_OK;
}

enum api_err
account_student(struct req *r, struct db *db, const char *email,
    const char *name, const char *subject, const char *fmt, struct user *u,
    int *created)
{
	struct mail_token	 t;
	struct db_res		*res = NULL;
	const char		*params[5];
	char			*unusable = NULL;
	int			 found;
	enum api_err		 er;

	*created = 0;
	memset(&t, 0, sizeof(t));
	if ((er = one(db, sql_by_email, 1, &email, u, &found)) != API_OK ||
	    found)
		return er;
	if ((er = password_unusable(&unusable)) != API_OK ||
	    (er = mail_token_new("/reset-password", &t)) != API_OK)
		goto out;
	params[0] = email;
	params[1] = name;
	params[2] = unusable;
	if ((er = one(db, sql_create, 3, params, u, &found)) != API_OK)
		goto out;
	if (!found) {
		/* Made meanwhile by someone else: that is the account. */
		if ((er = one(db, sql_by_email, 1, &email, u,
		    &found)) == API_OK && !found)
			er = API_INTERNAL;
		goto out;
	}
	params[0] = u->id_str;
	params[1] = t.hash;
	params[2] = subject;
	params[3] = fmt;
	params[4] = t.link;
	if ((er = db_exec(db, sql_welcome, 5, params, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = API_INTERNAL;
		goto out;
	}
	*created = 1;
	log_event(LOG_LVL_INFO, r->request_id, "welcome_mail_queued",
	    "user_id", u->id_str, "outbox_id", db_get(res, 0, 0), NULL);
out:
	db_res_free(res);
	free(unusable);
	mail_token_free(&t);
	return er;
}

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

enum api_err
account_erase(struct req *r, struct db *db, const char *uid,
    const char *actor)
{
	char		*unusable = NULL;
	enum api_err	 er;

	if ((er = password_unusable(&unusable)) != API_OK ||
	    (er = db_exec(db, sql_erase, 1, &uid, NULL)) != API_OK ||
	    (er = db_exec(db, sql_drop_identities, 1, &uid, NULL)) !=
	    API_OK ||
	    (er = db_exec(db, sql_erase_work, 1, &uid, NULL)) != API_OK)
		goto out;
	er = auth_password_set(r, db, uid, actor, unusable, NULL, "erased",
	    "user.erase");
out:
	crypto_wipe_free(unusable);
	return er;
}

/*
 * lectern — DELETE /api/admin/users/{id}: an admin erases a user's
 * personal data on their behalf, without their password (SPEC §3): the
 * same erasure as DELETE /api/auth/me (account_erase), audited as
 * user.erase by the admin.  The last active admin cannot be erased
 * (409): every active admin row is locked first, in id order, then the
 * target.  Uploaded files are removed once the erasure has committed.
 * Erasing an erased account again changes nothing that shows.
 * 204; an unknown id is a 404.
 */
#include "config.h"

#include "account.h"
#include "auth.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "upload.h"

static enum api_err	admin_user_delete(struct call *);

static const struct endpoint endpoint = {
	.method = "DELETE",
	.route = "/api/admin/users/{id}",
	.who = ROLE_ADMIN,
	.run = admin_user_delete,
};

static const char sql_user[] =
    "SELECT " AUTH_USER_COLUMNS " FROM users u WHERE u.id = $1::bigint"
    " FOR UPDATE";

static enum api_err
admin_user_delete(struct call *c)
{
	struct db_res	*res = NULL;
	struct user	 u;
	const char	*id = c->id_str;
	int		 others = 0;
	enum api_err	 er;

	if ((er = auth_other_admins(c->db, id, &others)) != API_OK ||
	    (er = db_exec(c->db, sql_user, 1, &id, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || !auth_user_from_row(res, 0, 0, &u))
		er = http_fail(c->r, API_NOT_FOUND, "no such user");
	else if (u.role_bit == ROLE_ADMIN && u.is_active && others == 0)
		er = http_fail(c->r, API_CONFLICT,
		    "the last active admin cannot be erased");
	else if ((er = account_erase(c->r, c->db, id, c->user_id)) == API_OK &&
	    (er = db_commit(c->db)) == API_OK) {
		/* The erased person's files, once the erasure has committed. */
		upload_purge(c->db, id);
		er = http_send(c->r, 204, NULL);
	}
out:
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

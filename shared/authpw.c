/*
 * lectern — authpw: asking a signed-in caller for their password again
 * (auth module).
 *
 * Kept apart from auth.c so that only the executables that verify a
 * password link this file and, through password.c, libargon2 and
 * libcrack; every other authenticated endpoint links auth.c alone.
 */
#include "config.h"

#include "auth.h"
#include "db.h"
#include "password.h"
#include "ratelimit.h"

static const char sql_hash[] =
    "SELECT password_hash FROM users WHERE id = $1::bigint";

enum api_err
auth_check_password(struct req *r, struct db *db, const struct auth *a,
    const char *password)
{
	struct db_res	*res = NULL;
	const char	*params[1];
	int		 ok = 0;
	enum api_err	 er;

	params[0] = a->user.id_str;
	if ((er = ratelimit_peek(r, db, RL_LOGIN_FAIL, a->user.id_str)) !=
	    API_OK ||
	    (er = db_exec(db, sql_hash, 1, params, &res)) != API_OK)
		goto out;
	if ((er = password_verify(password, db_get(res, 0, 0), &ok, NULL)) !=
	    API_OK)
		goto out;
	if (!ok && (er = ratelimit_check(r, db, RL_LOGIN_FAIL,
	    a->user.id_str)) == API_OK)
		er = API_INVALID_CREDENTIALS;
out:
	db_res_free(res);
	return er;
}

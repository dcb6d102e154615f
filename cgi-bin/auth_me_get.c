/*
 * lectern — GET /api/auth/me: the caller's own account.
 *
 * The user is read from the database by auth_require on every request,
 * so a change of name, role or state shows here at once.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "http.h"

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct db	*db;
	cJSON		*u;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	if ((u = auth_user_json(&a.user)) == NULL)
		return API_ENOMEM;
	er = http_send(r, 200, u);
	cJSON_Delete(u);
	return er;
}

int
main(void)
{

	return http_main("GET", handle);
}

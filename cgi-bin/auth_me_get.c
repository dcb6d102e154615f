/*
 * lectern — GET /api/auth/me: the caller's own account.
 *
 * The user is read from the database by auth_require on every request,
 * so a change of name, role or state shows here at once.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	me_get(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/auth/me",
	.who = ROLE_ANY,
	.tx = TX_NONE,
	.run = me_get,
};

static enum api_err
me_get(struct call *c)
{
	cJSON		*u;
	enum api_err	 er;

	if ((u = auth_user_json(&c->a.user)) == NULL)
		return API_ENOMEM;
	er = http_send(c->r, 200, u);
	cJSON_Delete(u);
	return er;
}

ENDPOINT_MAIN(endpoint)

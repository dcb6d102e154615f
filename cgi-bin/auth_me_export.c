/*
 * lectern — GET /api/auth/me/export: everything stored about the caller,
 * as one JSON document (GDPR right of access; the document is
 * account_export's).  The reads run in one transaction that carries the
 * caller, for row-level security.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "export.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	me_export(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/auth/me/export",
	.who = ROLE_ANY,
	.run = me_export,
};

static enum api_err
me_export(struct call *c)
{
	cJSON		*doc = NULL;
	enum api_err	 er;

	if ((er = export_user(c->r, c->db, &c->a.user, c->a.claims.sid,
	    &doc)) == API_OK)
		er = http_send(c->r, 200, doc);
	cJSON_Delete(doc);
	return er;
}

ENDPOINT_MAIN(endpoint)

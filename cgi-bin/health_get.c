/*
 * lectern — GET /health, GET /api/health: configuration, database and
 * schema in one document; 503 when the service cannot work.
 */
#include "config.h"

#include "endpoint.h"
#include "health.h"

static enum api_err	health(struct call *);

/*
 * EP_NO_DB: the runner does not connect, because a database that does
 * not answer is this endpoint's answer, not an error; health_respond
 * connects by itself.
 */
static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/health",
	.who = WHO_ANYONE,
	.flags = EP_NO_DB,
	.run = health,
};

static enum api_err
health(struct call *c)
{

	return health_respond(c->r, 0);
}

ENDPOINT_MAIN_NODB(endpoint)

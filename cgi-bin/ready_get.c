/*
 * lectern — GET /ready: 200 only when the database answers and its schema
 * is the one this build expects, so a load balancer sends no traffic to
 * a node mid-migration.
 */
#include "config.h"

#include "endpoint.h"
#include "health.h"

static enum api_err	ready(struct call *);

/*
 * EP_NO_DB: the runner does not connect, because a database that does
 * not answer is this endpoint's answer, not an error; health_respond
 * connects by itself.
 */
static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/ready",
	.who = WHO_ANYONE,
	.flags = EP_NO_DB,
	.run = ready,
};

static enum api_err
ready(struct call *c)
{

	return health_respond(c->r, 1);
}

ENDPOINT_MAIN_NODB(endpoint)

/*
 * lectern — GET /live: the process can run.  It never touches the
 * database, so it answers while PostgreSQL is down.
 */
#include "config.h"

#include "endpoint.h"
#include "http.h"

static enum api_err	live(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/live",
	.who = WHO_ANYONE,
	.flags = EP_NO_DB,
	.run = live,
};

static enum api_err
live(struct call *c)
{

	return http_send_raw(c->r, 200, "{\"status\":\"alive\"}");
}

ENDPOINT_MAIN_NODB(endpoint)

/*
 * lectern — GET /ready: 200 only when the database answers and its schema
 * is the one this build expects, so a load balancer sends no traffic to
 * a node mid-migration.
 */
#include "config.h"

#include "health.h"
#include "http.h"

static enum api_err
handle(struct req *r)
{

	return health_respond(r, 1);
}

int
main(void)
{

	return http_main("GET", handle);
}

/*
 * lectern — GET /health, GET /api/health: configuration, database and
 * schema in one document; 503 when the service cannot work.
 */
#include "config.h"

#include "health.h"
#include "http.h"

static enum api_err
handle(struct req *r)
{

	return health_respond(r, 0);
}

int
main(void)
{

	return http_main("GET", handle);
}

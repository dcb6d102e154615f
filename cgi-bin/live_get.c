/*
 * lectern — GET /live: the process can run.  It never touches the
 * database, so it answers while PostgreSQL is down.
 */
#include "config.h"

#include "http.h"

static enum api_err
handle(struct req *r)
{

	return http_send_raw(r, 200, "{\"status\":\"alive\"}");
}

int
main(void)
{

	return http_main("GET", handle);
}

/*
 * lectern — bench/select1_cgi: a bare CGI that connects with libpq, runs
 * SELECT 1 and answers.  The floor for an endpoint that touches the
 * database once per request in plain CGI mode; lectern's own endpoints
 * are measured against it.  Links libpq only.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <libpq-fe.h>

int
main(void)
{
	const char	*url = getenv("LECTERN_DATABASE_URL");
	PGconn		*c;
	PGresult	*res;
	int		 ok;

	c = PQconnectdb(url != NULL ? url : "");
	res = PQstatus(c) == CONNECTION_OK ? PQexec(c, "SELECT 1") : NULL;
	ok = res != NULL && PQresultStatus(res) == PGRES_TUPLES_OK;
	PQclear(res);
	PQfinish(c);
	if (ok)
		fputs("Status: 200 OK\r\nContent-Type: application/json\r\n"
		    "Content-Length: 12\r\n\r\n{\"ok\":true}\n", stdout);
	else
		fputs("Status: 503 Service Unavailable\r\n"
		    "Content-Type: application/json\r\nContent-Length: 13\r\n"
		    "\r\n{\"ok\":false}\n", stdout);
	return 0;
}

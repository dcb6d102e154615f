/*
 * lectern — bench/minimal_cgi: the smallest C CGI, the spawn ceiling the
 * endpoints are measured against.  Links nothing of lectern.
 */
#include "config.h"

#include <stdio.h>

int
main(void)
{

	fputs("Status: 200 OK\r\nContent-Type: application/json\r\n"
	    "Content-Length: 12\r\n\r\n{\"ok\":true}\n", stdout);
	return 0;
}

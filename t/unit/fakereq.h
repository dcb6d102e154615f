/*
 * lectern — t/unit/fakereq.h: a request with no body and nowhere to
 * write, whose CGI variables come from a NULL-ended table of name,
 * value pairs, for unit tests of what reads only the request's
 * environment.  Header-only; include it after t/tap.h.
 */
#ifndef LECTERN_FAKEREQ_H
#define LECTERN_FAKEREQ_H

#include <string.h>
#include <sys/types.h>

#include "err.h"
#include "http.h"

static ssize_t
fakereq_read(void *arg, char *buf, size_t len)
{

	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

static int
fakereq_write(void *arg, const char *buf, size_t len)
{

	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

/* The value of name in the table arg points to, or NULL. */
static const char *
fakereq_getenv(void *arg, const char *name)
{
	const char *const	*env = arg;
	size_t			 i;

	for (i = 0; env[i] != NULL; i += 2)
		if (strcmp(env[i], name) == 0)
			return env[i + 1];
	return NULL;
}

/* Start *r afresh over env (which must outlive it); bails on failure. */
static void
fakereq_init(struct req *r, const char *const *env)
{
	static struct http_io	 io;

	io.read = fakereq_read;
	io.write = fakereq_write;
	io.getenv = fakereq_getenv;
	io.arg = (void *)env;
	if (http_req_init(r, &io, NULL) != API_OK)
		bail("http_req_init failed");
}

#endif /* LECTERN_FAKEREQ_H */

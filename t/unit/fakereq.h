/*
 * lectern — t/unit/fakereq.h: a request whose CGI variables come from a
 * NULL-ended table of name, value pairs, with an optional body read a
 * few bytes at a time and nowhere to write, for unit tests of what reads
 * only the request's input.  Header-only; include it after t/tap.h.
 */
#ifndef LECTERN_FAKEREQ_H
#define LECTERN_FAKEREQ_H

#include <string.h>
#include <sys/types.h>

#include "err.h"
#include "http.h"

struct fakereq {
	const char *const	*env;	/* name, value, ..., NULL */
	const char		*body;	/* NULL: none */
	size_t			 len;	/* of body */
	size_t			 off;	/* read so far */
	size_t			 chunk;	/* the most one read gives; 0: any */
};

static ssize_t
fakereq_read(void *arg, char *buf, size_t len)
{
	struct fakereq	*f = arg;
	size_t		 n = f->len - f->off;

	if (n > len)
		n = len;
	if (f->chunk > 0 && n > f->chunk)
		n = f->chunk;
	if (n > 0)
		memcpy(buf, f->body + f->off, n);
	f->off += n;
	return (ssize_t)n;
}

static int
fakereq_write(void *arg, const char *buf, size_t len)
{

	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

/* The value of name in the table of the fakereq arg points to, or NULL. */
static const char *
fakereq_getenv(void *arg, const char *name)
{
	const struct fakereq	*f = arg;
	size_t			 i;

	for (i = 0; f->env[i] != NULL; i += 2)
		if (strcmp(f->env[i], name) == 0)
			return f->env[i + 1];
	return NULL;
}

/* Start *r afresh over f (which must outlive it); bails on failure. */
static void
fakereq_start(struct req *r, struct fakereq *f)
{
	static struct http_io	 io;

	f->off = 0;
	io.read = fakereq_read;
	io.write = fakereq_write;
	io.getenv = fakereq_getenv;
	io.arg = f;
	if (http_req_init(r, &io, NULL) != API_OK)
		bail("http_req_init failed");
}

/* Start *r afresh over env (which must outlive it), with no body. */
static void __attribute__((unused))
fakereq_init(struct req *r, const char *const *env)
{
	static struct fakereq	 f;

	memset(&f, 0, sizeof(f));
	f.env = env;
	fakereq_start(r, &f);
}

#endif /* LECTERN_FAKEREQ_H */

/*
 * lectern — csv: quoted cells, formula prefixes, CRLF rows.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "log.h"

/* Append n bytes of s to c, growing it. */
static void
put(struct csv *c, const char *s, size_t n)
{
	char	*nb;
	size_t	 ns;

	if (c->failed)
		return;
	if (c->len + n + 1 > c->size) {
		ns = c->size ? c->size : 1024;
		while (ns < c->len + n + 1)
			ns *= 2;
		if ((nb = realloc(c->buf, ns)) == NULL) {
			log_warnx("csv: out of memory");
			c->failed = 1;
			return;
		}
		c->buf = nb;
		c->size = ns;
	}
	memcpy(c->buf + c->len, s, n);
	c->len += n;
	c->buf[c->len] = '\0';
}

void
csv_cell(struct csv *c, const char *s)
{
	const char	*p;

	if (c->ncells++ > 0)
		put(c, ",", 1);
	put(c, "\"", 1);
	if (s != NULL && strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0')
		put(c, "'", 1);
	for (p = s; p != NULL && *p != '\0'; p++) {
		if (*p == '"')
			put(c, "\"\"", 2);
		else
			put(c, p, 1);
	}
	put(c, "\"", 1);
}

void
csv_end_row(struct csv *c)
{

	put(c, "\r\n", 2);
	c->ncells = 0;
}

enum api_err
csv_status(const struct csv *c)
{

	return c->failed ? API_ENOMEM : API_OK;
}

void
csv_free(struct csv *c)
{

	free(c->buf);
	memset(c, 0, sizeof(*c));
}

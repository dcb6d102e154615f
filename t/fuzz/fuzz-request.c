/*
 * lectern — t/fuzz/fuzz-request: the runner's input stage.  The input is
 * split at its first two newlines into PATH_INFO, QUERY_STRING and a
 * JSON body, and runs through endpoint_input for a declaration with a
 * path id, query filters, paging and body fields: the path-id parser,
 * the query-string parser with percent-decoding, the filters and the
 * body reader together.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "endpoint.h"
#include "http.h"

struct fake {
	const char	*path, *query, *body;
	size_t		 body_len, off;
	char		 len[32];
};

static ssize_t
fake_read(void *arg, char *buf, size_t len)
{
	struct fake	*f = arg;
	size_t		 n = f->body_len - f->off;

	if (n > len)
		n = len;
	memcpy(buf, f->body + f->off, n);
	f->off += n;
	return (ssize_t)n;
}

static int
fake_write(void *arg, const char *buf, size_t len)
{

	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

static const char *
fake_getenv(void *arg, const char *name)
{
	struct fake	*f = arg;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return "POST";
	if (strcmp(name, "PATH_INFO") == 0)
		return f->path;
	if (strcmp(name, "QUERY_STRING") == 0)
		return f->query;
	if (strcmp(name, "CONTENT_TYPE") == 0)
		return "application/json";
	if (strcmp(name, "CONTENT_LENGTH") == 0)
		return f->len;
	return NULL;
}

enum field { F_TITLE, F_N, F_WHEN, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string, .max = 50 },
	[F_N] = { .name = "n", .fn = valid_int, .min = 0, .max = 9 },
	[F_WHEN] = { .name = "when", .fn = valid_timestamp,
	    .flags = VF_NULLABLE },
};

static const char *const states[] = { "open", "closed", NULL };

static const struct list_filter query[] = {
	{ .name = "q", .kind = LIST_TEXT },
	{ .name = "user_id", .kind = LIST_ID },
	{ .name = "from", .kind = LIST_TIME },
	{ .name = "status", .kind = LIST_ONE_OF, .allowed = states,
	    .why = "must be open or closed" },
};

static const struct endpoint ep = {
	.method = "POST",
	.route = "/api/things/{id}",
	.who = WHO_ANYONE,
	.body = BODY_JSON,
	.fields = fields,
	.nfields = F__MAX,
	.query = query,
	.nquery = sizeof(query) / sizeof(query[0]),
	.flags = EP_PAGED | EP_ONE_OF,
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake	 f;
	struct http_io	 io;
	struct req	 r;
	struct call	 c;
	char		*s, *nl1, *nl2;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&f, 0, sizeof(f));
	f.path = s;
	f.query = f.body = "";
	if ((nl1 = strchr(s, '\n')) != NULL) {
		*nl1 = '\0';
		f.query = nl1 + 1;
		if ((nl2 = strchr(nl1 + 1, '\n')) != NULL) {
			*nl2 = '\0';
			f.body = nl2 + 1;
		}
	}
	f.body_len = size - (size_t)(f.body - s);
	if (f.body == s || f.body_len > size)
		f.body_len = 0;
	snprintf(f.len, sizeof(f.len), "%zu", f.body_len);
	io.read = fake_read;
	io.write = fake_write;
	io.getenv = fake_getenv;
	io.arg = &f;
	if (http_req_init(&r, &io, NULL) == API_OK) {
		memset(&c, 0, sizeof(c));
		c.r = &r;
		c.ep = &ep;
		(void)endpoint_input(&c);
		endpoint_call_free(&c);
		http_req_free(&r);
	}
	free(s);
	return 0;
}

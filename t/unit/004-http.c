/*
 * lectern — t/unit/004-http: the CGI side of a request, without a server.
 *
 * A fake struct http_io reads the body from memory (in small pieces, to
 * exercise the read loop), collects the response in a growing buffer
 * and answers getenv from a table, so http_req_init and http_dispatch
 * run exactly as under Apache.  Small handlers defined here stand in for
 * endpoints.  Covered: the method check and 405 with Allow, the error
 * envelope and its request_id, Content-Type and size checks on the body,
 * body parsing errors, query parameters, response headers and
 * http_invalid.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "err.h"
#include "http.h"
#include "json.h"

#include "../tap.h"

#define CHUNK	7	/* the most the fake read hands out at once */
#define NENV	16

struct fake {
	const char	*in;		/* the request body */
	size_t		 inlen;
	size_t		 inoff;
	int		 no_read;	/* reading is a test failure */
	int		 reads;		/* calls of read */
	char		*out;		/* everything written */
	size_t		 outlen;
	size_t		 outcap;
	int		 writes;	/* calls of write */
	const char	*env[NENV * 2 + 1]; /* name, value, ..., NULL */
};

/* The fake's read: hand out at most CHUNK bytes of the body. */
static ssize_t
fake_read(void *arg, char *buf, size_t len)
{
	struct fake	*f = arg;
	size_t		 n;

	f->reads++;
	if (f->no_read)
		return -1;
	n = f->inlen - f->inoff;
	if (n > len)
		n = len;
	if (n > CHUNK)
		n = CHUNK;
	memcpy(buf, f->in + f->inoff, n);
	f->inoff += n;
	return (ssize_t)n;
}

/* The fake's write: append to f->out, kept NUL-terminated. */
static int
fake_write(void *arg, const char *buf, size_t len)
{
	struct fake	*f = arg;
	char		*p;

	f->writes++;
	if (f->outlen + len + 1 > f->outcap) {
		f->outcap = (f->outlen + len + 1) * 2;
		if ((p = realloc(f->out, f->outcap)) == NULL)
			bail("out of memory");
		f->out = p;
	}
	memcpy(f->out + f->outlen, buf, len);
	f->outlen += len;
	f->out[f->outlen] = '\0';
	return 0;
}

/* The fake's getenv: look name up in f->env. */
static const char *
fake_getenv(void *arg, const char *name)
{
	struct fake	*f = arg;
	size_t		 i;

	for (i = 0; f->env[i] != NULL; i += 2)
		if (strcmp(f->env[i], name) == 0)
			return f->env[i + 1];
	return NULL;
}

/*
 * Start a request: method, body (may be NULL) and then name/value pairs
 * of further CGI variables, closed by NULL.  UNIQUE_ID is always set.
 */
static void __attribute__((sentinel))
fake_init(struct fake *f, const char *method, const char *in, ...)
{
	va_list		 ap;
	const char	*name;
	size_t		 n = 0;

	memset(f, 0, sizeof(*f));
	f->in = in != NULL ? in : "";
	f->inlen = strlen(f->in);
	f->env[n++] = "UNIQUE_ID";
	f->env[n++] = "req-4711";
	if (method != NULL) {
		f->env[n++] = "REQUEST_METHOD";
		f->env[n++] = method;
	}
	va_start(ap, in);
	while ((name = va_arg(ap, const char *)) != NULL) {
		if (n + 2 >= NENV * 2)
			bail("fake_init: too many variables");
		f->env[n++] = name;
		f->env[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	f->env[n] = NULL;
}

/* Free what the fake collected. */
static void
fake_free(struct fake *f)
{

	free(f->out);
	f->out = NULL;
}

/* A handler of the tests' own: no declaration, just the request. */
typedef enum api_err (*handler_fn)(struct req *r);

/* Call the plain handler arg points to (http_run_fn). */
static enum api_err
plain(struct req *r, const void *arg)
{

	return (*(const handler_fn *)arg)(r);
}

/* Run one request through http_dispatch with handler fn. */
static void
run(struct fake *f, const char *allow, handler_fn fn)
{
	struct http_io	 io;
	struct req	 r;

	io.read = fake_read;
	io.write = fake_write;
	io.getenv = fake_getenv;
	io.arg = f;
	if (http_req_init(&r, &io, NULL) != API_OK)
		bail("http_req_init failed");
	http_dispatch(&r, allow, plain, &fn);
	http_req_free(&r);
}

/* The status line of the response, without CRLF, in a static buffer. */
static const char *
status_line(const struct fake *f)
{
	static char	 buf[128];
	const char	*e;

	if (f->out == NULL || (e = strstr(f->out, "\r\n")) == NULL)
		return "(no response)";
	snprintf(buf, sizeof(buf), "%.*s", (int)(e - f->out), f->out);
	return buf;
}

/*
 * The value of response header name (case-insensitive), in a static
 * buffer; NULL when absent.  *count is how many times it was given.
 */
static const char *
header(const struct fake *f, const char *name, int *count)
{
	static char	 buf[256];
	const char	*p, *e, *end;
	size_t		 len = strlen(name);
	const char	*found = NULL;

	*count = 0;
	if (f->out == NULL || (end = strstr(f->out, "\r\n\r\n")) == NULL)
		return NULL;
	for (p = strstr(f->out, "\r\n") + 2; p < end + 2; p = e + 2) {
		e = strstr(p, "\r\n");
		if ((size_t)(e - p) > len && strncasecmp(p, name, len) == 0 &&
		    p[len] == ':') {
			(*count)++;
			if (found == NULL) {
				snprintf(buf, sizeof(buf), "%.*s",
				    (int)(e - p - len - 2), p + len + 2);
				found = buf;
			}
		}
	}
	return found;
}

/* The response body, after the blank line; NULL when there is none. */
static const char *
body(const struct fake *f)
{
	const char	*p;

	if (f->out == NULL || (p = strstr(f->out, "\r\n\r\n")) == NULL)
		return NULL;
	return p + 4;
}

/*
 * The error envelope of the response: its code, message and
 * request_id, copied into static buffers; the fields member, if any, is
 * returned as a detached tree the caller frees.  Returns 0 when the body
 * is not a well-formed envelope.
 */
static int
envelope(const struct fake *f, const char **code, const char **msg,
    const char **rid, cJSON **fields)
{
	static char	 c[64], m[256], id[64];
	const char	*b;
	cJSON		*root, *e;
	int		 rc = 0;

	*code = *msg = *rid = NULL;
	if (fields != NULL)
		*fields = NULL;
	if ((b = body(f)) == NULL ||
	    json_parse(b, strlen(b), &root) != API_OK)
		return 0;
	e = cJSON_GetObjectItemCaseSensitive(root, "error");
	if (cJSON_IsObject(e) && json_get_string(e, "code") != NULL &&
	    json_get_string(e, "message") != NULL) {
		snprintf(c, sizeof(c), "%s", json_get_string(e, "code"));
		snprintf(m, sizeof(m), "%s", json_get_string(e, "message"));
		*code = c;
		*msg = m;
		if (json_get_string(e, "request_id") != NULL) {
			snprintf(id, sizeof(id), "%s",
			    json_get_string(e, "request_id"));
			*rid = id;
		}
		if (fields != NULL)
			*fields = cJSON_DetachItemFromObjectCaseSensitive(e,
			    "fields");
		rc = 1;
	}
	cJSON_Delete(root);
	return rc;
}

/* Whether Content-Length matches the length of the body. */
static int
length_matches(const struct fake *f)
{
	const char	*cl, *b;
	int		 n;

	if ((cl = header(f, "Content-Length", &n)) == NULL || n != 1 ||
	    (b = body(f)) == NULL)
		return 0;
	return strtoul(cl, NULL, 10) == strlen(b);
}

/* Handlers standing in for endpoints. */

static int		 calls;		/* handler calls */
static enum api_err	 last_er;	/* what a handler saw */

/* Answer 200 {"ok":true}. */
static enum api_err
h_ok(struct req *r)
{

	calls++;
	return http_send_raw(r, 200, "{\"ok\":true}");
}

/* Answer 201 with a built body. */
static enum api_err
h_created(struct req *r)
{
	cJSON		*o;
	enum api_err	 er;

	calls++;
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(o, "id", 42) == NULL ||
	    cJSON_AddStringToObject(o, "name", "caf\xc3\xa9") == NULL) {
		cJSON_Delete(o);
		return API_ENOMEM;
	}
	er = http_send(r, 201, o);
	last_er = http_send(r, 200, o);
	cJSON_Delete(o);
	return er;
}

/* Answer 204 with no body and a cache header of its own. */
static enum api_err
h_nobody(struct req *r)
{

	calls++;
	if (http_header(r, "Cache-Control", "max-age=60") != API_OK ||
	    http_header(r, "Location", "/api/x/1") != API_OK ||
	    http_header(r, "location", "/api/x/2") != API_OK)
		return API_INTERNAL;
	return http_send(r, 204, NULL);
}

/* Read the body; on success echo it back, else return the error. */
static enum api_err
h_body(struct req *r)
{
	cJSON	*obj, *again;

	calls++;
	if ((last_er = http_body_json(r, &obj)) != API_OK) {
		if (obj != NULL)
			last_er = API_INTERNAL;
		/* Asking twice must give the same answer. */
		if (http_body_json(r, &again) != last_er || again != NULL)
			last_er = API_INTERNAL;
		return last_er;
	}
	if (http_body_json(r, &again) != API_OK || again != obj)
		return API_INTERNAL;
	return http_send(r, 200, obj);
}

/* Return an error without responding. */
static enum api_err
h_notfound(struct req *r)
{

	calls++;
	(void)r;
	return API_NOT_FOUND;
}

/* Return an error with a message of its own. */
static enum api_err
h_conflict(struct req *r)
{

	calls++;
	return http_fail(r, API_EMAIL_TAKEN, "that address is taken");
}

/* Return API_OK without responding: a handler bug. */
static enum api_err
h_silent(struct req *r)
{

	calls++;
	(void)r;
	return API_OK;
}

/* Return 401, with the bad-token flag when PATH_INFO says so. */
static enum api_err
h_unauth(struct req *r)
{

	calls++;
	r->bad_token = strcmp(r->path_info, "/bad") == 0;
	return API_UNAUTHORIZED;
}

/* Return validation errors through http_invalid. */
static enum api_err
h_invalid(struct req *r)
{
	cJSON	*f;

	calls++;
	if ((f = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(f, "email",
	    "must be a valid email address") == NULL ||
	    cJSON_AddStringToObject(f, "name", "is required") == NULL) {
		cJSON_Delete(f);
		return API_ENOMEM;
	}
	return http_invalid(r, f);
}

/* Return one field's error through http_invalid_field. */
static enum api_err
h_invalid_field(struct req *r)
{

	calls++;
	return http_invalid_field(r, "title", "is required");
}

/* Look up parameter "q" and answer with it. */
static enum api_err
h_param(struct req *r)
{
	const char	*q;
	cJSON		*o;
	enum api_err	 er;

	calls++;
	if ((last_er = http_param(r, "q", &q)) != API_OK)
		return last_er;
	if ((o = cJSON_CreateObject()) == NULL)
		return API_ENOMEM;
	if (q == NULL)
		cJSON_AddNullToObject(o, "q");
	else
		cJSON_AddStringToObject(o, "q", q);
	er = http_send(r, 200, o);
	cJSON_Delete(o);
	return er;
}

/*
 * Check the status line and the error code of the envelope and that its
 * request_id is the request's UNIQUE_ID; three tests.
 */
static void
is_error(const struct fake *f, const char *status, const char *code,
    const char *what)
{
	const char	*c, *m, *rid;

	is_string(status, status_line(f), "%s", what);
	envelope(f, &c, &m, &rid, NULL);
	is_string(code, c, "...with code %s", code);
	is_string("req-4711", rid, "...and request_id from UNIQUE_ID");
}

/* The method check, 405 and Allow, HEAD with GET. */
static void
test_methods(void)
{
	struct fake	 f;
	const char	*code, *msg, *rid, *allow;
	char		 longallow[301];
	int		 n;

	fake_init(&f, "GET", NULL, NULL);
	calls = 0;
	run(&f, "GET", h_ok);
	is_string("Status: 200 OK", status_line(&f),
	    "GET to a GET endpoint is answered");
	is_int(1, calls, "...by calling the handler once");
	is_string("{\"ok\":true}\n", body(&f), "...with its body");
	ok(length_matches(&f), "...and a matching Content-Length");
	is_int(1, f.writes, "...in a single write");
	fake_free(&f);

	fake_init(&f, "POST", "{}", "CONTENT_TYPE", "application/json", NULL);
	calls = 0;
	run(&f, "GET", h_ok);
	is_string("Status: 405 Method Not Allowed", status_line(&f),
	    "POST to a GET endpoint is 405");
	is_int(0, calls, "...without calling the handler");
	ok(f.inoff == f.inlen, "...and the unread body is drained");
	allow = header(&f, "Allow", &n);
	is_string("GET", allow, "...and says Allow: GET");
	ok(envelope(&f, &code, &msg, &rid, NULL),
	    "...and the body is the JSON error envelope");
	is_string("method_not_allowed", code,
	    "...with code method_not_allowed");
	is_string("method not allowed", msg, "...and the default message");
	is_string("req-4711", rid, "...and request_id equal to UNIQUE_ID");
	is_string("application/json; charset=utf-8",
	    header(&f, "Content-Type", &n), "...as application/json");
	ok(length_matches(&f), "...with a matching Content-Length");
	fake_free(&f);

	fake_init(&f, "DELETE", NULL, NULL);
	run(&f, "GET, PATCH", h_ok);
	is_string("Status: 405 Method Not Allowed", status_line(&f),
	    "DELETE to a GET, PATCH endpoint is 405");
	is_string("GET, PATCH", header(&f, "Allow", &n),
	    "...and Allow lists both methods");
	is_int(1, n, "...once");
	fake_free(&f);

	fake_init(&f, "HEAD", NULL, NULL);
	calls = 0;
	run(&f, "GET", h_ok);
	is_string("Status: 200 OK", status_line(&f),
	    "HEAD is allowed where GET is");
	is_int(1, calls, "...and runs the handler");
	fake_free(&f);

	fake_init(&f, "HEAD", NULL, NULL);
	calls = 0;
	run(&f, "POST", h_ok);
	is_string("Status: 405 Method Not Allowed", status_line(&f),
	    "...but not where only POST is");
	is_int(0, calls, "...and then the handler is not called");
	fake_free(&f);

	fake_init(&f, "PATCH", NULL, NULL);
	run(&f, "GET, PATCH", h_ok);
	is_string("Status: 200 OK", status_line(&f),
	    "PATCH is found at the end of GET, PATCH");
	fake_free(&f);

	fake_init(&f, "POST", NULL, NULL);
	run(&f, "GET,POST", h_ok);
	is_string("Status: 200 OK", status_line(&f),
	    "...and POST in GET,POST without a space");
	fake_free(&f);

	fake_init(&f, "PAT", NULL, NULL);
	run(&f, "GET, PATCH", h_ok);
	is_string("Status: 405 Method Not Allowed", status_line(&f),
	    "PAT does not match inside PATCH");
	fake_free(&f);

	fake_init(&f, "ET", NULL, NULL);
	run(&f, "GET", h_ok);
	is_string("Status: 405 Method Not Allowed", status_line(&f),
	    "...nor ET inside GET");
	fake_free(&f);

	fake_init(&f, "get", NULL, NULL);
	run(&f, "GET", h_ok);
	is_string("Status: 405 Method Not Allowed", status_line(&f),
	    "methods are case-sensitive: get is 405");
	fake_free(&f);

	fake_init(&f, "", NULL, NULL);
	calls = 0;
	run(&f, "GET", h_ok);
	is_string("Status: 405 Method Not Allowed", status_line(&f),
	    "an empty REQUEST_METHOD is 405 (and does not hang)");
	is_int(0, calls, "...without calling the handler");
	fake_free(&f);

	fake_init(&f, NULL, NULL, NULL);
	run(&f, "GET", h_ok);
	is_string("Status: 200 OK", status_line(&f),
	    "no REQUEST_METHOD at all counts as GET");
	fake_free(&f);

	fake_init(&f, "DELETE", NULL, "LECTERN_ALLOW", "GET/POST", NULL);
	run(&f, "GET", h_ok);
	is_string("GET, POST", header(&f, "Allow", &n),
	    "a 405 lists the route's methods from LECTERN_ALLOW");
	fake_free(&f);

	fake_init(&f, "POST", NULL, "LECTERN_ALLOW", "GET/POST", NULL);
	run(&f, "GET", h_ok);
	is_string("Status: 405 Method Not Allowed", status_line(&f),
	    "...but the endpoint still takes only its own methods");
	fake_free(&f);

	memset(longallow, 'X', sizeof(longallow) - 1);
	longallow[sizeof(longallow) - 1] = '\0';
	for (n = 3; n < (int)sizeof(longallow) - 1; n += 4)
		longallow[n] = '/';
	fake_init(&f, "DELETE", NULL, "LECTERN_ALLOW", longallow, NULL);
	run(&f, "GET", h_ok);
	allow = header(&f, "Allow", &n);
	ok(allow != NULL && strlen(allow) > 0 && strlen(allow) < 80,
	    "...and a 300-byte LECTERN_ALLOW is cut, not overflowed");
	fake_free(&f);
}

/* http_is_json_type on its own. */
static void
test_json_type(void)
{
	static const char *const good[] = {
		"application/json",
		"Application/JSON; charset=UTF-8",
		"application/json;charset=\"utf-8\"",
		"application/json; charset=utf-8",
		"APPLICATION/JSON",
		" application/json ",
		"application/json;\tcharset=utf-8",
	};
	static const char *const bad[] = {
		"text/plain",
		"application/json; charset=latin1",
		"application/jsonx",
		"application/json-patch+json",
		"application/x-www-form-urlencoded",
		"application/json;",
		"application/json; charset=utf-8; x=y",
		"application/json; boundary=x",
		"application/json; charset=utf-16",
		"application/json; charset=utf-8x",
		"application/json; charset=\"utf-8",
		"application/",
		"json",
		"",
	};
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ok(http_is_json_type(good[i]), "http_is_json_type accepts %s",
		    good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(!http_is_json_type(bad[i]),
		    "http_is_json_type refuses \"%s\"", bad[i]);
	ok(!http_is_json_type(NULL), "...and a missing Content-Type");
}

/* Content-Type, size and parsing of the body, through dispatch. */
static void
test_body(void)
{
	static const char *const media[] = {
		"text/plain",
		"application/json; charset=latin1",
		"application/jsonx",
	};
	struct fake	 f;
	const char	*code, *msg, *rid;
	char		 big[256];
	size_t		 i;
	int		 n;

	/* The default cap, whatever the caller's environment says. */
	if (unsetenv("LECTERN_MAX_BODY") == -1)
		bail("unsetenv");
	config_reset();

	fake_init(&f, "POST", "{\"a\":[1,\"x\"]}", "CONTENT_TYPE",
	    "Application/JSON; charset=UTF-8", "CONTENT_LENGTH", "13", NULL);
	run(&f, "POST", h_body);
	is_string("Status: 200 OK", status_line(&f),
	    "a JSON object body is read and parsed");
	is_int(API_OK, last_er, "...and http_body_json returns API_OK");
	is_string("{\"a\":[1,\"x\"]}\n", body(&f),
	    "...and the object is whole");
	ok(f.reads >= 2, "...after reading it in pieces");
	fake_free(&f);

	fake_init(&f, "POST", "{\"a\":1}", "CONTENT_TYPE", "application/json",
	    NULL);
	run(&f, "POST", h_body);
	is_string("Status: 200 OK", status_line(&f),
	    "...and so is one without CONTENT_LENGTH, read to the end");
	fake_free(&f);

	fake_init(&f, "POST", "{\"a\":1}", "CONTENT_TYPE", "application/json",
	    "CONTENT_LENGTH", "abc", NULL);
	run(&f, "POST", h_body);
	is_string("Status: 200 OK", status_line(&f),
	    "...and a CONTENT_LENGTH that is not a number is ignored");
	fake_free(&f);

	fake_init(&f, "POST", "{\"a\":1}xxxxxxxxxxxxxxxxxxxx", "CONTENT_TYPE",
	    "application/json", "CONTENT_LENGTH", "7", NULL);
	run(&f, "POST", h_body);
	is_string("Status: 200 OK", status_line(&f),
	    "only CONTENT_LENGTH bytes are read");
	fake_free(&f);

	for (i = 0; i < sizeof(media) / sizeof(media[0]); i++) {
		fake_init(&f, "POST", "{}", "CONTENT_TYPE", media[i],
		    "CONTENT_LENGTH", "2", NULL);
		run(&f, "POST", h_body);
		is_int(API_MEDIA_TYPE, last_er,
		    "Content-Type %s is API_MEDIA_TYPE", media[i]);
		is_error(&f, "Status: 415 Unsupported Media Type",
		    "unsupported_media_type", "...and 415");
		ok(f.inoff == f.inlen,
		    "...and the body is drained only after the decision");
		fake_free(&f);
	}
	fake_init(&f, "POST", "{}", "CONTENT_LENGTH", "2", NULL);
	run(&f, "POST", h_body);
	is_int(API_MEDIA_TYPE, last_er, "a body with no Content-Type is 415");
	fake_free(&f);

	fake_init(&f, "POST", "{}", "CONTENT_TYPE", "application/json",
	    "CONTENT_LENGTH", "65537", NULL);
	f.no_read = 1;
	run(&f, "POST", h_body);
	is_error(&f, "Status: 413 Payload Too Large", "payload_too_large",
	    "CONTENT_LENGTH over the default LECTERN_MAX_BODY is 413");
	is_int(0, f.reads, "...decided without reading");
	fake_free(&f);

	fake_init(&f, "POST", "{}", "CONTENT_TYPE", "text/plain",
	    "CONTENT_LENGTH", "99999999999", NULL);
	f.no_read = 1;
	run(&f, "GET", h_body);
	is_error(&f, "Status: 413 Payload Too Large", "payload_too_large",
	    "...and the size is checked before the type and the method");
	is_int(0, f.reads, "...still without reading");
	fake_free(&f);

	if (setenv("LECTERN_MAX_BODY", "100", 1) == -1)
		bail("setenv");
	config_reset();
	is_int(100, (long long)config_get()->max_body,
	    "LECTERN_MAX_BODY=100 is read after config_reset");

	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[99] = '}';
	big[100] = '\0';
	fake_init(&f, "POST", big, "CONTENT_TYPE", "application/json",
	    "CONTENT_LENGTH", "100", NULL);
	run(&f, "POST", h_body);
	is_string("Status: 200 OK", status_line(&f),
	    "a body of exactly LECTERN_MAX_BODY bytes is accepted");
	fake_free(&f);

	fake_init(&f, "POST", big, "CONTENT_TYPE", "application/json", NULL);
	run(&f, "POST", h_body);
	is_string("Status: 200 OK", status_line(&f),
	    "...and without CONTENT_LENGTH too");
	fake_free(&f);

	big[100] = '}';
	big[99] = ' ';
	big[101] = '\0';
	fake_init(&f, "POST", big, "CONTENT_TYPE", "application/json",
	    "CONTENT_LENGTH", "101", NULL);
	f.no_read = 1;
	run(&f, "POST", h_body);
	is_error(&f, "Status: 413 Payload Too Large", "payload_too_large",
	    "CONTENT_LENGTH of LECTERN_MAX_BODY + 1 is 413");
	is_int(0, f.reads, "...without reading");
	fake_free(&f);

	fake_init(&f, "POST", big, "CONTENT_TYPE", "application/json", NULL);
	run(&f, "POST", h_body);
	is_error(&f, "Status: 413 Payload Too Large", "payload_too_large",
	    "a body of LECTERN_MAX_BODY + 1 without CONTENT_LENGTH is 413");
	fake_free(&f);

	fake_init(&f, "POST", big, "CONTENT_TYPE", "application/json",
	    "CONTENT_LENGTH", "10", NULL);
	run(&f, "POST", h_body);
	is_error(&f, "Status: 400 Bad Request", "invalid_json",
	    "a CONTENT_LENGTH smaller than the body cuts it (invalid_json)");
	ok(f.inoff <= 10, "...and no more than CONTENT_LENGTH is read");
	fake_free(&f);

	if (unsetenv("LECTERN_MAX_BODY") == -1)
		bail("unsetenv");
	config_reset();

	fake_init(&f, "POST", "", "CONTENT_TYPE", "application/json",
	    "CONTENT_LENGTH", "0", NULL);
	run(&f, "POST", h_body);
	is_error(&f, "Status: 400 Bad Request", "invalid_json",
	    "an empty body is invalid_json");
	envelope(&f, &code, &msg, &rid, NULL);
	is_string("a JSON object body is required", msg, "...saying why");
	fake_free(&f);

	fake_init(&f, "POST", "", "CONTENT_LENGTH", "0", NULL);
	run(&f, "POST", h_body);
	is_error(&f, "Status: 400 Bad Request", "invalid_json",
	    "...even with no Content-Type");
	fake_free(&f);

	fake_init(&f, "POST", "", "CONTENT_TYPE", "application/json", NULL);
	run(&f, "POST", h_body);
	is_error(&f, "Status: 400 Bad Request", "invalid_json",
	    "...and with no CONTENT_LENGTH");
	fake_free(&f);

	fake_init(&f, "POST", "[1,2]", "CONTENT_TYPE", "application/json",
	    NULL);
	run(&f, "POST", h_body);
	is_error(&f, "Status: 400 Bad Request", "invalid_json",
	    "a top-level array is invalid_json");
	envelope(&f, &code, &msg, &rid, NULL);
	is_string("the body must be a JSON object", msg, "...saying why");
	is_int(API_INVALID_JSON, last_er,
	    "...and asking http_body_json twice gives the same answer");
	fake_free(&f);

	fake_init(&f, "POST", "\"text\"", "CONTENT_TYPE", "application/json",
	    NULL);
	run(&f, "POST", h_body);
	is_error(&f, "Status: 400 Bad Request", "invalid_json",
	    "...and so is a top-level string");
	fake_free(&f);

	fake_init(&f, "POST", "{\"a\":", "CONTENT_TYPE", "application/json",
	    NULL);
	run(&f, "POST", h_body);
	is_error(&f, "Status: 400 Bad Request", "invalid_json",
	    "broken JSON is 400 invalid_json");
	fake_free(&f);

	fake_init(&f, "POST", "{\"a\":1} x", "CONTENT_TYPE", "application/json",
	    NULL);
	run(&f, "POST", h_body);
	is_error(&f, "Status: 400 Bad Request", "invalid_json",
	    "...and so is trailing garbage");
	fake_free(&f);

	fake_init(&f, "POST", "{\"a\":\"x\\u0000\"}", "CONTENT_TYPE",
	    "application/json", NULL);
	run(&f, "POST", h_body);
	is_error(&f, "Status: 400 Bad Request", "validation_failed",
	    "an escaped NUL is 400 validation_failed");
	envelope(&f, &code, &msg, &rid, NULL);
	is_string("strings must not contain NUL characters", msg,
	    "...saying why");
	ok(header(&f, "Content-Type", &n) != NULL && n == 1,
	    "...with one Content-Type");
	fake_free(&f);
}

/* Query parameters: decoding, malformed escapes, repeats. */
static void
test_params(void)
{
	static const struct {
		const char	*query, *want, *what;
	} good[] = {
		{ "q=a%20b", "a b", "%20 decodes to a space" },
		{ "q=a+b", "a b", "+ decodes to a space" },
		{ "q=%2f%2F", "//", "hex digits of either case decode" },
		{ "q=caf%C3%A9", "caf\xc3\xa9", "UTF-8 escapes decode" },
		{ "x=1&q=two&y=3", "two", "q is found among others" },
		{ "&&q=v&", "v", "empty pieces are skipped" },
		{ "q=", "", "an empty value is \"\"" },
		{ "q", "", "a name without = has the value \"\"" },
		{ "q=a=b", "a=b", "only the first = splits" },
		{ "%71=v", "v", "the name is decoded too" },
	};
	static const struct {
		const char	*query, *what;
	} bad[] = {
		{ "q=%zz", "%zz" },
		{ "q=%4", "%4 at the end" },
		{ "q=%", "% at the end" },
		{ "q=%g0", "%g0" },
		{ "q=a%0ab", "%0a (a control character)" },
		{ "q=%00", "%00 (a NUL byte)" },
		{ "q=%7f", "%7f (DEL)" },
		{ "q=%C3", "a cut UTF-8 sequence" },
		{ "q=%C0%AF", "an overlong UTF-8 form" },
		{ "x=%zz&q=1", "a bad escape in another parameter" },
	};
	struct fake	 f;
	const char	*code, *msg, *rid;
	cJSON		*fields;
	char		 want[128], query[512];
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		fake_init(&f, "GET", NULL, "QUERY_STRING", good[i].query, NULL);
		run(&f, "GET", h_param);
		snprintf(want, sizeof(want), "{\"q\":\"%s\"}\n", good[i].want);
		is_string(want, body(&f), "http_param: %s", good[i].what);
		fake_free(&f);
	}
	fake_init(&f, "GET", NULL, "QUERY_STRING", "x=1", NULL);
	run(&f, "GET", h_param);
	is_string("{\"q\":null}\n", body(&f),
	    "http_param gives NULL for an absent parameter");
	fake_free(&f);
	fake_init(&f, "GET", NULL, NULL);
	run(&f, "GET", h_param);
	is_string("{\"q\":null}\n", body(&f), "...and with no QUERY_STRING");
	fake_free(&f);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fake_init(&f, "GET", NULL, "QUERY_STRING", bad[i].query, NULL);
		run(&f, "GET", h_param);
		is_int(API_INVALID, last_er, "http_param refuses %s",
		    bad[i].what);
		is_string("Status: 400 Bad Request", status_line(&f),
		    "...with 400");
		fake_free(&f);
	}
	fake_init(&f, "GET", NULL, "QUERY_STRING", "q=%zz", NULL);
	run(&f, "GET", h_param);
	envelope(&f, &code, &msg, &rid, NULL);
	is_string("validation_failed", code,
	    "a malformed query is validation_failed");
	is_string("the query string is malformed", msg, "...saying so");
	fake_free(&f);

	fake_init(&f, "GET", NULL, "QUERY_STRING", "q=1&x=2&q=1", NULL);
	run(&f, "GET", h_param);
	is_int(API_INVALID, last_er, "a repeated parameter is refused");
	is_string("Status: 400 Bad Request", status_line(&f), "...with 400");
	envelope(&f, &code, &msg, &rid, &fields);
	is_string("q: is given more than once", msg,
	    "...and the message names it");
	is_string("is given more than once", json_get_string(fields, "q"),
	    "...and so do the fields");
	cJSON_Delete(fields);
	fake_free(&f);

	query[0] = '\0';
	for (i = 0; i < HTTP_QUERY_MAX; i++)
		strcat(query, "a=1&");
	strcat(query, "q=1");
	fake_init(&f, "GET", NULL, "QUERY_STRING", query, NULL);
	run(&f, "GET", h_param);
	is_int(API_INVALID, last_er, "more than %d parameters are refused",
	    HTTP_QUERY_MAX);
	fake_free(&f);
	query[strlen(query) - 7] = '\0';
	strcat(query, "q=1");
	fake_init(&f, "GET", NULL, "QUERY_STRING", query, NULL);
	run(&f, "GET", h_param);
	is_string("{\"q\":\"1\"}\n", body(&f), "...but %d are fine",
	    HTTP_QUERY_MAX);
	fake_free(&f);
}

/* http_send and headers. */
static void
test_send(void)
{
	struct fake	 f;
	const char	*b;
	int		 n;

	fake_init(&f, "POST", NULL, NULL);
	last_er = API_OK;
	run(&f, "POST", h_created);
	ok(strncmp(f.out, "Status: 201 Created\r\n", 21) == 0,
	    "http_send writes \"Status: 201 Created\" first");
	is_string("application/json; charset=utf-8",
	    header(&f, "Content-Type", &n), "...then Content-Type JSON");
	is_int(1, n, "...once");
	is_string("no-store", header(&f, "Cache-Control", &n),
	    "...and Cache-Control: no-store by default");
	b = body(&f);
	is_string("{\"id\":42,\"name\":\"caf\xc3\xa9\"}\n", b,
	    "...and the body, newline-terminated");
	ok(length_matches(&f), "...and a Content-Length of its bytes");
	is_int(API_INTERNAL, last_er, "a second http_send is refused");
	is_int(1, f.writes, "...and writes nothing");
	fake_free(&f);

	fake_init(&f, "DELETE", NULL, NULL);
	run(&f, "DELETE", h_nobody);
	is_string("Status: 204 No Content", status_line(&f),
	    "http_send with no body writes 204");
	ok(header(&f, "Content-Type", &n) == NULL,
	    "...without Content-Type");
	ok(header(&f, "Content-Length", &n) == NULL,
	    "...or Content-Length");
	is_string("", body(&f), "...and nothing after the blank line");
	is_string("max-age=60", header(&f, "Cache-Control", &n),
	    "a handler's Cache-Control replaces no-store");
	is_int(1, n, "...and there is only one");
	is_string("/api/x/2", header(&f, "Location", &n),
	    "a later header of the same name, in any case, replaces it");
	is_int(1, n, "...once");
	fake_free(&f);
}

/* Handlers that return errors, with and without detail. */
static void
test_errors(void)
{
	struct fake	 f;
	const char	*code, *msg, *rid;
	cJSON		*fields;
	int		 n;

	fake_init(&f, "GET", NULL, NULL);
	run(&f, "GET", h_notfound);
	is_error(&f, "Status: 404 Not Found", "not_found",
	    "a returned API_NOT_FOUND is a 404 envelope");
	envelope(&f, &code, &msg, &rid, NULL);
	is_string("not found", msg, "...with the default message");
	is_string("no-store", header(&f, "Cache-Control", &n),
	    "...and Cache-Control: no-store");
	ok(length_matches(&f), "...and a matching Content-Length");
	fake_free(&f);

	fake_init(&f, "POST", NULL, NULL);
	run(&f, "POST", h_conflict);
	is_error(&f, "Status: 409 Conflict", "email_taken",
	    "http_fail's error is sent");
	envelope(&f, &code, &msg, &rid, NULL);
	is_string("that address is taken", msg, "...with its message");
	fake_free(&f);

	fake_init(&f, "GET", NULL, NULL);
	run(&f, "GET", h_silent);
	is_error(&f, "Status: 500 Internal Server Error", "internal",
	    "a handler that answers nothing gets a 500");
	fake_free(&f);

	fake_init(&f, "GET", NULL, NULL);
	run(&f, "GET", h_unauth);
	is_error(&f, "Status: 401 Unauthorized", "unauthorized",
	    "API_UNAUTHORIZED is 401");
	is_string("Bearer", header(&f, "WWW-Authenticate", &n),
	    "...with WWW-Authenticate: Bearer");
	fake_free(&f);

	fake_init(&f, "GET", NULL, "PATH_INFO", "/bad", NULL);
	run(&f, "GET", h_unauth);
	is_string("Bearer error=\"invalid_token\"",
	    header(&f, "WWW-Authenticate", &n),
	    "...and error=\"invalid_token\" after a bad token");
	fake_free(&f);

	fake_init(&f, "POST", NULL, NULL);
	run(&f, "POST", h_invalid);
	is_error(&f, "Status: 400 Bad Request", "validation_failed",
	    "http_invalid gives 400 validation_failed");
	envelope(&f, &code, &msg, &rid, &fields);
	is_string("email: must be a valid email address", msg,
	    "...with the message \"field: why\" of the first field");
	is_string("is required", json_get_string(fields, "name"),
	    "...and every field under fields");
	is_int(2, cJSON_GetArraySize(fields), "...both of them");
	cJSON_Delete(fields);
	fake_free(&f);

	fake_init(&f, "POST", NULL, NULL);
	run(&f, "POST", h_invalid_field);
	is_error(&f, "Status: 400 Bad Request", "validation_failed",
	    "http_invalid_field gives 400 validation_failed");
	envelope(&f, &code, &msg, &rid, &fields);
	is_string("title: is required", msg, "...with \"field: why\"");
	is_string("is required", json_get_string(fields, "title"),
	    "...and the field under fields");
	cJSON_Delete(fields);
	fake_free(&f);
}

/* http_header's limit and http_db without a database. */
static void
test_misc(void)
{
	struct fake	 f;
	struct http_io	 io;
	struct req	 r;
	struct http_dbslot slot;
	struct db	*db = (struct db *)1;
	char		 name[32];
	int		 i, bad = 0;

	fake_init(&f, "GET", NULL, "SCRIPT_NAME", "/cgi-bin/x", NULL);
	io.read = fake_read;
	io.write = fake_write;
	io.getenv = fake_getenv;
	io.arg = &f;
	if (http_req_init(&r, &io, NULL) != API_OK)
		bail("http_req_init failed");
	is_string("GET", r.method, "http_req_init reads REQUEST_METHOD");
	is_string("req-4711", r.request_id, "...and UNIQUE_ID");
	is_string("", r.query, "...and gives \"\" for no QUERY_STRING");
	is_int(-1, r.content_length, "...and -1 for no CONTENT_LENGTH");
	is_string("/cgi-bin/x", http_getenv(&r, "SCRIPT_NAME"),
	    "http_getenv asks the io's getenv");
	for (i = 0; i < HTTP_HDR_MAX; i++) {
		snprintf(name, sizeof(name), "X-H%d", i);
		if (http_header(&r, name, "v") != API_OK)
			bad++;
	}
	is_int(0, bad, "http_header takes %d headers", HTTP_HDR_MAX);
	is_int(API_INTERNAL, http_header(&r, "X-One-More", "v"),
	    "...and refuses one more");
	is_int(API_OK, http_header(&r, "x-h0", "w"),
	    "...but still replaces an existing one");
	is_int(API_INTERNAL, http_db(&r, &db),
	    "http_db without a connection slot is API_INTERNAL");
	ok(db == NULL, "...and sets *db to NULL");
	http_req_free(&r);
	fake_free(&f);

	if (unsetenv("LECTERN_DATABASE_URL") == -1 ||
	    unsetenv("DATABASE_URL") == -1)
		bail("unsetenv");
	config_reset();
	fake_init(&f, "GET", NULL, NULL);
	memset(&slot, 0, sizeof(slot));
	if (http_req_init(&r, &io, &slot) != API_OK)
		bail("http_req_init failed");
	is_int(API_UNAVAILABLE, http_db(&r, &db),
	    "http_db with no database URL is API_UNAVAILABLE");
	ok(db == NULL && slot.db == NULL, "...and leaves both pointers NULL");
	http_req_free(&r);
	fake_free(&f);
}

int
main(void)
{

	/* A hang in the method check or the read loop is a failure. */
	alarm(60);
	plan(33 + 22 + 74 + 40 + 16 + 29 + 12);
	test_methods();
	test_json_type();
	test_body();
	test_params();
	test_send();
	test_errors();
	test_misc();
	return tap_status();
}

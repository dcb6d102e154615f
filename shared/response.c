/*
 * lectern — http: what a request sends back.  The response is assembled
 * in memory and written at once with its Content-Length, so a failure
 * half-way never leaves half a response; it is held in struct req until
 * the handler's transaction is over (http_flush).  Also the ETag of
 * public content and the JSON error envelope.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "json.h"
#include "log.h"

/*
 * Copy the body file of the response held in r to the client.  Returns
 * 0, or -1 when reading or writing failed (the response is then cut
 * short; its Content-Length tells the client so).
 */
static int
flush_file(struct req *r)
{
	char		 buf[65536];
	long long	 left = r->out_fd_len;
	ssize_t		 n;

	while (left > 0) {
		n = read(r->out_fd, buf, left < (long long)sizeof(buf) ?
		    (size_t)left : sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || r->io->write(r->io->arg, buf, (size_t)n) == -1)
			return -1;
		left -= n;
	}
	return 0;
}

/* Close the body file of r's response, if any. */
static void
close_file(struct req *r)
{

	if (r->out_file)
		close(r->out_fd);
	r->out_file = 0;
	r->out_fd = -1;
	r->out_fd_len = 0;
}

void
http_flush(struct req *r)
{

	if (r->out == NULL)
		return;
	if (r->io->write(r->io->arg, r->out, r->out_len) == -1 ||
	    (r->out_file && flush_file(r) == -1))
		log_event(LOG_LVL_WARN, r->request_id, "response_write_failed",
		    NULL);
	close_file(r);
	free(r->out);
	r->out = NULL;
	r->out_len = 0;
}

void
http_unsend(struct req *r)
{

	close_file(r);
	free(r->out);
	r->out = NULL;
	r->out_len = 0;
	r->responded = 0;
}

enum api_err
http_header(struct req *r, const char *name, const char *value)
{
	size_t	 i;

	/* A later value replaces an earlier one. */
	for (i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0) {
			free(r->hdrs[i].value);
			if ((r->hdrs[i].value = strdup(value)) == NULL)
				return API_ENOMEM;
			return API_OK;
		}
	if (r->nhdrs == HTTP_HDR_MAX) {
		log_event(LOG_LVL_ERROR, r->request_id, "too_many_headers",
		    NULL);
		return API_INTERNAL;
	}
	if ((r->hdrs[r->nhdrs].name = strdup(name)) == NULL)
		return API_ENOMEM;
	if ((r->hdrs[r->nhdrs].value = strdup(value)) == NULL) {
		free(r->hdrs[r->nhdrs].name);
		return API_ENOMEM;
	}
	r->nhdrs++;
	return API_OK;
}

static int
has_header(const struct req *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0)
			return 1;
	return 0;
}

/*
 * Hold the response: status, the headers set so far, and, when body is
 * not NULL, Content-Type type and body (blen bytes; nl: one newline
 * added).  Returns API_OK, API_ENOMEM, or API_INTERNAL when a response
 * is already held.
 */
static enum api_err
send_body(struct req *r, int status, const char *type, const char *body,
    size_t blen, int nl)
{
	char	*buf;
	size_t	 size, len, i;
	int	 n;

	if (r->responded)
		return API_INTERNAL;
	if (body == NULL)
		blen = 0;
	size = 256 + strlen(type) + blen;
	for (i = 0; i < r->nhdrs; i++)
		size += strlen(r->hdrs[i].name) + strlen(r->hdrs[i].value) + 4;
	if ((buf = malloc(size)) == NULL) {
		log_warnx("http_send: out of memory");
		return API_ENOMEM;
	}
	n = snprintf(buf, size, "Status: %d %s\r\n", status,
	    api_reason(status));
	len = (size_t)n;
	for (i = 0; i < r->nhdrs; i++) {
		n = snprintf(buf + len, size - len, "%s: %s\r\n",
		    r->hdrs[i].name, r->hdrs[i].value);
		len += (size_t)n;
	}
	if (!has_header(r, "Cache-Control"))
		len += (size_t)snprintf(buf + len, size - len,
		    "Cache-Control: no-store\r\n");
	if (r->out_file)
		len += (size_t)snprintf(buf + len, size - len,
		    "Content-Type: %s\r\n"
		    "Content-Length: %lld\r\n\r\n", type, r->out_fd_len);
	else if (body != NULL)
		len += (size_t)snprintf(buf + len, size - len,
		    "Content-Type: %s\r\n"
		    "Content-Length: %zu\r\n\r\n", type, blen + (nl ? 1 : 0));
	else
		len += (size_t)snprintf(buf + len, size - len, "\r\n");
	if (body != NULL) {
		memcpy(buf + len, body, blen);
		len += blen;
		if (nl)
			buf[len++] = '\n';
	}
	/* Held until http_dispatch has committed: see http_flush. */
	r->responded = 1;
	r->out = buf;
	r->out_len = len;
	return API_OK;
}

enum api_err
http_send_raw(struct req *r, int status, const char *json)
{

	return send_body(r, status, "application/json; charset=utf-8", json,
	    json != NULL ? strlen(json) : 0, 1);
}

enum api_err
http_send_text(struct req *r, int status, const char *type,
    const void *body, size_t len)
{

	return send_body(r, status, type, body, len, 0);
}

enum api_err
http_send_file(struct req *r, int status, const char *type, int fd,
    long long len)
{
	enum api_err	 er;

	if (r->responded || len < 0) {
		close(fd);
		return API_INTERNAL;
	}
	r->out_file = 1;
	r->out_fd = fd;
	r->out_fd_len = len;
	if ((er = send_body(r, status, type, NULL, 0, 0)) != API_OK)
		close_file(r);
	return er;
}

enum api_err
http_send(struct req *r, int status, const cJSON *body)
{
	char		*s = NULL;
	enum api_err	 er;

	if (body != NULL && (s = json_emit(body)) == NULL)
		return API_ENOMEM;
	er = http_send_raw(r, status, s);
	cJSON_free(s);
	return er;
}

enum api_err
http_send_created(struct req *r, const cJSON *body, const char *fmt, ...)
{
	va_list		 ap;
	char		 loc[256];
	int		 n;
	enum api_err	 er;

	va_start(ap, fmt);
	n = vsnprintf(loc, sizeof(loc), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(loc)) {
		log_warnx("http_send_created: Location too long");
		return API_INTERNAL;
	}
	if ((er = http_header(r, "Location", loc)) != API_OK)
		return er;
	return http_send(r, 201, body);
}

/*
 * Whether the If-None-Match header value inm names etag: a
 * comma-separated list of tags (weak ones compared weakly) or "*".
 */
static int
etag_matches(const char *inm, const char *etag)
{
	const char	*p, *end;
	size_t		 len, elen = strlen(etag);

	for (p = inm; *p != '\0'; p = *end ? end + 1 : end) {
		while (*p == ' ' || *p == '\t')
			p++;
		if ((end = strchr(p, ',')) == NULL)
			end = p + strlen(p);
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 1 && *p == '*')
			return 1;
		if (len > 2 && strncmp(p, "W/", 2) == 0) {
			p += 2;
			len -= 2;
		}
		if (len == elen && strncmp(p, etag, len) == 0)
			return 1;
	}
	return 0;
}

/*
 * A 64-bit FNV-1a digest of s as an ETag ("\"<16 hex>\"").  Not a
 * security boundary: it only names a version of public content.
 */
static void
make_etag(const char *s, char *buf, size_t size)
{
	unsigned long long	 h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	snprintf(buf, size, "\"%016llx\"", h);
}

enum api_err
http_send_etag_text(struct req *r, const char *s)
{
	char		 etag[24];

	make_etag(s, etag, sizeof(etag));
	(void)http_header(r, "ETag", etag);
	if (!has_header(r, "Cache-Control"))
		(void)http_header(r, "Cache-Control", "no-cache");
	if (r->if_none_match != NULL && etag_matches(r->if_none_match, etag))
		return http_send_raw(r, 304, NULL);
	return http_send_raw(r, 200, s);
}

enum api_err
http_send_etag(struct req *r, const cJSON *body)
{
	char		*s;
	enum api_err	 er;

	if ((s = json_emit(body)) == NULL)
		return API_ENOMEM;
	er = http_send_etag_text(r, s);
	cJSON_free(s);
	return er;
}

enum api_err
http_fail(struct req *r, enum api_err er, const char *msg)
{

	free(r->err_msg);
	r->err_msg = msg != NULL ? strdup(msg) : NULL;
	return er;
}

enum api_err
http_invalid(struct req *r, cJSON *fields)
{
	const cJSON	*first;
	char		 msg[256];

	cJSON_Delete(r->err_fields);
	r->err_fields = fields;
	first = fields != NULL ? fields->child : NULL;
	if (first != NULL && cJSON_IsString(first)) {
		snprintf(msg, sizeof(msg), "%s: %s", first->string,
		    first->valuestring);
		(void)http_fail(r, API_INVALID, msg);
	}
	return API_INVALID;
}

enum api_err
http_invalid_field(struct req *r, const char *field, const char *why)
{
	cJSON	*f;

	if ((f = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(f, field, why) == NULL) {
		cJSON_Delete(f);
		return API_ENOMEM;
	}
	return http_invalid(r, f);
}

void
http_record_error(struct req *r, int status, const char *code,
    const char *msg)
{

	if (r->slot != NULL && r->slot->record != NULL)
		r->slot->record(r, status, code, msg);
}

void
http_error(struct req *r, enum api_err er)
{
	cJSON		*root, *e;
	const char	*msg;
	char		 full[1000];
	int		 status;

	status = api_http_status(er);
	msg = r->err_msg != NULL ? r->err_msg : api_message(er);
	if (status >= 500) {
		log_event(LOG_LVL_ERROR, r->request_id, "server_error",
		    "status", api_reason(status), "code", api_strerror(er),
		    "method", r->method, "message", msg,
		    "cause", r->err_cause != NULL ? r->err_cause : "-", NULL);
		if (r->err_cause != NULL &&
		    snprintf(full, sizeof(full), "%s (%s)", msg,
		    r->err_cause) > 0)
			http_record_error(r, status, api_strerror(er), full);
		else
			http_record_error(r, status, api_strerror(er), msg);
	}
	if (er == API_METHOD && r->allow != NULL)
		(void)http_header(r, "Allow", r->allow);
	if (er == API_UNAUTHORIZED && r->bad_token)
		(void)http_header(r, "WWW-Authenticate",
		    "Bearer error=\"invalid_token\"");
	else if (er == API_UNAUTHORIZED)
		(void)http_header(r, "WWW-Authenticate", "Bearer");
	if ((root = cJSON_CreateObject()) == NULL ||
	    (e = cJSON_AddObjectToObject(root, "error")) == NULL ||
	    cJSON_AddStringToObject(e, "code", api_strerror(er)) == NULL ||
	    cJSON_AddStringToObject(e, "message", msg) == NULL)
		goto bare;
	if (r->err_fields != NULL) {
		cJSON_AddItemToObject(e, "fields", r->err_fields);
		r->err_fields = NULL;
	}
	if (cJSON_AddStringToObject(e, "request_id", r->request_id) == NULL)
		goto bare;
	if (http_send(r, status, root) != API_OK)
		goto bare;
	cJSON_Delete(root);
	return;
bare:
	cJSON_Delete(root);
	if (!r->responded)
		(void)http_send_raw(r, 500,
		    "{\"error\":{\"code\":\"internal\","
		    "\"message\":\"internal error\"}}");
}

void
http_cause(struct req *r, const char *cause)
{

	free(r->err_cause);
	if ((r->err_cause = strdup(cause)) == NULL)
		log_warnx("http_cause: out of memory");
}

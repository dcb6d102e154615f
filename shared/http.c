/*
 * lectern — http: the CGI side of a request.
 *
 * The response is assembled in memory and written at once with its
 * Content-Length, so a failure half-way never leaves half a response.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <fcgiapp.h>

#include "conf.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "valid.h"

extern char	**environ;

static enum api_err	read_body(struct req *, size_t);

static ssize_t
cgi_read(void *arg, char *buf, size_t len)
{
	ssize_t	 n;

	(void)arg;
	do
		n = read(STDIN_FILENO, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static int
cgi_write(void *arg, const char *buf, size_t len)
{
	ssize_t	 n;

	(void)arg;
	while (len > 0) {
		n = write(STDOUT_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static const char *
cgi_getenv(void *arg, const char *name)
{

	(void)arg;
	return getenv(name);
}

static const struct http_io cgi_io = {
	cgi_read, cgi_write, cgi_getenv, NULL
};

/*
 * FastCGI: the request's stream and parameters through libfcgi.
 */
static ssize_t
fcgi_read(void *arg, char *buf, size_t len)
{
	FCGX_Request	*fr = arg;
	int		 n;

	n = FCGX_GetStr(buf, len > INT_MAX ? INT_MAX : (int)len, fr->in);
	return n < 0 ? -1 : (ssize_t)n;
}

static int
fcgi_write(void *arg, const char *buf, size_t len)
{
	FCGX_Request	*fr = arg;

	if (len > INT_MAX)
		return -1;
	return FCGX_PutStr(buf, (int)len, fr->out) == (int)len ? 0 : -1;
}

static const char *
fcgi_getenv(void *arg, const char *name)
{
	FCGX_Request	*fr = arg;

	return FCGX_GetParam(name, fr->envp);
}

/*
 * Under mod_fcgid, Apache's SetEnv/PassEnv settings arrive as request
 * parameters, not in the process's environment.  Copy the LECTERN_*
 * ones into the environment the configuration is read from, and forget
 * the cached configuration when one changed.
 */
static void
import_settings(FCGX_ParamArray envp)
{
	char		*eq, name[128];
	const char	*old;
	size_t		 len;
	int		 changed = 0;

	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, "LECTERN_", 8) != 0 ||
		    (eq = strchr(*envp, '=')) == NULL ||
		    (len = (size_t)(eq - *envp)) >= sizeof(name))
			continue;
		memcpy(name, *envp, len);
		name[len] = '\0';
		if ((old = getenv(name)) != NULL && strcmp(old, eq + 1) == 0)
			continue;
		if (setenv(name, eq + 1, 1) == 0)
			changed = 1;
	}
	if (changed)
		config_reset();
}

/* One request through io; the slot survives it. */
static void
serve(const struct http_io *io, struct http_dbslot *slot, const char *allow,
    http_run_fn fn, const void *arg)
{
	struct req	 r;

	if (http_req_init(&r, io, slot) != API_OK) {
		static const char bare[] = "Status: 500 Internal Server Error\r\n"
		    "Content-Type: application/json\r\n\r\n"
		    "{\"error\":{\"code\":\"internal\","
		    "\"message\":\"internal error\"}}";

		(void)io->write(io->arg, bare, sizeof(bare) - 1);
		return;
	}
	http_dispatch(&r, allow, fn, arg);
	http_req_free(&r);
}

int
http_serve(const char *allow, http_run_fn fn, const void *arg)
{
	struct http_dbslot	 slot;
	FCGX_Request		 fr;
	struct http_io		 io;

	memset(&slot, 0, sizeof(slot));
	if (FCGX_IsCGI())
		serve(&cgi_io, &slot, allow, fn, arg);
	else {
		if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
			log_warnx("FastCGI set-up failed");
			return 1;
		}
		io.read = fcgi_read;
		io.write = fcgi_write;
		io.getenv = fcgi_getenv;
		io.arg = &fr;
		while (FCGX_Accept_r(&fr) >= 0) {
			import_settings(fr.envp);
			serve(&io, &slot, allow, fn, arg);
			FCGX_Finish_r(&fr);
		}
	}
	if (slot.close != NULL)
		slot.close(&slot);
	return 0;
}

const char *
http_getenv(const struct req *r, const char *name)
{

	return r->io->getenv(r->io->arg, name);
}

enum api_err
http_req_init(struct req *r, const struct http_io *io,
    struct http_dbslot *slot)
{
	const char	*s;
	char		*end;

	memset(r, 0, sizeof(*r));
	r->io = io;
	r->slot = slot;
	r->method = http_getenv(r, "REQUEST_METHOD");
	if (r->method == NULL)
		r->method = "GET";
	if ((r->path_info = http_getenv(r, "PATH_INFO")) == NULL)
		r->path_info = "";
	if ((r->query = http_getenv(r, "QUERY_STRING")) == NULL)
		r->query = "";
	r->content_type = http_getenv(r, "CONTENT_TYPE");
	r->content_length = -1;
	s = http_getenv(r, "CONTENT_LENGTH");
	if (s != NULL && *s != '\0') {
		errno = 0;
		r->content_length = strtoll(s, &end, 10);
		if (errno != 0 || *end != '\0' || r->content_length < 0)
			r->content_length = -1;
	}
	r->authorization = http_getenv(r, "HTTP_AUTHORIZATION");
	if ((r->remote_addr = http_getenv(r, "REMOTE_ADDR")) == NULL)
		r->remote_addr = "";
	if ((r->request_id = http_getenv(r, "UNIQUE_ID")) == NULL)
		r->request_id = "-";
	r->if_none_match = http_getenv(r, "HTTP_IF_NONE_MATCH");
	return API_OK;
}

void
http_req_free(struct req *r)
{
	size_t	 i;

	if (r->body != NULL) {
		/* Bodies carry passwords and tokens. */
		explicit_bzero(r->body, r->body_len);
		free(r->body);
	}
	cJSON_Delete(r->json);
	for (i = 0; i < r->nparams; i++) {
		free(r->params[i].name);
		free(r->params[i].value);
	}
	for (i = 0; i < r->nhdrs; i++) {
		free(r->hdrs[i].name);
		free(r->hdrs[i].value);
	}
	free(r->err_msg);
	cJSON_Delete(r->err_fields);
	free(r->out);
	memset(r, 0, sizeof(*r));
}

/*
 * Whether method is in the comma-separated list allow; HEAD counts as
 * GET.
 */
static int
method_allowed(const char *allow, const char *method)
{
	const char	*p;
	size_t		 len;

	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	/* An empty method would match everywhere and never advance. */
	if ((len = strlen(method)) == 0)
		return 0;
	for (p = allow; (p = strstr(p, method)) != NULL; p += len)
		if ((p == allow || p[-1] == ' ' || p[-1] == ',') &&
		    (p[len] == '\0' || p[len] == ',' || p[len] == ' '))
			return 1;
	return 0;
}

/*
 * The methods of the whole path for a 405.  When several executables
 * serve one path, the route table sets LECTERN_ALLOW ("GET/POST") on
 * the one that answers for methods none of them takes.
 */
static const char *
path_allow(struct req *r, const char *allow)
{
	const char	*routed;
	size_t		 i, o;

	routed = http_getenv(r, "LECTERN_ALLOW");
	if (routed == NULL || *routed == '\0')
		return allow;
	for (i = o = 0; routed[i] != '\0' && o + 3 < sizeof(r->allowbuf); i++) {
		if (routed[i] == '/') {
			r->allowbuf[o++] = ',';
			r->allowbuf[o++] = ' ';
		} else
			r->allowbuf[o++] = routed[i];
	}
	r->allowbuf[o] = '\0';
	return r->allowbuf;
}

/* Call a plain handler (http_main) through the http_run_fn shape. */
static enum api_err
call_plain(struct req *r, const void *arg)
{

	return (*(const http_handler *)arg)(r);
}

int
http_main(const char *allow, http_handler fn)
{

	return http_serve(allow, call_plain, &fn);
}

void
http_dispatch(struct req *r, const char *allow, http_run_fn fn,
    const void *arg)
{
	enum api_err	 er;

	r->allow = path_allow(r, allow);
	if (r->content_length > (long long)config_get()->max_body)
		/* Apache's LimitRequestBody says so first under mod_cgid;
		 * under mod_fcgid the body may arrive here. */
		er = API_TOO_LARGE;
	else if (!method_allowed(allow, r->method))
		er = API_METHOD;
	else
		er = fn(r, arg);
	if (r->slot != NULL && r->slot->after != NULL)
		r->slot->after(r->slot);
	/*
	 * Consume a body nobody read: Apache writes the whole body to the
	 * CGI, and a CGI that exits first turns a clean answer into a
	 * broken pipe.
	 */
	if (r->body == NULL && r->content_length != 0)
		(void)read_body(r, config_get()->max_body);
	if (!r->responded) {
		if (er == API_OK) {
			log_event(LOG_LVL_ERROR, r->request_id, "no_response",
			    NULL);
			er = API_INTERNAL;
		}
		http_error(r, er);
	}
	http_flush(r);
}

void
http_flush(struct req *r)
{

	if (r->out == NULL)
		return;
	if (r->io->write(r->io->arg, r->out, r->out_len) == -1)
		log_event(LOG_LVL_WARN, r->request_id, "response_write_failed",
		    NULL);
	free(r->out);
	r->out = NULL;
	r->out_len = 0;
}

void
http_unsend(struct req *r)
{

	free(r->out);
	r->out = NULL;
	r->out_len = 0;
	r->responded = 0;
}

int
http_is_json_type(const char *ct)
{
	const char	*p;
	size_t		 n;

	if (ct == NULL)
		return 0;
	while (*ct == ' ')
		ct++;
	n = strlen("application/json");
	if (strncasecmp(ct, "application/json", n) != 0)
		return 0;
	p = ct + n;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0')
		return 1;
	if (*p++ != ';')
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncasecmp(p, "charset=", 8) != 0)
		return 0;
	p += 8;
	if (strncasecmp(p, "utf-8", 5) == 0)
		p += 5;
	else if (strncasecmp(p, "\"utf-8\"", 7) == 0)
		p += 7;
	else
		return 0;
	while (*p == ' ' || *p == '\t')
		p++;
	return *p == '\0';
}

/*
 * Read the body into r->body, at most max bytes.  Returns API_OK,
 * API_TOO_LARGE or API_ENOMEM.
 */
static enum api_err
read_body(struct req *r, size_t max)
{
	size_t	 cap, len = 0;
	ssize_t	 n;
	char	*buf, *nbuf;

	if (r->content_length > (long long)max)
		return API_TOO_LARGE;
	if (r->content_length == 0) {
		if ((r->body = strdup("")) == NULL)
			return API_ENOMEM;
		return API_OK;
	}
	cap = r->content_length > 0 ? (size_t)r->content_length + 1 : 4096;
	if ((buf = malloc(cap)) == NULL)
		return API_ENOMEM;
	for (;;) {
		if (len + 1 >= cap) {
			if (cap > max + 1) {
				explicit_bzero(buf, len);
				free(buf);
				return API_TOO_LARGE;
			}
			cap *= 2;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				free(buf);
				return API_ENOMEM;
			}
			buf = nbuf;
		}
		n = r->io->read(r->io->arg, buf + len, cap - len - 1);
		if (n < 0) {
			log_event(LOG_LVL_WARN, r->request_id,
			    "body_read_failed", NULL);
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			explicit_bzero(buf, len);
			free(buf);
			return API_TOO_LARGE;
		}
		if (r->content_length >= 0 &&
		    len >= (size_t)r->content_length)
			break;
	}
	buf[len] = '\0';
	r->body = buf;
	r->body_len = len;
	return API_OK;
}

enum api_err
http_body_raw(struct req *r, const char **buf, size_t *len)
{
	enum api_err	 er;

	*buf = NULL;
	*len = 0;
	if (r->content_length > (long long)config_get()->max_body)
		return API_TOO_LARGE;
	if (r->content_length != 0 && !http_is_json_type(r->content_type))
		return API_MEDIA_TYPE;
	if (r->body == NULL &&
	    (er = read_body(r, config_get()->max_body)) != API_OK) {
		/* Remember it: reading again would return the body's tail. */
		if (er == API_TOO_LARGE)
			r->content_length =
			    (long long)config_get()->max_body + 1;
		return er;
	}
	*buf = r->body;
	*len = r->body_len;
	return API_OK;
}

enum api_err
http_body_json(struct req *r, cJSON **obj)
{
	const char	*buf;
	size_t		 len;
	enum api_err	 er;

	*obj = NULL;
	if (r->json != NULL) {
		*obj = r->json;
		return API_OK;
	}
	if ((er = http_body_raw(r, &buf, &len)) != API_OK)
		return er;
	if (len == 0)
		return http_fail(r, API_INVALID_JSON,
		    "a JSON object body is required");
	er = json_parse(buf, len, &r->json);
	if (er == API_INVALID)
		return http_fail(r, er,
		    "strings must not contain NUL characters");
	if (er != API_OK)
		return er;
	if (!cJSON_IsObject(r->json)) {
		/* Not cached: a second call must not return it as an object. */
		cJSON_Delete(r->json);
		r->json = NULL;
		return http_fail(r, API_INVALID_JSON,
		    "the body must be a JSON object");
	}
	*obj = r->json;
	return API_OK;
}

static int
hexval(int c)
{

	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Percent-decode len bytes of s ('+' is a space).  Returns an allocated
 * string, or NULL when it is malformed, holds a control character or is
 * not UTF-8 (*enomem tells the two apart).
 */
static char *
pct_decode(const char *s, size_t len, int *enomem)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	*enomem = 0;
	if ((out = malloc(len + 1)) == NULL) {
		*enomem = 1;
		return NULL;
	}
	for (i = 0, o = out; i < len; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%') {
			if (i + 2 >= len)
				goto bad;
			hi = hexval((unsigned char)s[i + 1]);
			lo = hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				goto bad;
			*o++ = (char)(hi * 16 + lo);
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	if ((size_t)(o - out) != strlen(out) || !valid_text(out, 0))
		goto bad;
	return out;
bad:
	free(out);
	return NULL;
}

/* Split r->query into r->params.  Returns API_OK, API_INVALID, API_ENOMEM. */
static enum api_err
parse_query(struct req *r)
{
	const char	*p, *amp, *eq;
	char		*name, *value;
	int		 enomem;

	if (r->params_state != 0)
		return r->params_state > 0 ? API_OK : API_INVALID;
	r->params_state = -1;
	for (p = r->query; *p != '\0'; p = *amp ? amp + 1 : amp) {
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		if (amp == p)
			continue;
		if (r->nparams == HTTP_QUERY_MAX)
			return API_INVALID;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL)
			eq = amp;
		name = pct_decode(p, (size_t)(eq - p), &enomem);
		value = pct_decode(eq == amp ? eq : eq + 1,
		    eq == amp ? 0 : (size_t)(amp - eq - 1), &enomem);
		if (name == NULL || value == NULL) {
			free(name);
			free(value);
			return enomem ? API_ENOMEM : API_INVALID;
		}
		r->params[r->nparams].name = name;
		r->params[r->nparams].value = value;
		r->nparams++;
	}
	r->params_state = 1;
	return API_OK;
}

enum api_err
http_param(struct req *r, const char *name, const char **val)
{
	size_t		 i;
	enum api_err	 er;
	cJSON		*f;

	*val = NULL;
	if ((er = parse_query(r)) == API_ENOMEM)
		return er;
	if (er != API_OK)
		return http_fail(r, API_INVALID,
		    "the query string is malformed");
	for (i = 0; i < r->nparams; i++) {
		if (strcmp(r->params[i].name, name) != 0)
			continue;
		if (*val != NULL) {
			if ((f = cJSON_CreateObject()) == NULL ||
			    cJSON_AddStringToObject(f, name,
			    "is given more than once") == NULL) {
				cJSON_Delete(f);
				return API_ENOMEM;
			}
			*val = NULL;
			return http_invalid(r, f);
		}
		*val = r->params[i].value;
	}
	return API_OK;
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

enum api_err
http_send_raw(struct req *r, int status, const char *json)
{
	char	*buf;
	size_t	 size, len, blen, i;
	int	 n;

	if (r->responded)
		return API_INTERNAL;
	blen = json != NULL ? strlen(json) : 0;
	size = 256 + blen;
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
	if (json != NULL)
		len += (size_t)snprintf(buf + len, size - len,
		    "Content-Type: application/json; charset=utf-8\r\n"
		    "Content-Length: %zu\r\n\r\n", blen + 1);
	else
		len += (size_t)snprintf(buf + len, size - len, "\r\n");
	if (json != NULL) {
		memcpy(buf + len, json, blen);
		len += blen;
		buf[len++] = '\n';
	}
	/* Held until http_dispatch has committed: see http_flush. */
	r->responded = 1;
	r->out = buf;
	r->out_len = len;
	return API_OK;
}

enum api_err
http_send_bytes(struct req *r, const char *ctype, const void *body,
    size_t blen)
{
	char	*buf;
	size_t	 size, len, i;

	if (r->responded)
		return API_INTERNAL;
	size = 256 + strlen(ctype) + blen;
	for (i = 0; i < r->nhdrs; i++)
		size += strlen(r->hdrs[i].name) + strlen(r->hdrs[i].value) + 4;
	if ((buf = malloc(size)) == NULL) {
		log_warnx("http_send_bytes: out of memory");
		return API_ENOMEM;
	}
	len = (size_t)snprintf(buf, size, "Status: 200 OK\r\n");
	for (i = 0; i < r->nhdrs; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s: %s\r\n",
		    r->hdrs[i].name, r->hdrs[i].value);
	if (!has_header(r, "Cache-Control"))
		len += (size_t)snprintf(buf + len, size - len,
		    "Cache-Control: no-store\r\n");
	len += (size_t)snprintf(buf + len, size - len,
	    "Content-Type: %s\r\nContent-Length: %zu\r\n\r\n", ctype, blen);
	memcpy(buf + len, body, blen);
	len += blen;
	/* Held until http_dispatch has committed: see http_flush. */
	r->responded = 1;
	r->out = buf;
	r->out_len = len;
	return API_OK;
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
http_send_etag(struct req *r, const cJSON *body)
{
	char		*s;
	char		 etag[24];
	enum api_err	 er;

	if ((s = json_emit(body)) == NULL)
		return API_ENOMEM;
	make_etag(s, etag, sizeof(etag));
	(void)http_header(r, "ETag", etag);
	if (!has_header(r, "Cache-Control"))
		(void)http_header(r, "Cache-Control", "no-cache");
	if (r->if_none_match != NULL && etag_matches(r->if_none_match, etag))
		er = http_send_raw(r, 304, NULL);
	else
		er = http_send_raw(r, 200, s);
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

void
http_record_error(struct req *r, int status, const char *code,
    const char *msg)
{

	if (r->slot != NULL && r->slot->record != NULL)
		r->slot->record(r, status, code, msg);
}

enum api_err
http_paging(struct req *r, long long *page, long long *per_page)
{
	const char	*p, *pp;
	cJSON		*errs;
	enum api_err	 er;

	if ((er = http_param(r, "page", &p)) != API_OK ||
	    (er = http_param(r, "per_page", &pp)) != API_OK)
		return er;
	er = valid_paging(p, pp, page, per_page, &errs);
	return er == API_INVALID ? http_invalid(r, errs) : er;
}

/*
 * Append to buf a percent-encoded copy of s (RFC 3986 unreserved
 * characters kept).
 */
static void
pct_append(char *buf, size_t size, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 len = strlen(buf);
	unsigned char		 c;

	for (; *s != '\0' && len + 4 < size; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			buf[len++] = (char)c;
		else {
			buf[len++] = '%';
			buf[len++] = hex[c >> 4];
			buf[len++] = hex[c & 15];
		}
	}
	buf[len] = '\0';
}

/* The URL of page p of this list: path, other parameters, page, per_page. */
static void
page_url(struct req *r, char *buf, size_t size, long long p, long long pp)
{
	const char	*uri = http_getenv(r, "REQUEST_URI"), *q;
	size_t		 i, len;

	if (uri == NULL)
		uri = "";
	q = strchr(uri, '?');
	len = q != NULL ? (size_t)(q - uri) : strlen(uri);
	if (len >= size / 2)
		len = size / 2;
	memcpy(buf, uri, len);
	buf[len] = '\0';
	strncat(buf, "?", size - strlen(buf) - 1);
	for (i = 0; i < r->nparams; i++) {
		if (strcmp(r->params[i].name, "page") == 0 ||
		    strcmp(r->params[i].name, "per_page") == 0)
			continue;
		pct_append(buf, size, r->params[i].name);
		strncat(buf, "=", size - strlen(buf) - 1);
		pct_append(buf, size, r->params[i].value);
		strncat(buf, "&", size - strlen(buf) - 1);
	}
	len = strlen(buf);
	snprintf(buf + len, size - len, "page=%lld&per_page=%lld", p, pp);
}

/*
 * The list envelope {items, page, per_page, total, total_pages,
 * has_next, has_prev} into *out (it takes items, even on failure; the
 * caller frees *out), with the Link header of r set for next and prev.
 * Returns API_OK or API_ENOMEM.
 */
static enum api_err
page_body(struct req *r, cJSON *items, long long page, long long per_page,
    long long total, cJSON **out)
{
	cJSON		*o;
	char		 link[2048], url[1000];
	long long	 pages;

	*out = NULL;
	pages = total > 0 ? (total + per_page - 1) / per_page : 0;
	if ((o = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(items);
		return API_ENOMEM;
	}
	cJSON_AddItemToObject(o, "items", items);
	if (cJSON_AddNumberToObject(o, "page", (double)page) == NULL ||
	    cJSON_AddNumberToObject(o, "per_page", (double)per_page) == NULL ||
	    cJSON_AddNumberToObject(o, "total", (double)total) == NULL ||
	    cJSON_AddNumberToObject(o, "total_pages", (double)pages) == NULL ||
	    cJSON_AddBoolToObject(o, "has_next", page < pages) == NULL ||
	    cJSON_AddBoolToObject(o, "has_prev", page > 1) == NULL) {
		cJSON_Delete(o);
		return API_ENOMEM;
	}
	link[0] = '\0';
	if (page < pages) {
		page_url(r, url, sizeof(url), page + 1, per_page);
		snprintf(link, sizeof(link), "<%s>; rel=\"next\"", url);
	}
	if (page > 1) {
		page_url(r, url, sizeof(url), page - 1 < pages ? page - 1 :
		    (pages > 0 ? pages : 1), per_page);
		snprintf(link + strlen(link), sizeof(link) - strlen(link),
		    "%s<%s>; rel=\"prev\"", link[0] ? ", " : "", url);
	}
	if (link[0] != '\0')
		(void)http_header(r, "Link", link);
	*out = o;
	return API_OK;
}

enum api_err
http_send_page(struct req *r, cJSON *items, long long page,
    long long per_page, long long total)
{
	cJSON		*o;
	enum api_err	 er;

	if ((er = page_body(r, items, page, per_page, total, &o)) != API_OK)
		return er;
	er = http_send(r, 200, o);
	cJSON_Delete(o);
	return er;
}

enum api_err
http_send_page_etag(struct req *r, cJSON *items, long long page,
    long long per_page, long long total)
{
	cJSON		*o;
	enum api_err	 er;

	if ((er = page_body(r, items, page, per_page, total, &o)) != API_OK)
		return er;
	er = http_send_etag(r, o);
	cJSON_Delete(o);
	return er;
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
http_error(struct req *r, enum api_err er)
{
	cJSON		*root, *e;
	const char	*msg;
	int		 status;

	status = api_http_status(er);
	msg = r->err_msg != NULL ? r->err_msg : api_message(er);
	if (status >= 500) {
		log_event(LOG_LVL_ERROR, r->request_id, "server_error",
		    "status", api_reason(status), "code", api_strerror(er),
		    "method", r->method, "message", msg, NULL);
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

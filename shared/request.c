/*
 * lectern — http: what a request brings in.  The CGI environment read
 * into struct req, the body (capped by LECTERN_MAX_BODY, read once, on
 * demand) as bytes or as a JSON object, and the query string's
 * parameters.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "http.h"
#include "httpint.h"
#include "json.h"
#include "log.h"
#include "valid.h"

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
	free(r->err_cause);
	cJSON_Delete(r->err_fields);
	free(r->out);
	if (r->out_file)
		close(r->out_fd);
	memset(r, 0, sizeof(*r));
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

ssize_t
http_body_read(struct req *r, void *buf, size_t len)
{
	ssize_t	 n;

	if (r->content_length >= 0) {
		if (r->body_read >= r->content_length)
			return 0;
		if ((long long)len > r->content_length - r->body_read)
			len = (size_t)(r->content_length - r->body_read);
	}
	if (len == 0)
		return 0;
	if ((n = r->io->read(r->io->arg, buf, len)) > 0)
		r->body_read += n;
	return n;
}

void
http_body_drain(struct req *r)
{
	char	 buf[16384];

	if (r->stream) {
		/* What the handler left of a body within the limit. */
		if (r->content_length > 0 &&
		    r->content_length <= config_get()->upload_max)
			while (http_body_read(r, buf, sizeof(buf)) > 0)
				continue;
		return;
	}
	if (r->body == NULL && r->content_length != 0)
		(void)read_body(r, config_get()->max_body);
}

/*
 * lectern — http: the process loop.  Started as a plain CGI an
 * executable serves one request through fds 0 and 1; started by a
 * FastCGI process manager (mod_fcgid) it loops, each request with a
 * fresh struct req.  Either way each request is dispatched here: its
 * method checked, the handler run, and its response (or error) written.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "conf.h"
#include "http.h"
#include "httpint.h"
#include "log.h"

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
	cgi_read, cgi_write, cgi_getenv, NULL, NULL
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

/* Push out what libfcgi buffered (a stream's event as it happens). */
static int
fcgi_flush(void *arg)
{
	FCGX_Request	*fr = arg;

	return FCGX_FFlush(fr->out) == 0 ? 0 : -1;
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
    http_run_fn fn, const void *arg, int stream)
{
	struct req	 r;

	if (http_req_init(&r, io, slot) != API_OK) {
		static const char bare[] =
		    "Status: 500 Internal Server Error\r\n"
		    "Content-Type: application/json\r\n\r\n"
		    "{\"error\":{\"code\":\"internal\","
		    "\"message\":\"internal error\"}}";

		(void)io->write(io->arg, bare, sizeof(bare) - 1);
		return;
	}
	r.stream = stream;
	http_dispatch(&r, allow, fn, arg);
	http_req_free(&r);
}

/* Serve requests: http_serve, or http_serve_stream when stream. */
static int
serve_all(const char *allow, http_run_fn fn, const void *arg, int stream)
{
	struct http_dbslot	 slot;
	FCGX_Request		 fr;
	struct http_io		 io;

	memset(&slot, 0, sizeof(slot));
	if (FCGX_IsCGI())
		serve(&cgi_io, &slot, allow, fn, arg, stream);
	else {
		if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
			log_warnx("FastCGI set-up failed");
			return 1;
		}
		io.read = fcgi_read;
		io.write = fcgi_write;
		io.getenv = fcgi_getenv;
		io.arg = &fr;
		io.flush = fcgi_flush;
		slot.persistent = 1;
		while (FCGX_Accept_r(&fr) >= 0) {
			import_settings(fr.envp);
			serve(&io, &slot, allow, fn, arg, stream);
			FCGX_Finish_r(&fr);
		}
	}
	if (slot.close != NULL)
		slot.close(&slot);
	return 0;
}

int
http_serve(const char *allow, http_run_fn fn, const void *arg)
{

	return serve_all(allow, fn, arg, 0);
}

int
http_serve_stream(const char *allow, http_run_fn fn, const void *arg)
{

	return serve_all(allow, fn, arg, 1);
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

void
http_dispatch(struct req *r, const char *allow, http_run_fn fn,
    const void *arg)
{
	enum api_err	 er;

	r->allow = path_allow(r, allow);
	if (r->content_length > (r->stream ? config_get()->upload_max :
	    (long long)config_get()->max_body))
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
	http_body_drain(r);
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

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

extern char **environ;

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
 * Whether the NAME=value entry is one of our settings: LECTERN_*, but
 * not what Apache sets for each request (the route's LECTERN_ALLOW, the
 * logged LECTERN_PATH), which is read from the request alone and would
 * otherwise make every request's settings look new.
 */
static int
is_setting(const char *entry)
{

	return strncmp(entry, "LECTERN_", 8) == 0 &&
	    strncmp(entry, "LECTERN_ALLOW=", 14) != 0 &&
	    strncmp(entry, "LECTERN_PATH=", 13) != 0;
}

/* The value of name (len bytes) in a NAME=value array, or NULL. */
static const char *
find_setting(char *const *arr, const char *name, size_t len)
{

	for (; arr != NULL && *arr != NULL; arr++)
		if (strncmp(*arr, name, len) == 0 && (*arr)[len] == '=')
			return *arr + len + 1;
	return NULL;
}

/* Make the environment's name (len bytes) hold value, or unset it. */
static int
put_setting(const char *name, size_t len, const char *value)
{
	char		 key[128];
	const char	*old;

	if (len >= sizeof(key))
		return 0;
	memcpy(key, name, len);
	key[len] = '\0';
	old = getenv(key);
	if (value == NULL)
		return old != NULL && unsetenv(key) == 0;
	if (old != NULL && strcmp(old, value) == 0)
		return 0;
	return setenv(key, value, 1) == 0;
}

/*
 * Whether this request's settings (is_setting) are, in order, exactly
 * the last request's (the usual case: one virtual host).  Remembers
 * them.
 */
static int
same_settings(FCGX_ParamArray envp)
{
	static char	*last;
	static size_t	 last_len, last_size;
	char		*p;
	size_t		 len, at, n;
	FCGX_ParamArray	 e;
	int		 same;

	for (len = 0, e = envp; e != NULL && *e != NULL; e++)
		if (is_setting(*e))
			len += strlen(*e) + 1;
	same = last != NULL && len == last_len;
	if (len > last_size) {
		if ((p = realloc(last, len)) == NULL) {
			free(last);
			last = NULL;
			last_len = last_size = 0;
			return 0;
		}
		last = p;
		last_size = len;
	}
	for (at = 0, e = envp; e != NULL && *e != NULL; e++) {
		if (!is_setting(*e))
			continue;
		n = strlen(*e) + 1;
		if (same && memcmp(last + at, *e, n) != 0)
			same = 0;
		if (!same)
			memcpy(last + at, *e, n);
		at += n;
	}
	last_len = len;
	return same;
}

/*
 * Under FastCGI, Apache's SetEnv/PassEnv settings arrive as request
 * parameters, not in the process's environment.  Make the LECTERN_*
 * part of the environment the configuration is read from exactly what
 * the process started with, overridden by this request's parameters
 * (one dispatcher serves every virtual host, each with its own
 * settings), and forget the cached configuration when it changed.
 */
static void
import_settings(FCGX_ParamArray envp)
{
	static char	**base;
	static int	  captured;
	char		 *names[256];
	const char	 *eq;
	size_t		  i, n, len;
	int		  changed = 0;

	if (same_settings(envp))
		return;
	if (!captured) {
		for (n = 0; environ[n] != NULL; n++)
			continue;
		if ((base = calloc(n + 1, sizeof(*base))) != NULL)
			for (i = n = 0; environ[i] != NULL; i++)
				if (is_setting(environ[i]) &&
				    (base[n] = strdup(environ[i])) != NULL)
					n++;
		captured = 1;
	}
	/* What this request does not name goes back to the start's. */
	for (i = n = 0; environ[i] != NULL && n < 256; i++)
		if (is_setting(environ[i]) &&
		    (eq = strchr(environ[i], '=')) != NULL)
			names[n++] = strndup(environ[i],
			    (size_t)(eq - environ[i]));
	for (i = 0; i < n; i++) {
		if (names[i] == NULL)
			continue;
		len = strlen(names[i]);
		if (find_setting(envp, names[i], len) == NULL)
			changed |= put_setting(names[i], len,
			    find_setting(base, names[i], len));
		free(names[i]);
	}
	for (; envp != NULL && *envp != NULL; envp++)
		if (is_setting(*envp) &&
		    (eq = strchr(*envp, '=')) != NULL)
			changed |= put_setting(*envp, (size_t)(eq - *envp),
			    eq + 1);
	if (changed)
		config_reset();
}

/* Every method: an unknown name is a 404 whatever the method. */
static enum api_err
not_found(struct req *r, const void *arg)
{

	(void)r;
	(void)arg;
	return API_NOT_FOUND;
}

static const struct http_route no_route = {
	"GET, POST, PUT, PATCH, DELETE, OPTIONS", not_found, NULL, 0
};

/* The last segment of SCRIPT_NAME, the executable's name. */
static const char *
script_name(const struct http_io *io)
{
	const char	*s, *slash;

	if ((s = io->getenv(io->arg, "SCRIPT_NAME")) == NULL)
		return "";
	return (slash = strrchr(s, '/')) != NULL ? slash + 1 : s;
}

/* One request through io; the slot survives it. */
static void
serve(const struct http_io *io, struct http_dbslot *slot,
    const struct http_route *rt, http_router_fn router)
{
	struct req	 r;

	if (router != NULL && (rt = router(script_name(io))) == NULL)
		rt = &no_route;
	if (http_req_init(&r, io, slot) != API_OK) {
		static const char bare[] =
		    "Status: 500 Internal Server Error\r\n"
		    "Content-Type: application/json\r\n\r\n"
		    "{\"error\":{\"code\":\"internal\","
		    "\"message\":\"internal error\"}}";

		(void)io->write(io->arg, bare, sizeof(bare) - 1);
		return;
	}
	r.stream = rt->stream;
	http_dispatch(&r, rt->allow, rt->fn, rt->arg);
	http_req_free(&r);
}

/* Serve requests with rt, or by router's choice (FastCGI only). */
static int
serve_all(const struct http_route *rt, http_router_fn router,
    void (*busy)(enum http_busy), void (*warm)(struct http_dbslot *))
{
	struct http_dbslot	 slot;
	FCGX_Request		 fr;
	struct http_io		 io;

	memset(&slot, 0, sizeof(slot));
	if (FCGX_IsCGI()) {
		if (router != NULL) {
			log_warnx("standard input is not a FastCGI socket");
			return 1;
		}
		serve(&cgi_io, &slot, rt, NULL);
	} else {
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
		if (warm != NULL)
			warm(&slot);
		while (FCGX_Accept_r(&fr) >= 0) {
			if (busy != NULL)
				busy(HTTP_BUSY);
			import_settings(fr.envp);
			serve(&io, &slot, rt, router);
			FCGX_Finish_r(&fr);
			/* A connection the web server keeps is still open. */
			if (busy != NULL)
				busy(fr.ipcFd >= 0 ? HTTP_HELD : HTTP_FREE);
		}
	}
	if (slot.close != NULL)
		slot.close(&slot);
	return 0;
}

int
http_serve(const struct http_route *rt)
{

	return serve_all(rt, NULL, NULL, NULL);
}

int
http_serve_routed(http_router_fn router, void (*busy)(enum http_busy),
    void (*warm)(struct http_dbslot *))
{

	return serve_all(NULL, router, busy, warm);
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

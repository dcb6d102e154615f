/*
 * lectern — http: the CGI side of a request.
 *
 * struct req owns everything of one request: what was read from the CGI
 * environment and body, the response headers, the error detail.  It is
 * set up and freed by http_serve around one call of the endpoint's
 * handler, so no request data lives in a global and the same handler
 * can run many times in one process.  Only this module touches standard
 * input and output.
 *
 * Its files, by job: shared/serve.c the CGI/FastCGI process loop and
 * dispatch, shared/request.c what comes in (environment, body, query),
 * shared/response.c what goes out (headers, responses, ETags, the error
 * envelope), shared/page.c paged lists, and shared/httpdb.c the
 * database connection (so GET /live links no libpq).
 */
#ifndef LECTERN_HTTP_H
#define LECTERN_HTTP_H

#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#include "err.h"

#define HTTP_HDR_MAX	16
#define HTTP_QUERY_MAX	32

struct db;

/* How a request's bytes come in and go out (CGI: fds 0 and 1). */
struct http_io {
	ssize_t		(*read)(void *arg, char *buf, size_t len);
	int		(*write)(void *arg, const char *buf, size_t len);
	const char	*(*getenv)(void *arg, const char *name);
	void		*arg;
	/* Push out what write buffered (FastCGI); NULL: nothing is. */
	int		(*flush)(void *arg);
};

struct http_hdr {
	char		*name;
	char		*value;
};

struct http_param {
	char		*name;
	char		*value;
};

struct req;

/*
 * The process's database connection and what to do with it around each
 * request.  http_db (shared/httpdb.c) fills it the first time a request
 * asks for the database, so an executable that never does (GET /live)
 * links no database library.  It outlives requests: in FastCGI mode the
 * connection is the one thing a process keeps between them.
 */
struct http_dbslot {
	struct db	*db;
	struct db	*rdb;	/* LECTERN_DATABASE_READ_URL, when asked for */
	int		 persistent;	/* kept from request to request */
	/* Roll back whatever the request left open. */
	void		(*after)(struct http_dbslot *);
	/* Record a failure in error_logs (best effort). */
	void		(*record)(struct req *, int status, const char *code,
			    const char *msg);
	/* Close the connection at process exit. */
	void		(*close)(struct http_dbslot *);
};

struct req {
	const struct http_io *io;
	const char	*method;	/* REQUEST_METHOD */
	const char	*path_info;	/* PATH_INFO, "" when none */
	const char	*query;		/* QUERY_STRING, "" when none */
	const char	*content_type;	/* CONTENT_TYPE or NULL */
	long long	 content_length; /* -1 when not given */
	const char	*authorization;	/* HTTP_AUTHORIZATION or NULL */
	const char	*remote_addr;	/* REMOTE_ADDR, never X-Forwarded-For */
	const char	*request_id;	/* UNIQUE_ID from mod_unique_id */
	const char	*if_none_match;	/* HTTP_IF_NONE_MATCH or NULL */
	char		*body;		/* read on demand, NUL-terminated */
	size_t		 body_len;
	int		 stream;	/* the handler reads the body itself */
	long long	 body_read;	/* stream: bytes it read so far */
	cJSON		*json;		/* the parsed body */
	struct http_param params[HTTP_QUERY_MAX];
	size_t		 nparams;
	int		 params_state;	/* 0 unparsed, 1 ok, -1 malformed */
	struct http_hdr	 hdrs[HTTP_HDR_MAX];
	size_t		 nhdrs;
	int		 responded;
	int		 bad_token;	/* 401 says WWW-Authenticate */
	const char	*allow;		/* methods for a 405 */
	char		 allowbuf[80];	/* LECTERN_ALLOW, comma-separated */
	char		*err_msg;
	char		*err_cause;	/* error_logs only, never sent */
	cJSON		*err_fields;
	struct http_dbslot *slot;	/* the process's connection */
	char		*out;		/* the response, until http_flush */
	size_t		 out_len;
	int		 out_file;	/* the body follows from out_fd */
	int		 out_fd;
	long long	 out_fd_len;
};

/*
 * What serves one request: handle r (arg is the caller's, the endpoint's
 * declaration for the runner) and either leave a response (http_send*)
 * and return API_OK, or return an error that http_dispatch turns into
 * the JSON error envelope.
 */
typedef enum api_err (*http_run_fn)(struct req *r, const void *arg);

/*
 * What serves one executable's requests: fn(r, arg).  allow lists the
 * methods it takes ("GET" or "GET, PATCH"); HEAD goes with GET and
 * anything else is a 405 with Allow.  stream: fn reads its body itself,
 * in pieces (http_body_read): a file upload, never held in memory
 * whole, which may be as large as LECTERN_UPLOAD_MAX rather than
 * LECTERN_MAX_BODY; what fn leaves unread is read and dropped after it.
 */
struct http_route {
	const char	*allow;
	http_run_fn	 fn;
	const void	*arg;
	int		 stream;
};

/*
 * Serve requests with rt.  Started as a plain CGI it serves one request;
 * started by a FastCGI process manager (mod_fcgid: standard input is the
 * listening socket) it loops, each request with a fresh struct req,
 * keeping only the database connection and read-only caches.  Returns
 * the process exit status.
 */
int		 http_serve(const struct http_route *rt);

/*
 * Serve FastCGI requests from the socket on standard input, each with
 * the route that router gives for the name of the executable the request
 * was mapped to (the last segment of SCRIPT_NAME), or NULL: a 404;
 * busy(HTTP_BUSY) is called when a request has been taken, and when it
 * is answered busy(HTTP_HELD) if the web server keeps the connection
 * for its next request (mod_proxy_fcgi's enablereuse), else
 * busy(HTTP_FREE); warm, when not NULL, before the first
 * (http_db_warm).  The dispatcher's loop (bin/lectern-fcgi.c).  Returns
 * the exit status.
 */
enum http_busy {
	HTTP_FREE,	/* waiting for a new connection */
	HTTP_BUSY,	/* serving a request */
	HTTP_HELD,	/* waiting for the next request of a kept one */
};
typedef const struct http_route *(*http_router_fn)(const char *name);
int		 http_serve_routed(http_router_fn router,
		    void (*busy)(enum http_busy),
		    void (*warm)(struct http_dbslot *));

/*
 * Connect slot to the database now, as the first request asking for it
 * would (a FastCGI worker, before it takes requests, so that no request
 * waits for the connection).  A failure is logged and left to that
 * request to meet again.
 */
void		 http_db_warm(struct http_dbslot *slot);

/*
 * Read the next at most len bytes of a streamed body (a struct
 * http_route's .stream) into buf, never past its Content-Length.
 * Returns the number read, 0 at its end, or -1 when the client went
 * away.
 */
ssize_t		 http_body_read(struct req *r, void *buf, size_t len)
		    __attribute__((warn_unused_result));

/*
 * Set up r for one request read through io.  Returns API_OK or
 * API_ENOMEM.  Free with http_req_free.
 */
enum api_err	 http_req_init(struct req *r, const struct http_io *io,
		    struct http_dbslot *slot) __attribute__((warn_unused_result));

/* Free everything r owns.  The database connection is not r's. */
void		 http_req_free(struct req *r);

/*
 * Dispatch one request: check the method, call fn(r, arg), roll back
 * what it left open, and write its response or the error it returned.
 * A response is held in r until then (http_send does not write), so a
 * handler's transaction is committed or rolled back before the client
 * hears anything.
 */
void		 http_dispatch(struct req *r, const char *allow,
		    http_run_fn fn, const void *arg);

/* Write the response held in r, if any. */
void		 http_flush(struct req *r);

/*
 * Forget the response held in r (a commit after it failed), so an error
 * can be sent instead.
 */
void		 http_unsend(struct req *r);

/* An environment variable of this request (CGI: the process's). */
const char	*http_getenv(const struct req *r, const char *name);

/*
 * Read and parse the body as a JSON object into *obj (borrowed from r).
 * Returns API_OK, API_MEDIA_TYPE for a body that is not
 * application/json, API_TOO_LARGE past LECTERN_MAX_BODY (decided from
 * CONTENT_LENGTH before reading when it is given), API_INVALID_JSON for
 * an empty body, malformed JSON or a top-level value that is not an
 * object, API_INVALID for an escaped NUL.
 */
enum api_err	 http_body_json(struct req *r, cJSON **obj)
		    __attribute__((warn_unused_result));

/*
 * The body exactly as it came, for callers that must see its bytes (a
 * webhook's signature covers them): *buf (borrowed from r, with a NUL
 * after the len bytes; it may also hold NUL bytes of its own) and *len.
 * The same rules as http_body_json: API_MEDIA_TYPE for a body that is
 * not application/json, API_TOO_LARGE past LECTERN_MAX_BODY.  An empty
 * body is API_OK with *len 0.  Nothing is parsed or checked otherwise.
 */
enum api_err	 http_body_raw(struct req *r, const char **buf, size_t *len)
		    __attribute__((warn_unused_result));

/*
 * Whether content type ct is application/json, with at most a charset
 * parameter of utf-8.
 */
int		 http_is_json_type(const char *ct);

/*
 * Look up query parameter name; *val is NULL when absent, else borrowed
 * from r and percent-decoded.  Returns API_OK, or API_INVALID (with the
 * error detail set) when the query string is malformed or name is given
 * twice.
 */
enum api_err	 http_param(struct req *r, const char *name,
		    const char **val) __attribute__((warn_unused_result));

/*
 * The database connection for this request, connected on first use and
 * kept by the process between requests.  Returns API_OK,
 * API_UNAVAILABLE or API_ENOMEM.
 */
enum api_err	 http_db(struct req *r, struct db **db)
		    __attribute__((warn_unused_result));

/*
 * The connection for reads that may lag behind the primary (a streaming
 * replica named by LECTERN_DATABASE_READ_URL), kept like http_db's.
 * Never fails: when no read URL is set, or the replica cannot be
 * reached, *db is primary (the request's http_db connection).  Nothing
 * may be written through it.
 */
void		 http_db_read(struct req *r, struct db *primary,
		    struct db **db);

/*
 * Forget the read connection after it failed in the middle of a
 * request (the replica stopped); the next http_db_read tries again.
 */
void		 http_db_read_drop(struct req *r);

/* Add a response header (both strings copied).  Returns API_OK or
 * API_ENOMEM. */
enum api_err	 http_header(struct req *r, const char *name,
		    const char *value);

/*
 * Send status with body as JSON (body NULL: no body, as for 204 and
 * 304).  Returns API_OK, or API_ENOMEM / API_INTERNAL when nothing could
 * be written.
 */
enum api_err	 http_send(struct req *r, int status, const cJSON *body);

/*
 * Send 201 with body as JSON and a Location header: the path fmt makes
 * (printf-style, at most 255 bytes).  Returns what http_send returned,
 * API_ENOMEM, or API_INTERNAL when the path is too long.
 */
enum api_err	 http_send_created(struct req *r, const cJSON *body,
		    const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/*
 * Send 200 with body as JSON and a strong ETag made from the bytes
 * sent; when the request's If-None-Match names that tag (or is "*"),
 * send 304 with no body instead.  For public GETs (SPEC §2).  The
 * caller sets Cache-Control (public or private) before calling; without
 * one the response is "no-cache", which still lets clients revalidate.
 */
enum api_err	 http_send_etag(struct req *r, const cJSON *body);

/* As http_send_etag, for a body already written out as JSON text s. */
enum api_err	 http_send_etag_text(struct req *r, const char *s);

/* Send status with a body that is already JSON text. */
enum api_err	 http_send_raw(struct req *r, int status, const char *json);

/*
 * Send len bytes of body as they are (binary is fine), with
 * Content-Type type: the few answers that are not JSON (a CSV export, a
 * calendar, a PDF); errors are still JSON.  Returns as http_send_raw.
 */
enum api_err	 http_send_text(struct req *r, int status, const char *type,
		    const void *body, size_t len);

/*
 * Send status with the len bytes of the open file fd (r takes it and
 * closes it) as the body, of Content-Type type: a download, copied
 * to the client in pieces when the response is written rather than
 * held in memory.  Returns as http_send_raw (fd is closed on failure).
 */
enum api_err	 http_send_file(struct req *r, int status, const char *type,
		    int fd, long long len);

/*
 * Record the message of the error about to be returned (copied) and
 * return er, so a handler can say "return http_fail(r, API_X, msg)".
 */
enum api_err	 http_fail(struct req *r, enum api_err er, const char *msg);

/*
 * Record why the error about to be returned happened, for the operator
 * (copied): it goes to the log and error_logs with the message, never
 * to the client.  cause is ours or a library's text ("Could not resolve
 * host: ..."), never a secret.
 */
void		 http_cause(struct req *r, const char *cause);

/*
 * Record per-field validation errors (r takes fields) and return
 * API_INVALID; the message is "field: why" of the first field.
 */
enum api_err	 http_invalid(struct req *r, cJSON *fields);

/*
 * Record one field's validation error and return API_INVALID (or
 * API_ENOMEM).  why is a fixed message, never client data.
 */
enum api_err	 http_invalid_field(struct req *r, const char *field,
		    const char *why);

/*
 * Read the paging parameters (page, per_page) of r.  Returns API_OK
 * with *page and *per_page (defaults 1 and 20; per_page at most 100),
 * or API_INVALID with the error detail set.
 */
enum api_err	 http_paging(struct req *r, long long *page,
		    long long *per_page) __attribute__((warn_unused_result));

/* The most a Link header of a list holds (next and prev). */
#define HTTP_LINK_SIZE	2048

/*
 * The list envelope {items, page, per_page, total, total_pages,
 * has_next, has_prev} written out as JSON text into *text (r takes
 * items; the caller frees *text with cJSON_free), and into link the
 * Link header with rel="next" and rel="prev" that keep the request's
 * other query parameters ("" for neither); nothing is sent.  Returns
 * API_OK or API_ENOMEM.
 */
enum api_err	 http_page_text(struct req *r, cJSON *items, long long page,
		    long long per_page, long long total, char **text,
		    char *link, size_t linksize)
		    __attribute__((warn_unused_result));

/*
 * Send 200 with the list envelope text and its Link header link (NULL
 * or "" for none); with etag, as http_send_etag_text sends (a strong
 * ETag over the whole body, 304 when If-None-Match names it: for public
 * lists, SPEC §2; the caller sets Cache-Control first).
 */
enum api_err	 http_send_page_text(struct req *r, const char *text,
		    const char *link, int etag);

/* Write the JSON error envelope for er, with r's detail if any. */
void		 http_error(struct req *r, enum api_err er);

/*
 * Record an answer in error_logs that http_error would not (it records
 * every 5xx): a 4xx worth an operator's eye, such as a payment whose
 * signature did not match.  code and msg are ours, never client data or
 * a secret.  The row is written on r's connection outside any
 * transaction: call it after the transaction is rolled back (when the
 * connection is in one, or unusable, nothing is written).  Failures are
 * logged, never returned.
 */
void		 http_record_error(struct req *r, int status,
		    const char *code, const char *msg);

#endif /* LECTERN_HTTP_H */

/*
 * lectern — endpoint: one HTTP endpoint as a declaration plus a handler.
 *
 * Each cgi-bin/ file declares a const struct endpoint, the way tmux
 * declares a cmd_entry: method and route, who may call, the body's field
 * table (or no body), the query's filters, the rate class and whether
 * the handler runs in a transaction as the caller.  endpoint_main runs
 * it in a fixed order: method, path id, query, body read and validated
 * (all before any database work, so a slow or bad request holds no
 * connection and no lock), connect, authenticate, rate limit, begin,
 * handler, commit or roll back, respond, free.  The handler holds only
 * its own logic and finds everything prepared in its struct call.
 *
 * What a declaration leaves out is the common case: a JSON body when it
 * names .fields (else none), the api rate class, and a transaction as
 * the caller, the one row-level security applies to.  A paged list
 * needs no handler at all: its struct list_page (.list) and what the
 * query takes (.list_args) are the whole endpoint.
 */
#ifndef LECTERN_ENDPOINT_H
#define LECTERN_ENDPOINT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "err.h"
#include "http.h"
#include "list.h"
#include "ratelimit.h"
#include "valid.h"

#define EP_FIELDS_MAX	24	/* body fields an endpoint may declare */
#define EP_QUERY_MAX	16	/* query filters an endpoint may declare */

/* Who may call: anyone, or anyone with a good token when one is given. */
#define WHO_ANYONE	0x000u
#define WHO_OPTIONAL	0x100u
/* Otherwise a set of ROLE_* bits (auth.h): a signed-in user of a role. */

/* What the request's body is; BODY_JSON when .fields is set, else none. */
enum ep_body {
	BODY_NONE,	/* no body: one is 415 (not JSON) or 400 */
	BODY_JSON,	/* a JSON object checked against .fields */
	BODY_RAW,	/* the bytes as they came (a webhook's signature) */
	BODY_STREAM,	/* left unread for the handler (http_body_read):
			 * a file up to LECTERN_UPLOAD_MAX with its
			 * Content-Length, checked before anything else */
};

/* .flags */
#define EP_PAGED	0x01u	/* page and per_page are read */
#define EP_BODY_OPTIONAL 0x02u	/* BODY_JSON: no body reads as {} */
#define EP_ONE_OF	0x04u	/* BODY_JSON: at least one field given */
#define EP_NO_DB	0x08u	/* the handler needs no database */
#define EP_READ_REPLICA	0x10u	/* an anonymous caller's handler only reads
				   what may lag: LECTERN_DATABASE_READ_URL */

/*
 * Whether the handler runs in a transaction that carries the caller.
 * The default is the one row-level security applies to.
 */
enum ep_tx {
	TX_CALLER,	/* begun as the caller (anonymous when none) */
	TX_NONE,	/* none, or one the handler opens with endpoint_begin */
	TX_SYSTEM,	/* begun as the system, naming the caller if any:
			 * what a checked signature allows (verify, the
			 * webhook) is not the caller's right, and an
			 * anonymous request may speak for itself (a
			 * public form, a mailed token) */
};

/*
 * What a list endpoint's query takes, in order, before LIMIT and OFFSET:
 * its .list_args, up to the first LA_END.
 */
enum ep_list_arg {
	LA_END,
	LA_QUERY,	/* the .query filters, each NULL when absent */
	LA_USER,	/* the caller's id, NULL when anonymous */
	LA_ADMIN,	/* "true" when the caller is an admin, else "false" */
	LA_ID,		/* the numeric path id */
};
#define EP_LIST_ARGS	4

struct call;

struct endpoint {
	const char		*method;	/* "GET", "POST", ... */
	const char		*route;		/* as in apache/routes */
	unsigned int		 who;		/* WHO_* or ROLE_* bits */
	enum ep_body		 body;
	const struct vfield	*fields;	/* BODY_JSON */
	size_t			 nfields;
	const struct list_filter *query;	/* optional filters */
	size_t			 nquery;
	unsigned int		 flags;		/* EP_* */
	enum rl_class		 rate;		/* RL_API (the default): the
						   api class only */
	const char		*rate_by;	/* RL_AUTH: the body field
						   naming the account */
	enum ep_tx		 tx;
	enum api_err		(*run)(struct call *);
	/*
	 * Without .run: a paged list (EP_PAGED), list_send of .list with
	 * its .list_args.
	 */
	const struct list_page	*list;
	enum ep_list_arg	 list_args[EP_LIST_ARGS];
};

/*
 * What the runner prepared for a handler.  Everything is borrowed from
 * the runner and lives until the handler returns.
 */
struct call {
	struct req		*r;
	const struct endpoint	*ep;
	struct db		*db;		/* NULL with EP_NO_DB */
	struct auth		 a;		/* the caller when authed */
	int			 authed;
	const char		*user_id;	/* a.user.id_str or NULL */
	long long		 id;		/* a numeric path id */
	char			 id_str[24];	/* its text, "" when none */
	const char		*key;		/* a path segment, or NULL */
	const cJSON		*body;		/* BODY_JSON: the object */
	struct vout		 in[EP_FIELDS_MAX];	/* its fields */
	int			 have_in;	/* in[] holds values */
	const char		*raw;		/* BODY_RAW: the bytes */
	size_t			 raw_len;
	const char		*q[EP_QUERY_MAX];	/* filters, NULL: absent */
	long long		 page;		/* EP_PAGED */
	long long		 per_page;
};

/*
 * How ep is served (struct http_route): its runner, endpoint_run, or
 * endpoint_run_nodb for an endpoint declared EP_NO_DB, which links no
 * database or token code at all.
 */
enum api_err	endpoint_run(struct req *r, const void *ep);
enum api_err	endpoint_run_nodb(struct req *r, const void *ep);
#define ENDPOINT_ROUTE(ep, runner) \
	{ (ep)->method, (runner), (ep), (ep)->body == BODY_STREAM }

/*
 * Serve requests for ep (CGI: one; FastCGI: many).  Returns the
 * process's exit status.
 */
int		endpoint_main(const struct endpoint *ep);
int		endpoint_main_nodb(const struct endpoint *ep);

/*
 * The end of every cgi-bin/ file: its main, or, built into the FastCGI
 * dispatcher (LECTERN_DISPATCH), ep entered in the dispatcher's table
 * under the file's name before main runs.
 */
#ifdef LECTERN_DISPATCH
void		endpoint_register(const struct endpoint *ep, http_run_fn runner,
		    const char *file);
#define ENDPOINT_DEFINE(ep, runner, mainfn)				\
	static void endpoint_register_file(void)			\
	    __attribute__((constructor));				\
	static void							\
	endpoint_register_file(void)					\
	{								\
		endpoint_register(&(ep), (runner), __FILE__);		\
	}
#else
#define ENDPOINT_DEFINE(ep, runner, mainfn)				\
	int								\
	main(void)							\
	{								\
		return mainfn(&(ep));					\
	}
#endif
#define ENDPOINT_MAIN(ep)	ENDPOINT_DEFINE(ep, endpoint_run, endpoint_main)
#define ENDPOINT_MAIN_NODB(ep)	\
	ENDPOINT_DEFINE(ep, endpoint_run_nodb, endpoint_main_nodb)

/*
 * Begin c's transaction as the caller, as TX_CALLER does before the
 * handler, for a TX_NONE handler that must first work outside one: an
 * Argon2id hash or check (slow; a transaction would pin a pooled server
 * connection meanwhile), or a failed-login count that must stand when
 * the request fails.  The runner commits it after the handler, as for
 * TX_CALLER.  Returns API_OK or a database error.
 */
enum api_err	endpoint_begin(struct call *c)
		    __attribute__((warn_unused_result));

/* Whether field f of c's body was given, as a value or as null. */
#define CALL_GIVEN(c, f)	((c)->in[f].present || (c)->in[f].is_null)

/*
 * The runner's first stage, before any database work: method, path,
 * query and body of c->r checked against c->ep into c.  Returns API_OK
 * or the error to answer with (its detail set on c->r).  The caller
 * frees c with endpoint_call_free.  In shared/endpoint.c; exported for
 * the database stage (shared/endpoint_db.c) and the unit tests.
 */
enum api_err	endpoint_input(struct call *c)
		    __attribute__((warn_unused_result));

/* Free what endpoint_input read into c. */
void		endpoint_call_free(struct call *c);

#endif /* LECTERN_ENDPOINT_H */

/*
 * lectern — list: what the paged list endpoints share.
 *
 * A list query takes LIMIT and OFFSET as its last two parameters and
 * returns the page's rows with the total of the filtered rows in a
 * column of each; a page past the end comes back as one row that is
 * NULL but for that total (the page is a LEFT JOIN LATERAL onto the
 * count).  An endpoint declares its query as a struct list_page and
 * list_send runs it and sends the envelope; list_filters reads optional
 * query filters, each checked by its kind, into the query's parameters.
 */
#ifndef LECTERN_LIST_H
#define LECTERN_LIST_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "row.h"

struct db;
struct db_res;
struct req;

/*
 * The query of a paged list after its "WITH f AS (...)", the rows the
 * filters leave: cols of each row on the page, where f's rows are
 * named a, then the total of f as the last column.  order is written
 * over a ("p.created_at DESC, p.id DESC"), the same inside the page's
 * subquery and out; lim and off are the numbers of the LIMIT and OFFSET
 * parameters.
 */
#define LIST_SQL_PAGE(cols, a, order, lim, off)				\
	" SELECT " cols ", list_count.total"				\
	" FROM (SELECT count(*) AS total FROM f) list_count"		\
	" LEFT JOIN LATERAL (SELECT * FROM f " a " ORDER BY " order	\
	"  LIMIT $" #lim "::bigint OFFSET $" #off "::bigint) " a	\
	" ON true ORDER BY " order

/* The size of the LIMIT and OFFSET texts list_send makes. */
#define LIST_NUM_SIZE	24

/* The most parameters a list query takes before LIMIT and OFFSET. */
#define LIST_PARAMS_MAX	16

/* How an optional filter of a list is checked. */
enum list_kind {
	LIST_TEXT,	/* text, at most 64 characters */
	LIST_ID,	/* a positive integer id (valid_id_str) */
	LIST_TIME,	/* an RFC 3339 timestamp (valid_rfc3339) */
	LIST_STATUS,	/* an HTTP status from 400 to 599 */
	LIST_ONE_OF,	/* one of the strings of allowed */
	LIST_BOOL,	/* true or false */
};

struct list_filter {
	const char		*name;		/* the query parameter */
	enum list_kind		 kind;
	const char *const	*allowed;	/* LIST_ONE_OF, NULL-ended */
	const char		*why;		/* LIST_ONE_OF: its message */
	int			 required;	/* absent or empty is 400 */
};

/*
 * One paged list: its query, which takes nparams parameters and then
 * LIMIT and OFFSET, returns one row per item (column id_col NULL in the
 * single row a page past the end yields) and count(*) OVER () in
 * total_col; row makes an item of a row, or, without one, row_json
 * makes it of the first ncols columns as cols names them (row.h).
 * etag: public lists answer If-None-Match.  version: for a public list
 * whose pages depend only on the request and on what this one-value
 * query returns, so that a process kept between requests (db_prepares)
 * may keep the pages it sent and send one again while the value is
 * unchanged.
 */
struct list_page {
	const char	*sql;
	int		 nparams;
	int		 id_col;
	int		 total_col;
	row_json_fn	 row;
	const struct row_col *cols;
	int		 ncols;
	int		 etag;
	const char	*version;
};

/*
 * Run q for page and per_page with the q->nparams parameters of params
 * (at most LIST_PARAMS_MAX; LIMIT and OFFSET follow them in an array of
 * list_send's own) and send the list envelope.  Runs in the caller's
 * transaction, if any.  Returns what http_send_page_text returned, or
 * the error that stopped it.
 */
enum api_err	list_send(struct req *r, struct db *db,
		    const struct list_page *q, const char *const *params,
		    long long page, long long per_page)
		    __attribute__((warn_unused_result));

/*
 * Read the n filters f of r into v[n] (borrowed from r; NULL when absent
 * or empty, which a required one may not be), in order, each checked by
 * its kind.  Returns API_OK, API_INVALID with the first bad filter named
 * (or the query string's fault, as http_param says), or API_ENOMEM.
 */
enum api_err	list_filters(struct req *r, const struct list_filter *f,
		    size_t n, const char **v)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_LIST_H */

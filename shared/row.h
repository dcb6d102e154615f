/*
 * lectern — row: a database row as JSON, read by a column table.
 *
 * A resource declares its JSON as a static table of struct row_col in
 * the order its SELECT lists the columns; row_json reads a row by the
 * table, so nobody counts column offsets by hand and the number of
 * columns is ROW_NCOLS(table).  Timestamps are selected through
 * SQL_UTC, one fragment for every RFC 3339 UTC time the API sends.
 */
#ifndef LECTERN_ROW_H
#define LECTERN_ROW_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

struct db_res;
struct req;

/* A timestamptz expression as RFC 3339 UTC text ("...T10:00:00Z"). */
#define SQL_UTC(expr)							\
	"to_char((" expr ") AT TIME ZONE 'UTC',"			\
	" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* How a column becomes JSON.  SQL NULL is JSON null for every kind. */
enum row_kind {
	ROW_NUM,	/* an integer: a JSON number */
	ROW_TEXT,	/* a string (timestamps too, via SQL_UTC) */
	ROW_BOOL,	/* "t"/"f": true/false */
	ROW_SKIP,	/* selected for the caller, not sent */
	ROW_JSON,	/* JSON text made by the query (an array of ids) */
};

#define ROW_EMPTY	0x01u	/* ROW_TEXT: NULL is "" rather than null */
#define ROW_OMIT_NULL	0x02u	/* NULL: the member is left out */

struct row_col {
	const char	*name;	/* "a" or "a.b": member b of object a */
	enum row_kind	 kind;
	unsigned int	 flags;
};

#define ROW_NCOLS(t)	((int)(sizeof(t) / sizeof((t)[0])))

/*
 * The JSON object of row of res, its columns from col on read by the n
 * entries of cols.  Returns a new object (the caller frees it), or NULL
 * when out of memory or the row is not there.
 */
cJSON	*row_json(const struct db_res *res, int row, int col,
	    const struct row_col *cols, int n);

/*
 * Add the columns of row (from col on, by cols[n]) to obj.  Returns 0,
 * or -1 when out of memory (obj is then partly filled; free it).
 */
int	 row_add(cJSON *obj, const struct db_res *res, int row, int col,
	    const struct row_col *cols, int n);

/*
 * What each resource's *_json is: the JSON object of row of res, its
 * columns from col on.  A new object (the caller frees it), or NULL when
 * out of memory or the row is not what it should be.
 */
typedef cJSON	*(*row_json_fn)(const struct db_res *res, int row, int col);

/*
 * Add to obj a member name: the object fn makes of row 0 of res.
 * Returns 0, or -1 when out of memory or there is no such object.
 */
int	 row_add_one(cJSON *obj, const char *name, const struct db_res *res,
	    row_json_fn fn);

/*
 * Add to obj a member name: the array of the objects fn makes of every
 * row of res.  Returns 0, or -1 when out of memory or a row makes none
 * (obj is then partly filled; free it).
 */
int	 row_add_array(cJSON *obj, const char *name, const struct db_res *res,
	    row_json_fn fn);

/*
 * Send with status the object fn makes of row 0 of res, the one row a
 * handler's statement returned.  Returns what http_send returned,
 * API_NOT_FOUND when res has no row (nothing is sent), or API_ENOMEM.
 */
enum api_err row_send(struct req *r, int status, const struct db_res *res,
	    row_json_fn fn) __attribute__((warn_unused_result));

#endif /* LECTERN_ROW_H */

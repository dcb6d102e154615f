/*
 * lectern — GET /api/enrollments: the caller's enrollments, newest
 * first, each with a summary of its course {id, title, price, currency,
 * published, archived}.  Revoked enrollments are listed too (their
 * status says so), and so are those of courses archived or unpublished
 * since: a student keeps seeing what they enrolled in.  Paged; one query
 * returns the page and the total.  Runs in a transaction that carries
 * the caller, so row-level security applies besides the explicit
 * user_id filter.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "enrollment.h"
#include "list.h"
#include "row.h"

/* $1 the caller, $2 and $3 limit and offset. */
static const char sql_list[] =
    "WITH f AS (SELECT e.id, e.created_at FROM enrollments e"
    "  WHERE e.user_id = $1::bigint)"
    " SELECT " ENROLLMENT_COLUMNS ", c.id, c.title, "
    COURSE_SQL_PRICE("c.price_minor") ", c.currency,"
    "  c.published, c.archived, t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT f.id FROM f"
    "  ORDER BY f.created_at DESC, f.id DESC"
    "  LIMIT $2::bigint OFFSET $3::bigint) p ON true"
    " LEFT JOIN enrollments e ON e.id = p.id"
    " LEFT JOIN courses c ON c.id = e.course_id"
    " ORDER BY e.created_at DESC, e.id DESC";

/* The course summary, after ENROLLMENT_COLUMNS. */
static const struct row_col course_cols[] = {
	{ "course.id", ROW_NUM, 0 },
	{ "course.title", ROW_TEXT, 0 },
	{ "course.price", ROW_TEXT, 0 },
	{ "course.currency", ROW_TEXT, 0 },
	{ "course.published", ROW_BOOL, 0 },
	{ "course.archived", ROW_BOOL, 0 },
};

/*
 * The enrollment of row i of res with its course summary, as a new JSON
 * object (row_json_fn); NULL when out of memory or a column is missing.
 */
static cJSON *
row(const struct db_res *res, int i, int col)
{
	cJSON	*item;
	int	 course = col + ENROLLMENT_NCOLUMNS, c;

	for (c = 0; c < ROW_NCOLS(course_cols); c++)
		if (db_get(res, i, course + c) == NULL)
			return NULL;
	if ((item = enrollment_json(res, i, col)) == NULL)
		return NULL;
	if (row_add(item, res, i, course, course_cols,
	    ROW_NCOLS(course_cols)) == -1) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = 1,
	.id_col = ENROLLMENT_C_ID,
	.total_col = ENROLLMENT_NCOLUMNS + ROW_NCOLS(course_cols),
	.row = row,
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/enrollments",
	.who = ROLE_ANY,
	.flags = EP_PAGED,
	.list = &list_q,
	.list_args = { LA_USER },
};

ENDPOINT_MAIN(endpoint)

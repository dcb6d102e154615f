/*
 * lectern — GET /api/courses/{id}/enrollments: the roster of a course,
 * for its author and admins.  A course the caller may not see (unknown,
 * or a draft or archived course of someone else) is 404; a visible one
 * the caller does not author is 403.  Items {id, user: {id, name,
 * email}, status, source, created_at}, in the order the students came
 * (by enrollment id); filter status (active or revoked).  Paged; one
 * query returns the page and the total.  Runs in a transaction that
 * carries the caller, so row-level security applies besides the
 * explicit course filter.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "row.h"

static enum api_err	course_enrollments(struct call *);

enum filter { FL_STATUS, FL__MAX };

static const char *const statuses[] = { "active", "revoked", NULL };

static const struct list_filter filters[FL__MAX] = {
	[FL_STATUS] = { .name = "status", .kind = LIST_ONE_OF,
	    .allowed = statuses, .why = "must be active or revoked" },
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/courses/{id}/enrollments",
	.who = ROLE_ANY,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED,
	.run = course_enrollments,
};

/* $1 the course, $2 the status or NULL, $3 and $4 limit and offset. */
static const char sql_roster[] =
    "WITH f AS (SELECT e.id FROM enrollments e"
    "  WHERE e.course_id = $1::bigint"
    "  AND ($2::text IS NULL OR e.status = $2::text))"
    " SELECT e.id, u.id, u.name, u.email, e.status, e.source, "
    SQL_UTC("e.created_at") ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT f.id FROM f ORDER BY f.id"
    "  LIMIT $3::bigint OFFSET $4::bigint) p ON true"
    " LEFT JOIN enrollments e ON e.id = p.id"
    " LEFT JOIN users u ON u.id = e.user_id"
    " ORDER BY e.id";

/* A roster entry, by the columns of sql_roster before the total. */
static const struct row_col cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "user.id", ROW_NUM, 0 },
	{ "user.name", ROW_TEXT, 0 },
	{ "user.email", ROW_TEXT, 0 },
	{ "status", ROW_TEXT, 0 },
	{ "source", ROW_TEXT, 0 },
	{ "created_at", ROW_TEXT, 0 },
};

/*
 * The roster entry in row i of res as a new JSON object (row_json_fn),
 * or NULL when out of memory or a column is missing.
 */
static cJSON *
entry_json(const struct db_res *res, int i, int col)
{
	int	 c;

	for (c = 0; c < ROW_NCOLS(cols); c++)
		if (db_get(res, i, col + c) == NULL)
			return NULL;
	return row_json(res, i, col, cols, ROW_NCOLS(cols));
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	.sql = sql_roster,
	.nparams = 2,
	.id_col = 0,
	.total_col = ROW_NCOLS(cols),
	.row = entry_json,
};

static enum api_err
course_enrollments(struct call *c)
{
	struct course	 co;
	const char	*params[2];
	enum api_err	 er;

	if ((er = course_load(c->db, c->id_str, &co)) != API_OK ||
	    (er = course_check_visible(&co, &c->a)) != API_OK)
		return er;
	if (!course_is_author(&co, &c->a))
		return http_fail(c->r, API_FORBIDDEN,
		    "only the course's author or an admin sees its roster");
	params[0] = co.id_str;
	params[1] = c->q[FL_STATUS];
	return list_send(c->r, c->db, &list_q, params, c->page,
	    c->per_page);
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — GET /api/courses/{id}/classwork: the classwork of a course,
 * oldest first, for its enrolled users (active enrollment), its author
 * and admins.  Anyone else who can see the course gets 403; a course
 * they cannot see (unknown, draft, archived) is 404.  Paged with page
 * and per_page in the list envelope.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "classwork.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "list.h"

static enum api_err	classwork_list(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/courses/{id}/classwork",
	.who = ROLE_ANY,
	.flags = EP_PAGED,
	.run = classwork_list,
};

static const char sql_list[] =
    "WITH f AS (SELECT * FROM classwork WHERE course_id = $1::bigint)"
    LIST_SQL_PAGE(CLASSWORK_COLUMNS, "cw", "cw.id", 2, 3);

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = 1,
	.id_col = CLASSWORK_C_ID,
	.total_col = CLASSWORK_NCOLUMNS,
	.row = classwork_json,
};

static enum api_err
classwork_list(struct call *c)
{
	struct course	 co;
	const char	*params[1];
	enum api_err	 er;

	if ((er = course_load(c->db, c->id_str, &co)) != API_OK ||
	    (er = classwork_check(c->db, &co, &c->a, CLASSWORK_LEARN,
	    NULL)) != API_OK)
		return er;
	params[0] = co.id_str;
	return list_send(c->r, c->db, &list_q, params, c->page, c->per_page);
}

ENDPOINT_MAIN(endpoint)

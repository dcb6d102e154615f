/*
 * lectern — GET /api/courses/{id}/classwork: the classwork of a course,
 * oldest first, for its enrolled users (active enrollment), its author
 * and admins.  Anyone else who can see the course gets 403; a course
 * they cannot see (unknown, draft, archived) is 404.  Paged with page
 * and per_page in the list envelope.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "classwork.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "list.h"

static const char sql_list[] =
    "WITH f AS (SELECT * FROM classwork WHERE course_id = $1::bigint)"
    " SELECT " CLASSWORK_COLUMNS ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.id"
    "  LIMIT $2::bigint OFFSET $3::bigint) cw ON true"
    " ORDER BY cw.id";

/* The classwork of row i of res (list_row_fn). */
static cJSON *
row(const struct db_res *res, int i)
{

	return classwork_json(res, i, 0);
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	sql_list, 1, 0, CLASSWORK_NCOLUMNS, row, 0
};

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	const char	*params[3];
	long long	 page, per_page;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK ||
	    (er = http_paging(r, &page, &per_page)) != API_OK)
		return er;
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = course_load(db, r->path_info[0] == '/' ?
	    r->path_info + 1 : "", &c)) != API_OK ||
	    (er = classwork_check(db, &c, &a, CLASSWORK_LEARN, NULL)) !=
	    API_OK)
		return er;
	params[0] = c.id_str;
	return list_send(r, db, &list_q, params, page, per_page);
}

int
main(void)
{

	return http_main("GET", handle);
}

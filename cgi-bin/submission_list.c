/*
 * lectern — GET /api/classwork/{id}/submissions: the course's author and
 * admins see every submission to the classwork, each with its student's
 * {id, name}; an enrolled learner sees only their own (a list of 0 or
 * 1).  Anyone else who can see the course gets 403; unknown classwork or
 * a course they cannot see is 404.  Oldest first, paged with page and
 * per_page in the list envelope.
 *
 * Two walls keep a learner to their own row: the query names the caller
 * (user_id = $2) and row-level security on submissions filters it again.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "classwork.h"
#include "db.h"
#include "http.h"
#include "list.h"

/* $2 is NULL for the author and admins (all rows), else the caller. */
static const char sql_list[] =
    "WITH f AS (SELECT * FROM submissions WHERE classwork_id = $1::bigint"
    "  AND ($2::bigint IS NULL OR user_id = $2::bigint))"
    " SELECT " SUBMISSION_COLUMNS ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.id"
    "  LIMIT $3::bigint OFFSET $4::bigint) s ON true"
    " LEFT JOIN users u ON u.id = s.user_id"
    " ORDER BY s.id";

/* The submission of row i of res (list_row_fn). */
static cJSON *
row(const struct db_res *res, int i)
{

	return classwork_submission_json(res, i, 0);
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	sql_list, 2, 0, SUBMISSION_NCOLUMNS, row, 0
};

static enum api_err
handle(struct req *r)
{
	struct auth		 a;
	struct classwork	 cw;
	struct db		*db;
	const char		*params[4];
	long long		 page, per_page;
	int			 author;
	enum api_err		 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK ||
	    (er = http_paging(r, &page, &per_page)) != API_OK)
		return er;
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = classwork_load(db, r->path_info[0] == '/' ?
	    r->path_info + 1 : "", CLASSWORK_LOCK_NONE, &cw)) != API_OK ||
	    (er = classwork_check(db, &cw.course, &a, CLASSWORK_LEARN,
	    &author)) != API_OK)
		return er;
	params[0] = cw.id_str;
	params[1] = author ? NULL : a.user.id_str;
	return list_send(r, db, &list_q, params, page, per_page);
}

int
main(void)
{

	return http_main("GET", handle);
}

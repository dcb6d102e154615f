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

#include "classwork.h"
#include "db.h"
#include "endpoint.h"
#include "list.h"

static enum api_err	submission_list(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/classwork/{id}/submissions",
	.who = ROLE_ANY,
	.flags = EP_PAGED,
	.run = submission_list,
};

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

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = 2,
	.id_col = SUBMISSION_C_ID,
	.total_col = SUBMISSION_NCOLUMNS,
	.row = classwork_submission_json,
};

static enum api_err
submission_list(struct call *c)
{
	struct classwork	 cw;
	const char		*params[2];
	int			 author;
	enum api_err		 er;

	if ((er = classwork_load(c->db, c->id_str, CLASSWORK_LOCK_NONE,
	    &cw)) != API_OK ||
	    (er = classwork_check(c->db, &cw.course, &c->a, CLASSWORK_LEARN,
	    &author)) != API_OK)
		return er;
	params[0] = cw.id_str;
	params[1] = author ? NULL : c->user_id;
	return list_send(c->r, c->db, &list_q, params, c->page, c->per_page);
}

ENDPOINT_MAIN(endpoint)

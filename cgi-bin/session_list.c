/*
 * lectern — GET /api/courses/{id}/sessions: a course's live sessions,
 * for whoever may see the course (SPEC §6.5).  Upcoming and running
 * sessions come first, soonest first; then those that have ended,
 * latest first.  Cancelled ones are listed with their status.  The
 * meeting URL goes only to users with an active enrollment, the
 * course's author and admins.  Paged with page and per_page.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "live_session.h"

static enum api_err	session_list(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/courses/{id}/sessions",
	.who = WHO_OPTIONAL,
	.flags = EP_PAGED,
	.run = session_list,
};

static const char sql_list[] =
    "WITH f AS (SELECT s.*, (s.starts_at + make_interval(mins =>"
    "  s.duration_minutes) <= now()) AS ended"
    "  FROM live_sessions s WHERE s.course_id = $1::bigint)"
    LIST_SQL_PAGE(LIVE_SESSION_COLUMNS("$2::boolean"), "s",
    "s.ended, CASE WHEN NOT s.ended THEN s.starts_at END,"
    " s.starts_at DESC, s.id", 3, 4);

static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = 2,
	.id_col = 0,
	.total_col = LIVE_SESSION_NCOLUMNS,
	.row = live_session_json,
};

static enum api_err
session_list(struct call *c)
{
	const struct auth	*a = c->authed ? &c->a : NULL;
	struct course		 co;
	const char		*params[2];
	int			 open;
	enum api_err		 er;

	if ((er = course_load(c->db, c->id_str, &co)) != API_OK ||
	    (er = course_check_learner(c->db, &co, a)) != API_OK ||
	    (er = course_can_learn(c->db, &co, a, &open)) != API_OK)
		return er;
	params[0] = co.id_str;
	params[1] = open ? "true" : "false";
	return list_send(c->r, c->db, &list_q, params, c->page, c->per_page);
}

ENDPOINT_MAIN(endpoint)

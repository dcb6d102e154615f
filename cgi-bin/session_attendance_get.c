/*
 * lectern — GET /api/sessions/{id}/attendance: for the course's author
 * or an admin, every user with an active enrollment in the course (and
 * anyone else marked present) with whether they were there, how it was
 * recorded ("join": they checked in; "teacher": set by PUT) and when
 * they first checked in.  By user id, paged with page and per_page.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "live_session.h"
#include "row.h"

static enum api_err	attendance_get(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/sessions/{id}/attendance",
	.who = ROLE_ANY,
	.flags = EP_PAGED,
	.run = attendance_get,
};

static const struct row_col cols[] = {
	{ "user_id", ROW_NUM, 0 },
	{ "name", ROW_TEXT, 0 },
	{ "present", ROW_BOOL, 0 },
	{ "source", ROW_TEXT, ROW_OMIT_NULL },
	{ "joined_at", ROW_TEXT, ROW_OMIT_NULL },
};

static const char sql_list[] =
    "WITH f AS (SELECT e.user_id FROM enrollments e"
    "  WHERE e.course_id = $2::bigint AND e.status = 'active'"
    "  UNION SELECT a.user_id FROM session_attendance a"
    "  WHERE a.session_id = $1::bigint)"
    " SELECT u.id, u.name, (a.user_id IS NOT NULL), a.source,"
    " " SQL_UTC("a.joined_at") ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.user_id"
    "  LIMIT $3::bigint OFFSET $4::bigint) p ON true"
    " LEFT JOIN users u ON u.id = p.user_id"
    " LEFT JOIN session_attendance a ON a.session_id = $1::bigint"
    "  AND a.user_id = p.user_id"
    " ORDER BY p.user_id";

static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = 2,
	.id_col = 0,
	.total_col = ROW_NCOLS(cols),
	.cols = cols,
	.ncols = ROW_NCOLS(cols),
};

static enum api_err
attendance_get(struct call *c)
{
	struct live_session	 s;
	const char		*params[2];
	enum api_err		 er;

	if ((er = live_session_load(c->db, c->id_str, &c->a, 0, &s)) !=
	    API_OK)
		return er;
	if (!course_is_author(&s.course, &c->a))
		return http_fail(c->r, API_FORBIDDEN, "only the course's "
		    "author or an admin sees attendance");
	params[0] = s.id_str;
	params[1] = s.course.id_str;
	return list_send(c->r, c->db, &list_q, params, c->page, c->per_page);
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — GET /api/courses/{id}/progress: how far the caller is
 * through a course, {completed, total, percent}.  total counts the
 * course's lessons now; completed counts the caller's completions of
 * those lessons only (a deleted lesson takes its completions with it).
 * percent is floor(100 * completed / total), 0 for a course without
 * lessons, so 100 means every lesson is done.  Only a user with an
 * active enrollment may ask (else 403); a course the caller may not see
 * is a 404.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"

static enum api_err	course_progress(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/courses/{id}/progress",
	.who = ROLE_ANY,
	.run = course_progress,
};

/* $1 the course, $2 the caller.  Integer division: the floor. */
static const char sql_progress[] =
    "SELECT count(p.lesson_id), count(*),"
    " coalesce(count(p.lesson_id) * 100 / nullif(count(*), 0), 0)"
    " FROM lessons l"
    " LEFT JOIN lesson_progress p ON p.lesson_id = l.id"
    "  AND p.user_id = $2::bigint"
    " WHERE l.course_id = $1::bigint";

static const struct row_col cols[] = {
	{ "completed", ROW_NUM, 0 },
	{ "total", ROW_NUM, 0 },
	{ "percent", ROW_NUM, 0 },
};

static enum api_err
course_progress(struct call *c)
{
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*body = NULL;
	const char	*params[2];
	int		 enrolled;
	enum api_err	 er;

	if ((er = course_load(c->db, c->id_str, &co)) != API_OK ||
	    (er = course_check_learner(c->db, &co, &c->a)) != API_OK ||
	    (er = course_enrolled(c->db, co.id_str, c->user_id,
	    &enrolled)) != API_OK)
		goto out;
	if (!enrolled) {
		er = http_fail(c->r, API_FORBIDDEN,
		    "only users enrolled in the course have progress in it");
		goto out;
	}
	params[0] = co.id_str;
	params[1] = c->user_id;
	if ((er = db_exec(c->db, sql_progress, 2, params, &res)) != API_OK)
		goto out;
	if ((body = row_json(res, 0, 0, cols, ROW_NCOLS(cols))) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	er = http_send(c->r, 200, body);
out:
	cJSON_Delete(body);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

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

#include <stdlib.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "course.h"
#include "db.h"
#include "http.h"

static const char sql_progress[] =
    "SELECT count(*), count(p.lesson_id) FROM lessons l"
    " LEFT JOIN lesson_progress p ON p.lesson_id = l.id"
    "  AND p.user_id = $2::bigint"
    " WHERE l.course_id = $1::bigint";

/*
 * The body {completed, total, percent}; the caller frees it.  NULL when
 * out of memory.
 */
static cJSON *
progress_json(long long completed, long long total)
{
	cJSON		*o;
	long long	 percent;

	percent = total > 0 ? completed * 100 / total : 0;
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddNumberToObject(o, "completed", (double)completed) ==
	    NULL || cJSON_AddNumberToObject(o, "total", (double)total) ==
	    NULL || cJSON_AddNumberToObject(o, "percent", (double)percent) ==
	    NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	struct db_res	*res = NULL;
	cJSON		*body = NULL;
	const char	*id, *params[2], *total, *done;
	int		 enrolled;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = course_load(db, id, &c)) != API_OK ||
	    (er = course_check_learner(db, &c, &a)) != API_OK ||
	    (er = course_enrolled(db, c.id_str, a.user.id_str,
	    &enrolled)) != API_OK)
		goto out;
	if (!enrolled) {
		er = http_fail(r, API_FORBIDDEN,
		    "only users enrolled in the course have progress in it");
		goto out;
	}
	params[0] = c.id_str;
	params[1] = a.user.id_str;
	if ((er = db_exec(db, sql_progress, 2, params, &res)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	if ((total = db_get(res, 0, 0)) == NULL ||
	    (done = db_get(res, 0, 1)) == NULL) {
		er = API_INTERNAL;
		goto out;
	}
	if ((body = progress_json(strtoll(done, NULL, 10),
	    strtoll(total, NULL, 10))) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send(r, 200, body);
out:
	cJSON_Delete(body);
	db_res_free(res);
	return er;
}

int
main(void)
{

	return http_main("GET", handle);
}

/*
 * lectern — GET /api/courses/{id}/lessons: a course's lessons in order
 * of position, for anyone who may see the course (drafts and archived
 * courses are 404 but to their author and admins).  The author, admins
 * and users with an active enrollment get every lesson's content and
 * video_url; anyone else gets them only for preview lessons, and the
 * other lessons come without those two keys.  Not paged: a course holds
 * at most LESSON_MAX lessons.  Body {items, total}.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lesson.h"
#include "row.h"

static enum api_err	lesson_list(struct call *);

/* In a transaction as the caller: enrollments are under row security. */
static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/courses/{id}/lessons",
	.who = WHO_OPTIONAL,
	.run = lesson_list,
};

static const char sql_list[] =
    "SELECT " LESSON_COLUMNS("$2::boolean OR l.is_preview")
    " FROM lessons l WHERE l.course_id = $1::bigint"
    " ORDER BY l.position, l.id";

/*
 * The response body for the rows of res: {items, total}.  The caller
 * frees it; NULL when out of memory.
 */
static cJSON *
list_json(const struct db_res *res)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL ||
	    row_add_array(o, "items", res, lesson_json) == -1 ||
	    cJSON_AddNumberToObject(o, "total", (double)db_nrows(res)) ==
	    NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static enum api_err
lesson_list(struct call *c)
{
	const struct auth *ap = c->authed ? &c->a : NULL;
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*body = NULL;
	const char	*params[2];
	int		 learn;
	enum api_err	 er;

	if ((er = course_load(c->db, c->id_str, &co)) != API_OK ||
	    (er = course_check_learner(c->db, &co, ap)) != API_OK ||
	    (er = course_can_learn(c->db, &co, ap, &learn)) != API_OK)
		goto out;
	params[0] = co.id_str;
	params[1] = learn ? "true" : "false";
	if ((er = db_exec(c->db, sql_list, 2, params, &res)) != API_OK)
		goto out;
	if ((body = list_json(res)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send(c->r, 200, body);
out:
	cJSON_Delete(body);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — GET /api/lessons/{id}: one lesson, for anyone who may see
 * its course.  Content and video_url as in the lesson list: for the
 * author, admins, users with an active enrollment, and everyone when the
 * lesson is a preview; otherwise both keys are left out.  An unknown
 * lesson, or one of a course the caller may not see, is a 404.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lesson.h"
#include "upload.h"

static enum api_err	lesson_get(struct call *);

/* In a transaction as the caller: enrollments are under row security. */
static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/lessons/{id}",
	.who = WHO_OPTIONAL,
	.run = lesson_get,
};

static const char sql_lesson[] =
    "SELECT " LESSON_COLUMNS("$2::boolean OR l.is_preview")
    " FROM lessons l WHERE l.id = $1::bigint";

static enum api_err
lesson_get(struct call *c)
{
	const struct auth *ap = c->authed ? &c->a : NULL;
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*body = NULL;
	const char	*params[2];
	int		 learn;
	enum api_err	 er;

	if ((er = lesson_course(c->db, c->id_str, ap, &co)) != API_OK ||
	    (er = course_can_learn(c->db, &co, ap, &learn)) != API_OK)
		goto out;
	params[0] = c->id_str;
	params[1] = learn ? "true" : "false";
	if ((er = db_exec(c->db, sql_lesson, 2, params, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((body = lesson_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	/* The files go with the content, to those who may read it. */
	if (cJSON_HasObjectItem(body, "content")) {
		if ((er = upload_lesson_files(c->db, c->id_str, body)) !=
		    API_OK)
			goto out;
	}
	er = http_send(c->r, 200, body);
out:
	cJSON_Delete(body);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

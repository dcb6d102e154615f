/*
 * lectern — GET /api/lessons/{id}: one lesson, for anyone who may see
 * its course.  Content and video_url as in the lesson list: for the
 * author, admins, users with an active enrollment, and everyone when the
 * lesson is a preview; otherwise both keys are left out.  An unknown
 * lesson, or one of a course the caller may not see, is a 404.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "lesson.h"

static const char sql_lesson[] =
    "SELECT " LESSON_COLUMNS("$2::boolean OR l.is_preview")
    " FROM lessons l WHERE l.id = $1::bigint";

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	struct db_res	*res = NULL;
	const struct auth *ap;
	cJSON		*body = NULL;
	const char	*id, *params[2];
	int		 have, learn;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_optional(r, db, &a, &have)) != API_OK)
		return er;
	ap = have ? &a : NULL;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if ((er = db_begin(db, have ? a.user.id_str : NULL,
	    have ? a.user.role : NULL)) != API_OK ||
	    (er = lesson_course(db, id, ap, &c)) != API_OK ||
	    (er = course_can_learn(db, &c, ap, &learn)) != API_OK)
		goto out;
	params[0] = id;
	params[1] = learn ? "true" : "false";
	if ((er = db_exec(db, sql_lesson, 2, params, &res)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((body = lesson_json(res, 0)) == NULL) {
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

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

#include "auth.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "lesson.h"

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
	cJSON	*o, *items, *it;
	int	 i;

	if ((o = cJSON_CreateObject()) == NULL ||
	    (items = cJSON_AddArrayToObject(o, "items")) == NULL)
		goto enomem;
	for (i = 0; i < db_nrows(res); i++) {
		if ((it = lesson_json(res, i)) == NULL)
			goto enomem;
		cJSON_AddItemToArray(items, it);
	}
	if (cJSON_AddNumberToObject(o, "total", (double)db_nrows(res)) == NULL)
		goto enomem;
	return o;
enomem:
	cJSON_Delete(o);
	return NULL;
}

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
	    (er = course_load(db, id, &c)) != API_OK ||
	    (er = course_check_learner(db, &c, ap)) != API_OK ||
	    (er = course_can_learn(db, &c, ap, &learn)) != API_OK)
		goto out;
	params[0] = c.id_str;
	params[1] = learn ? "true" : "false";
	if ((er = db_exec(db, sql_list, 2, params, &res)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	if ((body = list_json(res)) == NULL) {
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

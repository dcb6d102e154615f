/*
 * lectern — DELETE /api/lessons/{id}: the course's author or an admin
 * removes a lesson.  The lessons after it move up by one, so positions
 * stay dense; the progress rows of the lesson go with it (ON DELETE
 * CASCADE).  The course row is locked first, as for every change of
 * positions.  Others who may see the course get 403, everyone else 404.
 * 204.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "lesson.h"

static const char sql_delete[] =
    "DELETE FROM lessons WHERE id = $1::bigint AND course_id = $2::bigint"
    " RETURNING position";

static const char sql_close_gap[] =
    "UPDATE lessons SET position = position - 1"
    " WHERE course_id = $1::bigint AND position > $2::integer";

/*
 * Delete lesson id of course c inside the open transaction and close the
 * gap it leaves.  Returns API_OK, API_NOT_FOUND when the lesson went
 * away meanwhile, or a database error.
 */
static enum api_err
remove_lesson(struct db *db, const struct course *c, const char *id)
{
	struct db_res	*res = NULL;
	const char	*params[2];
	long long	 n;
	enum api_err	 er;

	if ((er = lesson_lock_course(db, c, &n)) != API_OK)
		return er;
	params[0] = id;
	params[1] = c->id_str;
	if ((er = db_exec(db, sql_delete, 2, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1 || db_get(res, 0, 0) == NULL) {
		er = API_NOT_FOUND;
		goto out;
	}
	params[0] = c->id_str;
	params[1] = db_get(res, 0, 0);
	er = db_exec(db, sql_close_gap, 2, params, NULL);
out:
	db_res_free(res);
	return er;
}

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	const char	*id;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = lesson_course(db, id, &a, &c)) != API_OK)
		return er;
	if (!course_is_author(&c, &a))
		return http_fail(r, API_FORBIDDEN,
		    "only the course's author or an admin removes lessons");
	if ((er = remove_lesson(db, &c, id)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		return er;
	return http_send(r, 204, NULL);
}

int
main(void)
{

	return http_main("DELETE", handle);
}

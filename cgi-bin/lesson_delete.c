/*
 * lectern — DELETE /api/lessons/{id}: the course's author or an admin
 * removes a lesson.  The lessons after it move up by one, so positions
 * stay dense; the progress rows of the lesson go with it (ON DELETE
 * CASCADE).  The course row is locked first, as for every change of
 * positions.  Others who may see the course get 403, everyone else 404.
 * 204.
 */
#include "config.h"

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lesson.h"
#include "upload.h"

static enum api_err	lesson_delete(struct call *);

static const struct endpoint endpoint = {
	.method = "DELETE",
	.route = "/api/lessons/{id}",
	.who = ROLE_ANY,
	.run = lesson_delete,
};

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
lesson_delete(struct call *c)
{
	struct course	 co;
	enum api_err	 er;

	if ((er = lesson_course(c->db, c->id_str, &c->a, &co)) != API_OK)
		return er;
	if (!course_is_author(&co, &c->a))
		return http_fail(c->r, API_FORBIDDEN,
		    "only the course's author or an admin removes lessons");
	if ((er = remove_lesson(c->db, &co, c->id_str)) != API_OK ||
	    (er = db_commit(c->db)) != API_OK)
		return er;
	/* Its files (schema/012 marked them) once it is gone for good. */
	upload_purge(c->db, NULL);
	return http_send(c->r, 204, NULL);
}

ENDPOINT_MAIN(endpoint)

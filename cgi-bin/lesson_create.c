/*
 * lectern — POST /api/courses/{id}/lessons: the course's author or an
 * admin adds a lesson {title, content?, position?, video_url?,
 * is_preview?}.  position is 1 to one past the last lesson (default:
 * the end); the lessons from there on move down by one, so positions
 * stay dense and unique.  The course row is locked first
 * (lesson_lock_course), so concurrent inserts run one after the other.
 * Others who may see the course get 403, everyone else 404.  201 with
 * the lesson and Location: /api/lessons/<id>.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "lesson.h"
#include "valid.h"

enum field { F_TITLE, F_CONTENT, F_POSITION, F_VIDEO, F_PREVIEW, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "title", valid_string, VF_REQUIRED, 1, 200 },
	{ "content", valid_string, VF_MULTILINE | VF_NULLABLE, 0,
	    LESSON_CONTENT_MAX },
	{ "position", valid_int, 0, 1, LESSON_MAX },
	{ "video_url", valid_string, VF_NULLABLE, 1, LESSON_URL_MAX },
	{ "is_preview", valid_bool, 0, 0, 0 },
};

static const char sql_shift[] =
    "UPDATE lessons SET position = position + 1"
    " WHERE course_id = $1::bigint AND position >= $2::integer";

static const char sql_insert[] =
    "INSERT INTO lessons AS l (course_id, title, content, position,"
    " video_url, is_preview) VALUES ($1::bigint, $2, coalesce($3, ''),"
    " $4::integer, $5, coalesce($6::boolean, false))"
    " RETURNING " LESSON_COLUMNS("true");

/*
 * Read and check the body into in[].  Returns API_OK (the caller frees
 * in with valid_out_free), API_INVALID with the detail set, or another
 * error.
 */
static enum api_err
read_input(struct req *r, struct vout *in)
{
	cJSON		*body, *errs = NULL;
	enum api_err	 er;

	if ((er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	if (in[F_VIDEO].present && !lesson_url_ok(in[F_VIDEO].v.s)) {
		valid_out_free(in, fields, F__MAX);
		return http_invalid_field(r, "video_url",
		    "must be an https:// URL");
	}
	return API_OK;
}

/*
 * Insert the lesson in[] into course c at its position, inside the open
 * transaction, and leave the new row in *res.  Returns API_OK,
 * API_INVALID for a position past the end, API_CONFLICT when the course
 * is full, or a database error.
 */
static enum api_err
insert(struct req *r, struct db *db, const struct course *c,
    const struct vout *in, struct db_res **res)
{
	const char	*params[6];
	char		 pos[24];
	long long	 n, p;
	enum api_err	 er;

	if ((er = lesson_lock_course(db, c, &n)) != API_OK)
		return er;
	if (n >= LESSON_MAX)
		return http_fail(r, API_CONFLICT,
		    "the course already holds the most lessons it can");
	p = in[F_POSITION].present ? in[F_POSITION].v.i : n + 1;
	if (p > n + 1)
		return http_invalid_field(r, "position",
		    "must be at most one past the last lesson");
	snprintf(pos, sizeof(pos), "%lld", p);
	params[0] = c->id_str;
	params[1] = pos;
	if (p <= n && (er = db_exec(db, sql_shift, 2, params, NULL)) != API_OK)
		return er;
	params[1] = in[F_TITLE].v.s;
	params[2] = in[F_CONTENT].present ? in[F_CONTENT].v.s : NULL;
	params[3] = pos;
	params[4] = in[F_VIDEO].present ? in[F_VIDEO].v.s : NULL;
	params[5] = !in[F_PREVIEW].present ? NULL :
	    in[F_PREVIEW].v.b ? "true" : "false";
	return db_exec(db, sql_insert, 6, params, res);
}

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	struct db_res	*res = NULL;
	cJSON		*body = NULL;
	const char	*id, *lid;
	char		 loc[64];
	int		 have_in = 0;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = course_load(db, id, &c)) != API_OK ||
	    (er = course_check_visible(&c, &a)) != API_OK)
		goto out;
	if (!course_is_author(&c, &a)) {
		er = http_fail(r, API_FORBIDDEN,
		    "only the course's author or an admin adds lessons");
		goto out;
	}
	if ((er = read_input(r, in)) != API_OK)
		goto out;
	have_in = 1;
	if ((er = insert(r, db, &c, in, &res)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	if ((lid = db_get(res, 0, 0)) == NULL) {
		er = API_INTERNAL;
		goto out;
	}
	if ((body = lesson_json(res, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	snprintf(loc, sizeof(loc), "/api/lessons/%s", lid);
	if ((er = http_header(r, "Location", loc)) != API_OK)
		goto out;
	er = http_send(r, 201, body);
out:
	cJSON_Delete(body);
	db_res_free(res);
	if (have_in)
		valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("POST", handle);
}

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

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lesson.h"

static enum api_err	lesson_create(struct call *);

enum field { F_TITLE, F_CONTENT, F_POSITION, F_VIDEO, F_PREVIEW, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 200 },
	[F_CONTENT] = { .name = "content", .fn = valid_string,
	    .flags = VF_MULTILINE | VF_NULLABLE, .max = LESSON_CONTENT_MAX },
	[F_POSITION] = { .name = "position", .fn = valid_int, .min = 1,
	    .max = LESSON_MAX },
	[F_VIDEO] = { .name = "video_url", .fn = lesson_valid_url,
	    .flags = VF_NULLABLE | VF_STRING, .min = 1, .max = LESSON_URL_MAX },
	[F_PREVIEW] = { .name = "is_preview", .fn = valid_bool },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/courses/{id}/lessons",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = lesson_create,
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
lesson_create(struct call *c)
{
	struct req	*r = c->r;
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*body = NULL;
	const char	*lid;
	enum api_err	 er;

	if ((er = course_load(c->db, c->id_str, &co)) != API_OK ||
	    (er = course_check_visible(&co, &c->a)) != API_OK)
		goto out;
	if (!course_is_author(&co, &c->a)) {
		er = http_fail(r, API_FORBIDDEN,
		    "only the course's author or an admin adds lessons");
		goto out;
	}
	if ((er = insert(r, c->db, &co, c->in, &res)) != API_OK)
		goto out;
	if ((body = lesson_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	lid = db_get(res, 0, 0);	/* LESSON_COLUMNS: the id first */
	er = http_send_created(r, body, "/api/lessons/%s", lid);
out:
	cJSON_Delete(body);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — PATCH /api/lessons/{id}: the course's author or an admin
 * changes a lesson's title, content, video_url, is_preview or position.
 * content null empties it; video_url null removes it.  A new position
 * (1 to the number of lessons) moves the lesson: the lessons in between
 * shift by one towards the gap it leaves, so positions stay dense and
 * unique.  The course row is locked first, as for every change of
 * positions.  Others who may see the course get 403, everyone else 404.
 * 200 with the lesson as it is now.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lesson.h"
#include "upload.h"

static enum api_err	lesson_update(struct call *);

enum field {
	F_TITLE, F_CONTENT, F_VIDEO, F_PREVIEW, F_POSITION, F_ATTACH, F__MAX
};

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string, .min = 1,
	    .max = 200 },
	[F_CONTENT] = { .name = "content", .fn = valid_string,
	    .flags = VF_MULTILINE | VF_NULLABLE, .max = LESSON_CONTENT_MAX },
	[F_VIDEO] = { .name = "video_url", .fn = lesson_valid_url,
	    .flags = VF_NULLABLE | VF_STRING, .min = 1, .max = LESSON_URL_MAX },
	[F_PREVIEW] = { .name = "is_preview", .fn = valid_bool },
	[F_POSITION] = { .name = "position", .fn = valid_int, .min = 1,
	    .max = LESSON_MAX },
	[F_ATTACH] = { .name = "attachments", .fn = upload_valid_ids,
	    .flags = VF_STRING },
};

static const struct endpoint endpoint = {
	.method = "PATCH",
	.route = "/api/lessons/{id}",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_ONE_OF,
	.run = lesson_update,
};

static const char sql_position[] =
    "SELECT position FROM lessons WHERE id = $1::bigint"
    " AND course_id = $2::bigint FOR UPDATE";

/* The lesson moves up (to a smaller position): those between go down. */
static const char sql_move_up[] =
    "UPDATE lessons SET position = position + 1"
    " WHERE course_id = $1::bigint AND position >= $2::integer"
    " AND position < $3::integer";

/* The lesson moves down: those between go up. */
static const char sql_move_down[] =
    "UPDATE lessons SET position = position - 1"
    " WHERE course_id = $1::bigint AND position > $2::integer"
    " AND position <= $3::integer";

static const char sql_update[] =
    "UPDATE lessons AS l SET title = coalesce($2, l.title),"
    " content = CASE WHEN $3::boolean THEN coalesce($4, '')"
    "  ELSE l.content END,"
    " video_url = CASE WHEN $5::boolean THEN $6 ELSE l.video_url END,"
    " is_preview = coalesce($7::boolean, l.is_preview),"
    " position = coalesce($8::integer, l.position)"
    " WHERE l.id = $1::bigint RETURNING " LESSON_COLUMNS("true");

/* The list of files: ready uploads made for this lesson (checked). */
static const char sql_attach[] =
    "UPDATE lessons SET attachments = $2::bigint[] WHERE id = $1::bigint";

#define GIVEN(in, f)	((in)[f].present || (in)[f].is_null)

/*
 * Move lesson id of course c from position old to new, inside the open
 * transaction with the course locked: shift the lessons in between.
 * The lesson's own row gets its position in the final update.  Returns
 * API_OK or a database error.
 */
static enum api_err
move(struct db *db, const struct course *c, long long old, long long new)
{
	const char	*params[3];
	char		 a[24], b[24];

	if (new == old)
		return API_OK;
	params[0] = c->id_str;
	params[1] = a;
	params[2] = b;
	if (new < old) {
		snprintf(a, sizeof(a), "%lld", new);
		snprintf(b, sizeof(b), "%lld", old);
		return db_exec(db, sql_move_up, 3, params, NULL);
	}
	snprintf(a, sizeof(a), "%lld", old);
	snprintf(b, sizeof(b), "%lld", new);
	return db_exec(db, sql_move_down, 3, params, NULL);
}

/*
 * Apply in[] to lesson id of course c inside the open transaction and
 * leave the lesson as it is now in *res.  Returns API_OK, API_NOT_FOUND
 * when the lesson went away meanwhile, API_INVALID for a position past
 * the end, or a database error.
 */
static enum api_err
apply(struct req *r, struct db *db, const struct course *c,
    const char *id, const struct vout *in, struct db_res **res)
{
	struct db_res	*cur = NULL;
	const char	*params[8];
	char		 pos[24] = "";
	long long	 n, old;
	enum api_err	 er;

	if ((er = lesson_lock_course(db, c, &n)) != API_OK)
		return er;
	params[0] = id;
	params[1] = c->id_str;
	if ((er = db_exec(db, sql_position, 2, params, &cur)) != API_OK)
		return er;
	if (db_nrows(cur) != 1 || db_get(cur, 0, 0) == NULL) {
		db_res_free(cur);
		return API_NOT_FOUND;
	}
	old = strtoll(db_get(cur, 0, 0), NULL, 10);
	db_res_free(cur);
	if (in[F_POSITION].present) {
		if (in[F_POSITION].v.i > n)
			return http_invalid_field(r, "position",
			    "must be at most the number of lessons");
		if ((er = move(db, c, old, in[F_POSITION].v.i)) != API_OK)
			return er;
		snprintf(pos, sizeof(pos), "%lld", in[F_POSITION].v.i);
	}
	if (in[F_ATTACH].present) {
		params[1] = in[F_ATTACH].v.s;
		if ((er = upload_check_ids(r, db, "attachments",
		    in[F_ATTACH].v.s, "lesson", id, NULL)) != API_OK ||
		    (er = db_exec(db, sql_attach, 2, params, NULL)) != API_OK)
			return er;
	}
	params[1] = in[F_TITLE].present ? in[F_TITLE].v.s : NULL;
	params[2] = GIVEN(in, F_CONTENT) ? "true" : "false";
	params[3] = in[F_CONTENT].present ? in[F_CONTENT].v.s : NULL;
	params[4] = GIVEN(in, F_VIDEO) ? "true" : "false";
	params[5] = in[F_VIDEO].present ? in[F_VIDEO].v.s : NULL;
	params[6] = !in[F_PREVIEW].present ? NULL :
	    in[F_PREVIEW].v.b ? "true" : "false";
	params[7] = in[F_POSITION].present ? pos : NULL;
	return db_exec(db, sql_update, 8, params, res);
}

static enum api_err
lesson_update(struct call *c)
{
	struct req	*r = c->r;
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*body = NULL;
	enum api_err	 er;

	if ((er = lesson_course(c->db, c->id_str, &c->a, &co)) != API_OK)
		return er;
	if (!course_is_author(&co, &c->a))
		return http_fail(r, API_FORBIDDEN,
		    "only the course's author or an admin changes lessons");
	if ((er = apply(r, c->db, &co, c->id_str, c->in, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((body = lesson_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	if ((er = upload_lesson_files(c->db, c->id_str, body)) != API_OK)
		goto out;
	er = http_send(r, 200, body);
out:
	cJSON_Delete(body);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

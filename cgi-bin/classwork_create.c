/*
 * lectern — POST /api/courses/{id}/classwork: the course's author or an
 * admin adds a piece of classwork {title, instructions, due_at?,
 * max_points?}.  due_at is an RFC 3339 timestamp (a date in the past is
 * allowed: the work is then closed to submissions at once); max_points
 * is 0 to 100000, 100 when not given.  201 with the item and Location
 * /api/classwork/<id>.  A caller who can see the course but does not
 * author it gets 403; a course they cannot see is 404.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "classwork.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "valid.h"

enum field { F_TITLE, F_INSTRUCTIONS, F_DUE_AT, F_MAX_POINTS, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "title", valid_string, VF_REQUIRED, 1, 200 },
	{ "instructions", valid_string, VF_REQUIRED | VF_MULTILINE, 1, 20000 },
	{ "due_at", valid_timestamp, VF_NULLABLE, 0, 0 },
	{ "max_points", valid_int, 0, 0, 100000 },
};

static const char sql_insert[] =
    "INSERT INTO classwork AS cw (course_id, title, instructions, due_at,"
    " max_points) VALUES ($1::bigint, $2, $3, $4::timestamptz,"
    " coalesce($5::integer, 100))"
    " RETURNING " CLASSWORK_COLUMNS;

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	struct db_res	*res = NULL;
	cJSON		*body, *errs, *o = NULL;
	const char	*params[5];
	char		 max[24], loc[64];
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = course_load(db, r->path_info[0] == '/' ?
	    r->path_info + 1 : "", &c)) != API_OK ||
	    (er = classwork_check(db, &c, &a, CLASSWORK_AUTHOR, NULL)) !=
	    API_OK ||
	    (er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	snprintf(max, sizeof(max), "%lld", in[F_MAX_POINTS].v.i);
	params[0] = c.id_str;
	params[1] = in[F_TITLE].v.s;
	params[2] = in[F_INSTRUCTIONS].v.s;
	params[3] = in[F_DUE_AT].present ? in[F_DUE_AT].v.s : NULL;
	params[4] = in[F_MAX_POINTS].present ? max : NULL;
	if ((er = db_exec(db, sql_insert, 5, params, &res)) != API_OK)
		goto out;
	if ((o = classwork_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	if ((er = classwork_audit(r, db, &a, &c, "classwork.create",
	    "classwork", db_get(res, 0, 0))) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	snprintf(loc, sizeof(loc), "/api/classwork/%s", db_get(res, 0, 0));
	if ((er = http_header(r, "Location", loc)) != API_OK)
		goto out;
	er = http_send(r, 201, o);
out:
	cJSON_Delete(o);
	db_res_free(res);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("POST", handle);
}

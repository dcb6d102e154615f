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

#include "classwork.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	classwork_create(struct call *);

enum field { F_TITLE, F_INSTRUCTIONS, F_DUE_AT, F_MAX_POINTS, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 200 },
	[F_INSTRUCTIONS] = { .name = "instructions", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_MULTILINE, .min = 1, .max = 20000 },
	[F_DUE_AT] = { .name = "due_at", .fn = valid_timestamp,
	    .flags = VF_NULLABLE },
	[F_MAX_POINTS] = { .name = "max_points", .fn = valid_int, .min = 0,
	    .max = 100000 },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/courses/{id}/classwork",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = classwork_create,
};

static const char sql_insert[] =
    "INSERT INTO classwork AS cw (course_id, title, instructions, due_at,"
    " max_points) VALUES ($1::bigint, $2, $3, $4::timestamptz,"
    " coalesce($5::integer, 100))"
    " RETURNING " CLASSWORK_COLUMNS;

static enum api_err
classwork_create(struct call *c)
{
	struct req	*r = c->r;
	const struct vout *in = c->in;
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*o = NULL;
	const char	*params[5], *id;
	char		 max[24];
	enum api_err	 er;

	if ((er = course_load(c->db, c->id_str, &co)) != API_OK ||
	    (er = classwork_check(c->db, &co, &c->a, CLASSWORK_AUTHOR,
	    NULL)) != API_OK)
		return er;
	snprintf(max, sizeof(max), "%lld", in[F_MAX_POINTS].v.i);
	params[0] = co.id_str;
	params[1] = in[F_TITLE].v.s;
	params[2] = in[F_INSTRUCTIONS].v.s;
	params[3] = in[F_DUE_AT].present ? in[F_DUE_AT].v.s : NULL;
	params[4] = in[F_MAX_POINTS].present ? max : NULL;
	if ((er = db_exec(c->db, sql_insert, 5, params, &res)) != API_OK)
		goto out;
	if ((o = classwork_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	id = db_get(res, 0, CLASSWORK_C_ID);
	if ((er = classwork_audit(r, c->db, &c->a, &co, "classwork.create",
	    "classwork", id)) != API_OK)
		goto out;
	er = http_send_created(r, o, "/api/classwork/%s", id);
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

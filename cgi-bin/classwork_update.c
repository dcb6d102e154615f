/*
 * lectern — PATCH /api/classwork/{id}: the course's author or an admin
 * changes title, instructions, due_at or max_points.  due_at null clears
 * the due date.  max_points may not go below a grade already given
 * (409 conflict): the classwork row is locked first, and grading locks
 * it too (submission_grade.c), so the check cannot race a grade.  A
 * caller who can see the course but does not author it gets 403; unknown
 * classwork or a course they cannot see is 404.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "classwork.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"

static enum api_err	classwork_update(struct call *);

enum field { F_TITLE, F_INSTRUCTIONS, F_DUE_AT, F_MAX_POINTS, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string, .min = 1,
	    .max = 200 },
	[F_INSTRUCTIONS] = { .name = "instructions", .fn = valid_string,
	    .flags = VF_MULTILINE, .min = 1, .max = 20000 },
	[F_DUE_AT] = { .name = "due_at", .fn = valid_timestamp,
	    .flags = VF_NULLABLE },
	[F_MAX_POINTS] = { .name = "max_points", .fn = valid_int, .min = 0,
	    .max = 100000 },
};

static const struct endpoint endpoint = {
	.method = "PATCH",
	.route = "/api/classwork/{id}",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_ONE_OF,
	.run = classwork_update,
};

/*
 * Submissions are under row-level security: the author and admins see
 * all of the classwork's.
 */
static const char sql_top_grade[] =
    "SELECT max(grade) FROM submissions WHERE classwork_id = $1::bigint";

static const char sql_update[] =
    "UPDATE classwork AS cw SET title = coalesce($2, cw.title),"
    " instructions = coalesce($3, cw.instructions),"
    " due_at = CASE WHEN $4::boolean THEN NULL"
    "  ELSE coalesce($5::timestamptz, cw.due_at) END,"
    " max_points = coalesce($6::integer, cw.max_points)"
    " WHERE cw.id = $1::bigint RETURNING " CLASSWORK_COLUMNS;

/*
 * Refuse (409) a max_points below the highest grade already given for
 * classwork id.  Returns API_OK, API_CONFLICT with the message set, or a
 * database error.
 */
static enum api_err
check_grades(struct req *r, struct db *db, const char *id, long long max)
{
	struct db_res	*res = NULL;
	const char	*v;
	char		 msg[160];
	long long	 top;
	enum api_err	 er;

	if ((er = db_exec(db, sql_top_grade, 1, &id, &res)) != API_OK)
		return er;
	v = db_get(res, 0, 0);
	top = v != NULL ? strtoll(v, NULL, 10) : -1;
	db_res_free(res);
	if (top <= max)
		return API_OK;
	snprintf(msg, sizeof(msg), "max_points cannot be lower than a grade "
	    "already given (the highest is %lld)", top);
	return http_fail(r, API_CONFLICT, msg);
}

static enum api_err
classwork_update(struct call *c)
{
	struct req		*r = c->r;
	const struct vout	*in = c->in;
	struct classwork	 cw;
	struct db_res		*res = NULL;
	const char		*params[6];
	char			 max[24];
	enum api_err		 er;

	if ((er = classwork_load(c->db, c->id_str, CLASSWORK_LOCK_UPDATE,
	    &cw)) != API_OK ||
	    (er = classwork_check(c->db, &cw.course, &c->a, CLASSWORK_AUTHOR,
	    NULL)) != API_OK)
		return er;
	if (in[F_MAX_POINTS].present && in[F_MAX_POINTS].v.i < cw.max_points &&
	    (er = check_grades(r, c->db, cw.id_str, in[F_MAX_POINTS].v.i)) !=
	    API_OK)
		return er;
	snprintf(max, sizeof(max), "%lld", in[F_MAX_POINTS].v.i);
	params[0] = cw.id_str;
	params[1] = in[F_TITLE].present ? in[F_TITLE].v.s : NULL;
	params[2] = in[F_INSTRUCTIONS].present ? in[F_INSTRUCTIONS].v.s :
	    NULL;
	params[3] = in[F_DUE_AT].is_null ? "true" : "false";
	params[4] = in[F_DUE_AT].present ? in[F_DUE_AT].v.s : NULL;
	params[5] = in[F_MAX_POINTS].present ? max : NULL;
	if ((er = db_exec(c->db, sql_update, 6, params, &res)) == API_OK &&
	    (er = db_nrows(res) == 1 ? API_OK : API_NOT_FOUND) == API_OK &&
	    (er = classwork_audit(r, c->db, &c->a, &cw.course,
	    "classwork.update", "classwork", cw.id_str)) == API_OK)
		er = row_send(r, 200, res, classwork_json);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

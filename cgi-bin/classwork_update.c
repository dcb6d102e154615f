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

#include "auth.h"
#include "classwork.h"
#include "db.h"
#include "http.h"
#include "valid.h"

enum field { F_TITLE, F_INSTRUCTIONS, F_DUE_AT, F_MAX_POINTS, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "title", valid_string, 0, 1, 200 },
	{ "instructions", valid_string, VF_MULTILINE, 1, 20000 },
	{ "due_at", valid_timestamp, VF_NULLABLE, 0, 0 },
	{ "max_points", valid_int, 0, 0, 100000 },
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
	if (!in[F_TITLE].present && !in[F_INSTRUCTIONS].present &&
	    !in[F_DUE_AT].present && !in[F_DUE_AT].is_null &&
	    !in[F_MAX_POINTS].present) {
		valid_out_free(in, fields, F__MAX);
		return http_invalid_field(r, "body", "must set at least one of "
		    "title, instructions, due_at, max_points");
	}
	return API_OK;
}

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
handle(struct req *r)
{
	struct vout		 in[F__MAX];
	struct auth		 a;
	struct classwork	 cw;
	struct db		*db;
	struct db_res		*res = NULL;
	cJSON			*o = NULL;
	const char		*id, *params[6];
	char			 max[24];
	enum api_err		 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = classwork_load(db, id, CLASSWORK_LOCK_UPDATE, &cw)) !=
	    API_OK ||
	    (er = classwork_check(db, &cw.course, &a, CLASSWORK_AUTHOR,
	    NULL)) != API_OK ||
	    (er = read_input(r, in)) != API_OK)
		return er;
	if (in[F_MAX_POINTS].present && in[F_MAX_POINTS].v.i < cw.max_points &&
	    (er = check_grades(r, db, cw.id_str, in[F_MAX_POINTS].v.i)) !=
	    API_OK)
		goto out;
	snprintf(max, sizeof(max), "%lld", in[F_MAX_POINTS].v.i);
	params[0] = cw.id_str;
	params[1] = in[F_TITLE].present ? in[F_TITLE].v.s : NULL;
	params[2] = in[F_INSTRUCTIONS].present ? in[F_INSTRUCTIONS].v.s :
	    NULL;
	params[3] = in[F_DUE_AT].is_null ? "true" : "false";
	params[4] = in[F_DUE_AT].present ? in[F_DUE_AT].v.s : NULL;
	params[5] = in[F_MAX_POINTS].present ? max : NULL;
	if ((er = db_exec(db, sql_update, 6, params, &res)) != API_OK)
		goto out;
	if ((o = classwork_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_NOT_FOUND;
		goto out;
	}
	if ((er = classwork_audit(r, db, &a, &cw.course, "classwork.update",
	    "classwork", cw.id_str)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	er = http_send(r, 200, o);
out:
	cJSON_Delete(o);
	db_res_free(res);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("PATCH", handle);
}

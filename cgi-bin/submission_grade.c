/*
 * lectern — PATCH /api/submissions/{id}: the author of the classwork's
 * course or an admin grades a submission {grade, feedback?}.  grade is
 * an integer from 0 to the classwork's max_points (above: 400
 * fields.grade; the schema's trigger refuses it too).  feedback is
 * multi-line text of at most 20000 characters; left out it stays as it
 * is, null clears it.  Sets graded_at, graded_by and updated_at; 200
 * with the submission.  Grading again replaces the grade.
 *
 * Who may not: the submission's own student gets 403 (they can see it);
 * anyone else gets 404, never revealing that the id exists (row-level
 * security hides other people's submissions from them as well).  The
 * classwork row is share-locked before the grade is checked, so a
 * concurrent lowering of max_points (classwork_update.c) waits for us or
 * sees our grade.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "classwork.h"
#include "db.h"
#include "http.h"
#include "valid.h"

enum field { F_GRADE, F_FEEDBACK, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "grade", valid_int, VF_REQUIRED, 0, 100000 },
	{ "feedback", valid_string, VF_MULTILINE | VF_NULLABLE, 1, 20000 },
};

/* Under row-level security: only rows the caller may see. */
static const char sql_find[] =
    "SELECT s.classwork_id, s.user_id FROM submissions s"
    " WHERE s.id = $1::bigint FOR UPDATE";

static const char sql_grade[] =
    "WITH up AS (UPDATE submissions AS cur SET grade = $2::integer,"
    "  feedback = CASE WHEN $3::boolean THEN NULL"
    "   ELSE coalesce($4, cur.feedback) END,"
    "  graded_at = now(), graded_by = $5::bigint, updated_at = now()"
    "  WHERE cur.id = $1::bigint RETURNING cur.*)"
    " SELECT " SUBMISSION_COLUMNS
    " FROM up s JOIN users u ON u.id = s.user_id";

/*
 * Find submission id and decide whether a may grade it, locking the
 * submission and then its classwork (shared) into *cw.  Returns API_OK,
 * API_NOT_FOUND, API_FORBIDDEN (a's own submission) or a database
 * error.
 */
static enum api_err
find(struct db *db, const char *id, const struct auth *a,
    struct classwork *cw)
{
	struct db_res	*res = NULL;
	char		 cwid[24], owner[24];
	enum api_err	 er;

	if ((er = db_exec(db, sql_find, 1, &id, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1 || db_get(res, 0, 0) == NULL ||
	    db_get(res, 0, 1) == NULL) {
		db_res_free(res);
		return API_NOT_FOUND;
	}
	snprintf(cwid, sizeof(cwid), "%s", db_get(res, 0, 0));
	snprintf(owner, sizeof(owner), "%s", db_get(res, 0, 1));
	db_res_free(res);
	if ((er = classwork_load(db, cwid, CLASSWORK_LOCK_SHARE, cw)) !=
	    API_OK)
		return er;
	if (course_is_author(&cw->course, a))
		return API_OK;
	return strcmp(owner, a->user.id_str) == 0 ? API_FORBIDDEN :
	    API_NOT_FOUND;
}

/*
 * Read and check the body into in[] against max_points.  Returns API_OK
 * (the caller frees in with valid_out_free), API_INVALID with the detail
 * set, or another error.
 */
static enum api_err
read_input(struct req *r, struct vout *in, long long max_points)
{
	cJSON		*body, *errs = NULL;
	char		 why[80];
	enum api_err	 er;

	if ((er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	if (in[F_GRADE].v.i > max_points) {
		valid_out_free(in, fields, F__MAX);
		snprintf(why, sizeof(why), "must not exceed max_points (%lld)",
		    max_points);
		return http_invalid_field(r, "grade", why);
	}
	return API_OK;
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
	const char		*id, *params[5];
	char			 grade[24];
	long long		 n;
	enum api_err		 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if (!valid_id_str(id, &n))
		return API_NOT_FOUND;
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = find(db, id, &a, &cw)) != API_OK ||
	    (er = read_input(r, in, cw.max_points)) != API_OK)
		return er;
	snprintf(grade, sizeof(grade), "%lld", in[F_GRADE].v.i);
	params[0] = id;
	params[1] = grade;
	params[2] = in[F_FEEDBACK].is_null ? "true" : "false";
	params[3] = in[F_FEEDBACK].present ? in[F_FEEDBACK].v.s : NULL;
	params[4] = a.user.id_str;
	if ((er = db_exec(db, sql_grade, 5, params, &res)) != API_OK)
		goto out;
	if ((o = classwork_submission_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_NOT_FOUND;
		goto out;
	}
	if ((er = classwork_audit(r, db, &a, &cw.course, "submission.grade",
	    "submission", id)) != API_OK ||
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

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
 * body's shape is checked first, before any database work; the grade
 * against max_points once the classwork row is share-locked, so a
 * concurrent lowering of max_points (classwork_update.c) waits for us or
 * sees our grade.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "classwork.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"

static enum api_err	submission_grade(struct call *);

enum field { F_GRADE, F_FEEDBACK, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_GRADE] = { .name = "grade", .fn = valid_int,
	    .flags = VF_REQUIRED, .min = 0, .max = 100000 },
	[F_FEEDBACK] = { .name = "feedback", .fn = valid_string,
	    .flags = VF_MULTILINE | VF_NULLABLE, .min = 1, .max = 20000 },
};

static const struct endpoint endpoint = {
	.method = "PATCH",
	.route = "/api/submissions/{id}",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = submission_grade,
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

static enum api_err
submission_grade(struct call *c)
{
	struct req		*r = c->r;
	const struct vout	*in = c->in;
	struct classwork	 cw;
	struct db_res		*res = NULL;
	const char		*params[5];
	char			 grade[24], why[80];
	enum api_err		 er;

	if ((er = find(c->db, c->id_str, &c->a, &cw)) != API_OK)
		return er;
	if (in[F_GRADE].v.i > cw.max_points) {
		snprintf(why, sizeof(why), "must not exceed max_points (%lld)",
		    cw.max_points);
		return http_invalid_field(r, "grade", why);
	}
	snprintf(grade, sizeof(grade), "%lld", in[F_GRADE].v.i);
	params[0] = c->id_str;
	params[1] = grade;
	params[2] = in[F_FEEDBACK].is_null ? "true" : "false";
	params[3] = in[F_FEEDBACK].present ? in[F_FEEDBACK].v.s : NULL;
	params[4] = c->user_id;
	if ((er = db_exec(c->db, sql_grade, 5, params, &res)) == API_OK &&
	    (er = db_nrows(res) == 1 ? API_OK : API_NOT_FOUND) == API_OK &&
	    (er = classwork_audit(r, c->db, &c->a, &cw.course,
	    "submission.grade", "submission", c->id_str)) == API_OK)
		er = row_send(r, 200, res, classwork_submission_json);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — POST /api/courses/{id}/enroll: enroll the caller in a free
 * course (SPEC §4).
 *
 * Any signed-in user; the course must be published and not archived,
 * else 404 (for its author and admins too: a draft takes no students).
 * A free course answers 201 with {enrollment, course: {id, title}} and
 * Location /api/enrollments, or 200 with the same enrollment when the
 * caller is already enrolled; never a second row, however many requests
 * race: the insert is ON CONFLICT DO NOTHING on the (user, course) key
 * and a lost race reads the winner's row.  A paid course answers 402
 * payment_required (an order comes from POST /api/payments/create-order)
 * unless the caller already has an active enrollment, which is then
 * returned with 200.  A revoked enrollment stays revoked: re-enrolling
 * answers 403 forbidden, because a revocation is the author's or an
 * admin's decision (the row-level policies let only them change an
 * enrollment) and a student must not undo it by asking again.  Takes no
 * body.  Runs in one transaction that carries the caller, so the insert
 * passes the enrollments policy's WITH CHECK (user_id is the caller).
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "enrollment.h"
#include "http.h"
#include "log.h"
#include "row.h"

static enum api_err	course_enroll(struct call *);

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/courses/{id}/enroll",
	.who = ROLE_ANY,
	.run = course_enroll,
};

/* Both queries: ENROLLMENT_COLUMNS, then the course's id and title. */
static const char sql_enroll[] =
    "INSERT INTO enrollments AS e (user_id, course_id, status, source)"
    " VALUES ($1::bigint, $2::bigint, 'active', 'free')"
    " ON CONFLICT ON CONSTRAINT enrollments_user_course_key DO NOTHING"
    " RETURNING " ENROLLMENT_COLUMNS ", e.course_id,"
    " (SELECT c.title FROM courses c WHERE c.id = e.course_id)";

static const char sql_existing[] =
    "SELECT " ENROLLMENT_COLUMNS ", e.course_id,"
    " (SELECT c.title FROM courses c WHERE c.id = e.course_id)"
    " FROM enrollments e"
    " WHERE e.user_id = $1::bigint AND e.course_id = $2::bigint";

/* The course's summary, after ENROLLMENT_COLUMNS. */
static const struct row_col course_cols[] = {
	{ "course.id", ROW_NUM, 0 },
	{ "course.title", ROW_TEXT, ROW_EMPTY },
};

/*
 * Send status with {enrollment, course: {id, title}} from the one row of
 * res.  Returns what http_send returns, or API_ENOMEM.
 */
static enum api_err
send_enrollment(struct req *r, const struct db_res *res, int status)
{
	cJSON		*o;
	enum api_err	 er = API_ENOMEM;

	if ((o = cJSON_CreateObject()) != NULL &&
	    row_add_one(o, "enrollment", res, enrollment_json) == 0 &&
	    row_add(o, res, 0, ENROLLMENT_NCOLUMNS, course_cols,
	    ROW_NCOLS(course_cols)) == 0)
		er = http_send(r, status, o);
	cJSON_Delete(o);
	return er;
}

/*
 * Read the caller's enrollment in c (params: user, course) into *res and
 * say what it answers: API_OK for an active one; API_PAYMENT_REQUIRED
 * when c is paid and none is active; API_FORBIDDEN for a revoked one in
 * a free course; API_RETRY when a free course has none although the
 * insert met one (logged; nothing deletes enrollments); database
 * errors.  The caller frees *res.
 */
static enum api_err
existing(struct req *r, struct db *db, const struct course *c,
    const char *const *params, struct db_res **res)
{
	const char	*status;
	enum api_err	 er;

	if ((er = db_exec(db, sql_existing, 2, params, res)) != API_OK)
		return er;
	status = db_get(*res, 0, ENROLLMENT_C_STATUS);
	if (status != NULL && strcmp(status, "active") == 0)
		return API_OK;
	if (c->price_minor > 0)
		return http_fail(r, API_PAYMENT_REQUIRED, "this course is "
		    "paid: create an order with POST "
		    "/api/payments/create-order");
	if (status == NULL) {
		log_event(LOG_LVL_ERROR, r->request_id,
		    "enroll_conflict_without_row", "course_id", c->id_str,
		    NULL);
		return API_RETRY;
	}
	return http_fail(r, API_FORBIDDEN, "your enrollment in this course "
	    "was revoked; ask its author or an admin");
}

static enum api_err
course_enroll(struct call *c)
{
	struct course	 co;
	struct db_res	*res = NULL;
	const char	*params[2];
	int		 code = 200;
	enum api_err	 er;

	if ((er = course_load(c->db, c->id_str, &co)) != API_OK)
		goto out;
	if (!co.published || co.archived) {
		er = API_NOT_FOUND;
		goto out;
	}
	params[0] = c->user_id;
	params[1] = co.id_str;
	if (co.price_minor == 0) {
		if ((er = db_exec(c->db, sql_enroll, 2, params, &res)) !=
		    API_OK)
			goto out;
		if (db_nrows(res) == 1)
			code = 201;
	}
	if (code != 201) {
		/* Paid, or a lost race or an earlier enrollment: read it. */
		db_res_free(res);
		res = NULL;
		if ((er = existing(c->r, c->db, &co, params, &res)) != API_OK)
			goto out;
	}
	if (code == 201 && (er = http_header(c->r, "Location",
	    "/api/enrollments")) != API_OK)
		goto out;
	er = send_enrollment(c->r, res, code);
out:
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — DELETE /api/courses/{id}: the author or an admin removes a
 * course.  204.
 *
 * A course that anyone has enrolled in (any status) or paid for is not
 * removed but archived (archived = true, published = false): it leaves
 * the catalogue and is 404 to everyone but its author and admins, while
 * the enrollments, orders and payments that name it stay intact.  The
 * payment tables are looked for with to_regclass, so this works before
 * and after they exist.  Row-level security hides other users' payments
 * from an author, so a delete that still trips a foreign key (any table
 * that references courses, now or later) falls back to archiving too.
 * Otherwise the row is deleted and its lessons, progress, classwork and
 * submissions go with it (ON DELETE CASCADE).  Deleting an archived
 * course again is 204 for its author and admins (idempotent) and 404 for
 * everyone else.  Both outcomes are audited (course.delete,
 * course.archive) in the same transaction.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "audit.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	course_delete(struct call *);

static const struct endpoint endpoint = {
	.method = "DELETE",
	.route = "/api/courses/{id}",
	.who = ROLE_ANY,
	.run = course_delete,
};

static const char sql_lock[] =
    "SELECT " COURSE_COLUMNS " FROM courses c WHERE c.id = $1::bigint"
    " FOR UPDATE OF c";

/*
 * Whether the course has enrollments, and whether each payment table
 * exists with a course_id column (then sql_orders and sql_payments may
 * run).  Enrollments are visible here to the author and admins (RLS).
 */
static const char sql_refs[] =
    "SELECT EXISTS (SELECT 1 FROM enrollments e"
    "  WHERE e.course_id = $1::bigint),"
    " EXISTS (SELECT 1 FROM pg_attribute a"
    "  WHERE a.attrelid = to_regclass('payment_orders')"
    "  AND a.attname = 'course_id' AND a.attnum > 0"
    "  AND NOT a.attisdropped),"
    " EXISTS (SELECT 1 FROM pg_attribute a"
    "  WHERE a.attrelid = to_regclass('payments')"
    "  AND a.attname = 'course_id' AND a.attnum > 0"
    "  AND NOT a.attisdropped)";

static const char sql_orders[] =
    "SELECT EXISTS (SELECT 1 FROM payment_orders o"
    " WHERE o.course_id = $1::bigint)";

static const char sql_payments[] =
    "SELECT EXISTS (SELECT 1 FROM payments p"
    " WHERE p.course_id = $1::bigint)";

static const char sql_archive[] =
    "UPDATE courses SET archived = true, published = false"
    " WHERE id = $1::bigint";

static const char sql_delete[] =
    "DELETE FROM courses WHERE id = $1::bigint";

/*
 * Run sql, a query of one boolean, with the course id; *yes is whether
 * it said true.  Returns API_OK or a database error.
 */
static enum api_err
query_bool(struct db *db, const char *sql, const char *id, int *yes)
{
	struct db_res	*res = NULL;
	const char	*v;
	enum api_err	 er;

	*yes = 0;
	if ((er = db_exec(db, sql, 1, &id, &res)) != API_OK)
		return er;
	*yes = (v = db_get(res, 0, 0)) != NULL && v[0] == 't';
	db_res_free(res);
	return API_OK;
}

/*
 * Whether course id has enrollments, orders or payments that the caller
 * of the transaction can see: *yes 0 or 1.  Returns API_OK or a
 * database error.
 */
static enum api_err
referenced(struct db *db, const char *id, int *yes)
{
	struct db_res	*res = NULL;
	const char	*v;
	int		 orders, payments;
	enum api_err	 er;

	*yes = 0;
	if ((er = db_exec(db, sql_refs, 1, &id, &res)) != API_OK)
		return er;
	*yes = (v = db_get(res, 0, 0)) != NULL && v[0] == 't';
	orders = (v = db_get(res, 0, 1)) != NULL && v[0] == 't';
	payments = (v = db_get(res, 0, 2)) != NULL && v[0] == 't';
	db_res_free(res);
	if (!*yes && orders &&
	    (er = query_bool(db, sql_orders, id, yes)) != API_OK)
		return er;
	if (!*yes && payments &&
	    (er = query_bool(db, sql_payments, id, yes)) != API_OK)
		return er;
	return API_OK;
}

/*
 * Delete course id, or archive it when it is referenced (*archived says
 * which).  Runs in the open transaction.  Returns API_OK or a database
 * error.
 */
static enum api_err
remove_course(struct db *db, const char *id, int *archived)
{
	enum api_err	 er;

	if ((er = referenced(db, id, archived)) != API_OK)
		return er;
	if (*archived)
		return db_exec(db, sql_archive, 1, &id, NULL);
	if ((er = db_exec(db, "SAVEPOINT course_delete", 0, NULL,
	    NULL)) != API_OK)
		return er;
	er = db_exec(db, sql_delete, 1, &id, NULL);
	/* 23503: rows this caller cannot see still reference it. */
	if (er == API_INVALID && db_last_constraint(db)[0] != '\0') {
		if ((er = db_exec(db, "ROLLBACK TO SAVEPOINT course_delete",
		    0, NULL, NULL)) != API_OK)
			return er;
		*archived = 1;
		return db_exec(db, sql_archive, 1, &id, NULL);
	}
	return er;
}

/*
 * Audit the removal of c by a: course.delete or course.archive with
 * {title, instructor_id}.  Returns API_OK, API_ENOMEM or a database
 * error.
 */
static enum api_err
audit_removal(struct req *r, struct db *db, const struct auth *a,
    const struct course *c, const char *title, int archived)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "title", title) == NULL ||
	    cJSON_AddNumberToObject(d, "instructor_id",
	    (double)c->instructor_id) == NULL)
		goto out;
	er = audit_log(r, db, a->user.id_str, archived ? "course.archive" :
	    "course.delete", "course", c->id_str, d);
out:
	cJSON_Delete(d);
	return er;
}

static enum api_err
course_delete(struct call *c)
{
	struct req	*r = c->r;
	struct course	 co;
	struct db_res	*res = NULL;
	const char	*id = c->id_str, *title;
	int		 archived;
	enum api_err	 er;

	if ((er = db_exec(c->db, sql_lock, 1, &id, &res)) != API_OK)
		goto out;
	if (!course_from_row(res, 0, 0, &co)) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((er = course_check_visible(&co, &c->a)) != API_OK)
		goto out;
	if (!course_is_author(&co, &c->a)) {
		er = http_fail(r, API_FORBIDDEN,
		    "only the course's author or an admin may delete it");
		goto out;
	}
	if (!co.archived) {
		if ((title = db_get(res, 0, COURSE_C_TITLE)) == NULL)
			title = "";
		if ((er = remove_course(c->db, id, &archived)) != API_OK ||
		    (er = audit_removal(r, c->db, &c->a, &co, title,
		    archived)) != API_OK)
			goto out;
	}
	er = http_send(r, 204, NULL);
out:
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

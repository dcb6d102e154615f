/*
 * lectern — PUT /api/admin/courses/{id}/owner: an admin hands a course
 * to another author.  {instructor_id}: the new owner must exist, be
 * active and be a teacher, instructor or admin (else 400 naming
 * instructor_id).  Any course may be reassigned, drafts and archived ones
 * included.  The course row is locked and the new owner's row share-locked
 * (so it cannot be demoted or deactivated before the commit); the change
 * is audited as course.owner_change {from, to}.  Giving a course to its
 * current owner changes and audits nothing.  200 with the course.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	course_owner(struct call *);

enum field { F_INSTRUCTOR_ID, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_INSTRUCTOR_ID] = { .name = "instructor_id", .fn = valid_id,
	    .flags = VF_REQUIRED },
};

static const struct endpoint endpoint = {
	.method = "PUT",
	.route = "/api/admin/courses/{id}/owner",
	.who = ROLE_ADMIN,
	.fields = fields,
	.nfields = F__MAX,
	.run = course_owner,
};

static const char sql_lock[] =
    "SELECT " COURSE_COLUMNS " FROM courses c WHERE c.id = $1::bigint"
    " FOR UPDATE OF c";

static const char sql_owner[] =
    "SELECT u.id FROM users u WHERE u.id = $1::bigint AND u.is_active"
    " AND u.role IN ('teacher', 'instructor', 'admin') FOR SHARE";

static const char sql_update[] =
    "UPDATE courses AS c SET instructor_id = $2::bigint"
    " WHERE c.id = $1::bigint RETURNING " COURSE_COLUMNS;

/*
 * Audit the move of course co from its owner to the user to, by the
 * caller of c.  Returns API_OK, API_ENOMEM or a database error.
 */
static enum api_err
audit_change(struct call *c, const struct course *co, long long to)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(d, "from", (double)co->instructor_id) ==
	    NULL ||
	    cJSON_AddNumberToObject(d, "to", (double)to) == NULL)
		goto out;
	er = audit_log(c->r, c->db, c->user_id, "course.owner_change",
	    "course", co->id_str, d);
out:
	cJSON_Delete(d);
	return er;
}

/*
 * Give the course of the path to the user of the body and send 200 with
 * the course.  Returns API_OK or an error (the transaction is then
 * rolled back).
 */
static enum api_err
course_owner(struct call *c)
{
	struct course	 co;
	struct db_res	*res = NULL, *owner = NULL;
	cJSON		*cj = NULL;
	const char	*params[2], *id = c->id_str, *to_str;
	char		 to[24];
	long long	 to_id = c->in[F_INSTRUCTOR_ID].v.i;
	enum api_err	 er;

	snprintf(to, sizeof(to), "%lld", to_id);
	to_str = to;
	if ((er = db_exec(c->db, sql_lock, 1, &id, &res)) != API_OK)
		goto out;
	if (!course_from_row(res, 0, 0, &co)) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((er = db_exec(c->db, sql_owner, 1, &to_str, &owner)) != API_OK)
		goto out;
	if (db_nrows(owner) != 1) {
		er = http_invalid_field(c->r, "instructor_id", "must be an "
		    "active teacher, instructor or admin");
		goto out;
	}
	if (co.instructor_id != to_id) {
		db_res_free(res);
		res = NULL;
		params[0] = id;
		params[1] = to;
		if ((er = db_exec(c->db, sql_update, 2, params, &res)) !=
		    API_OK || (er = audit_change(c, &co, to_id)) != API_OK)
			goto out;
	}
	if ((cj = course_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	er = http_send(c->r, 200, cj);
out:
	cJSON_Delete(cj);
	db_res_free(owner);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

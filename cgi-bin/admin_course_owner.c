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
#include "http.h"
#include "valid.h"

enum field { F_INSTRUCTOR_ID, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "instructor_id", valid_id, VF_REQUIRED, 0, 0 },
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
 * Audit the move of course c from its owner to the user to.  Returns
 * API_OK, API_ENOMEM or a database error.
 */
static enum api_err
audit_change(struct req *r, struct db *db, const struct auth *a,
    const struct course *c, long long to)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(d, "from", (double)c->instructor_id) ==
	    NULL ||
	    cJSON_AddNumberToObject(d, "to", (double)to) == NULL)
		goto out;
	er = audit_log(r, db, a->user.id_str, "course.owner_change", "course",
	    c->id_str, d);
out:
	cJSON_Delete(d);
	return er;
}

/*
 * Give course id to the user to (decimal text in to_str) in one
 * transaction and send 200 with the course.  Returns API_OK or an error
 * (the transaction is then rolled back by http_dispatch).
 */
static enum api_err
apply(struct req *r, struct db *db, const struct auth *a, const char *id,
    long long to, const char *to_str)
{
	struct course	 c;
	struct db_res	*res = NULL, *owner = NULL;
	cJSON		*cj = NULL;
	const char	*params[2];
	enum api_err	 er;

	if ((er = db_begin(db, a->user.id_str, a->user.role)) != API_OK ||
	    (er = db_exec(db, sql_lock, 1, &id, &res)) != API_OK)
		goto out;
	if (!course_from_row(res, 0, 0, &c)) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((er = db_exec(db, sql_owner, 1, &to_str, &owner)) != API_OK)
		goto out;
	if (db_nrows(owner) != 1) {
		er = http_invalid_field(r, "instructor_id", "must be an active "
		    "teacher, instructor or admin");
		goto out;
	}
	if (c.instructor_id != to) {
		db_res_free(res);
		params[0] = id;
		params[1] = to_str;
		if ((er = db_exec(db, sql_update, 2, params, &res)) != API_OK ||
		    (er = audit_change(r, db, a, &c, to)) != API_OK)
			goto out;
	}
	if ((cj = course_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	if ((er = db_commit(db)) != API_OK)
		goto out;
	er = http_send(r, 200, cj);
out:
	cJSON_Delete(cj);
	db_res_free(owner);
	db_res_free(res);
	return er;
}

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct auth	 a;
	struct db	*db;
	cJSON		*body, *errs = NULL;
	const char	*id;
	char		 to[24];
	long long	 n;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ADMIN, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if (!valid_id_str(id, &n))
		return API_NOT_FOUND;
	if ((er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	snprintf(to, sizeof(to), "%lld", in[F_INSTRUCTOR_ID].v.i);
	er = apply(r, db, &a, id, in[F_INSTRUCTOR_ID].v.i, to);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("PUT", handle);
}

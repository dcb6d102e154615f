/*
 * lectern — classwork: loading a piece of classwork with its course,
 * deciding who may see or change it, and its JSON (and its
 * submissions').  Ids are JSON numbers; timestamps RFC 3339 UTC or null.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "classwork.h"
#include "course.h"
#include "db.h"
#include "valid.h"

#define SQL_LOAD							\
    "SELECT cw.course_id, cw.max_points,"				\
    " coalesce(cw.due_at < now(), false)"				\
    " FROM classwork cw WHERE cw.id = $1::bigint"

static const char *const sql_load[] = {
	SQL_LOAD,				/* CLASSWORK_LOCK_NONE */
	SQL_LOAD " FOR SHARE",			/* CLASSWORK_LOCK_SHARE */
	SQL_LOAD " FOR UPDATE",			/* CLASSWORK_LOCK_UPDATE */
};

enum api_err
classwork_load(struct db *db, const char *id, enum classwork_lock lock,
    struct classwork *cw)
{
	struct db_res	*res = NULL;
	const char	*course, *max, *past;
	long long	 n;
	enum api_err	 er;

	memset(cw, 0, sizeof(*cw));
	if (!valid_id_str(id, &n) || (unsigned)lock > CLASSWORK_LOCK_UPDATE)
		return API_NOT_FOUND;
	if ((er = db_exec(db, sql_load[lock], 1, &id, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1 || (course = db_get(res, 0, 0)) == NULL ||
	    (max = db_get(res, 0, 1)) == NULL ||
	    (past = db_get(res, 0, 2)) == NULL) {
		db_res_free(res);
		return API_NOT_FOUND;
	}
	cw->id = n;
	snprintf(cw->id_str, sizeof(cw->id_str), "%lld", n);
	cw->max_points = strtoll(max, NULL, 10);
	cw->past_due = past[0] == 't';
	er = course_load(db, course, &cw->course);
	db_res_free(res);
	return er;
}

enum api_err
classwork_check(struct db *db, const struct course *c, const struct auth *a,
    enum classwork_need need, int *author)
{
	enum api_err	 er;
	int		 yes, is_author;

	is_author = course_is_author(c, a);
	if (author != NULL)
		*author = is_author;
	if ((er = course_check_learner(db, c, a)) != API_OK)
		return er;
	if (is_author)
		return API_OK;
	if (need == CLASSWORK_AUTHOR)
		return API_FORBIDDEN;
	if ((er = course_enrolled(db, c->id_str, a->user.id_str, &yes)) !=
	    API_OK)
		return er;
	return yes ? API_OK : API_FORBIDDEN;
}

/*
 * Add member key to obj: the text in column col of row of res, or null
 * when it is SQL NULL.  Returns 0, or -1 when out of memory.
 */
static int
add_str(cJSON *obj, const char *key, const struct db_res *res, int row,
    int col)
{
	const char	*v = db_get(res, row, col);

	if (v == NULL)
		return cJSON_AddNullToObject(obj, key) == NULL ? -1 : 0;
	return cJSON_AddStringToObject(obj, key, v) == NULL ? -1 : 0;
}

/*
 * Add member key to obj: the integer in column col of row of res as a
 * number, or null when it is SQL NULL.  Returns 0, or -1 when out of
 * memory.
 */
static int
add_num(cJSON *obj, const char *key, const struct db_res *res, int row,
    int col)
{
	const char	*v = db_get(res, row, col);

	if (v == NULL)
		return cJSON_AddNullToObject(obj, key) == NULL ? -1 : 0;
	return cJSON_AddNumberToObject(obj, key,
	    (double)strtoll(v, NULL, 10)) == NULL ? -1 : 0;
}

cJSON *
classwork_json(const struct db_res *res, int row, int col)
{
	cJSON	*o;

	if (row >= db_nrows(res) || db_get(res, row, col) == NULL ||
	    (o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (add_num(o, "id", res, row, col) == -1 ||
	    add_num(o, "course_id", res, row, col + 1) == -1 ||
	    add_str(o, "title", res, row, col + 2) == -1 ||
	    add_str(o, "instructions", res, row, col + 3) == -1 ||
	    add_str(o, "due_at", res, row, col + 4) == -1 ||
	    add_num(o, "max_points", res, row, col + 5) == -1 ||
	    add_str(o, "created_at", res, row, col + 6) == -1 ||
	    add_str(o, "updated_at", res, row, col + 7) == -1) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
classwork_submission_json(const struct db_res *res, int row, int col)
{
	cJSON	*o, *student;

	if (row >= db_nrows(res) || db_get(res, row, col) == NULL ||
	    (o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (add_num(o, "id", res, row, col) == -1 ||
	    add_num(o, "classwork_id", res, row, col + 1) == -1 ||
	    (student = cJSON_AddObjectToObject(o, "student")) == NULL ||
	    add_num(student, "id", res, row, col + 2) == -1 ||
	    add_str(student, "name", res, row, col + 3) == -1 ||
	    add_str(o, "content", res, row, col + 4) == -1 ||
	    add_str(o, "submitted_at", res, row, col + 5) == -1 ||
	    add_str(o, "updated_at", res, row, col + 6) == -1 ||
	    add_num(o, "grade", res, row, col + 7) == -1 ||
	    add_str(o, "feedback", res, row, col + 8) == -1 ||
	    add_str(o, "graded_at", res, row, col + 9) == -1 ||
	    add_num(o, "graded_by", res, row, col + 10) == -1) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

enum api_err
classwork_audit(struct req *r, struct db *db, const struct auth *a,
    const struct course *c, const char *action, const char *target_type,
    const char *target_id)
{
	cJSON		*d;
	enum api_err	 er;

	if (!(a->user.role_bit & ROLE_ADMIN) ||
	    a->user.id == c->instructor_id)
		return API_OK;
	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(d, "course_id", (double)c->id) == NULL) {
		cJSON_Delete(d);
		return API_ENOMEM;
	}
	er = audit_log(r, db, a->user.id_str, action, target_type, target_id,
	    d);
	cJSON_Delete(d);
	return er;
}

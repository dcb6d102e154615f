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
#include "row.h"
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

/* The JSON of a classwork item, by the columns of CLASSWORK_COLUMNS. */
static const struct row_col classwork_cols[] = {
	[CLASSWORK_C_ID] = { "id", ROW_NUM, 0 },
	[CLASSWORK_C_COURSE] = { "course_id", ROW_NUM, 0 },
	[CLASSWORK_C_TITLE] = { "title", ROW_TEXT, 0 },
	[CLASSWORK_C_INSTRUCTIONS] = { "instructions", ROW_TEXT, 0 },
	[CLASSWORK_C_DUE] = { "due_at", ROW_TEXT, 0 },
	[CLASSWORK_C_MAX_POINTS] = { "max_points", ROW_NUM, 0 },
	[CLASSWORK_C_CREATED] = { "created_at", ROW_TEXT, 0 },
	[CLASSWORK_C_UPDATED] = { "updated_at", ROW_TEXT, 0 },
};

_Static_assert(ROW_NCOLS(classwork_cols) == CLASSWORK_NCOLUMNS,
    "a column of CLASSWORK_COLUMNS without its JSON");

/* The JSON of a submission, by the columns of SUBMISSION_COLUMNS. */
static const struct row_col submission_cols[] = {
	[SUBMISSION_C_ID] = { "id", ROW_NUM, 0 },
	[SUBMISSION_C_CLASSWORK] = { "classwork_id", ROW_NUM, 0 },
	[SUBMISSION_C_USER] = { "student.id", ROW_NUM, 0 },
	[SUBMISSION_C_NAME] = { "student.name", ROW_TEXT, 0 },
	[SUBMISSION_C_CONTENT] = { "content", ROW_TEXT, 0 },
	[SUBMISSION_C_SUBMITTED] = { "submitted_at", ROW_TEXT, 0 },
	[SUBMISSION_C_UPDATED] = { "updated_at", ROW_TEXT, 0 },
	[SUBMISSION_C_GRADE] = { "grade", ROW_NUM, 0 },
	[SUBMISSION_C_FEEDBACK] = { "feedback", ROW_TEXT, 0 },
	[SUBMISSION_C_GRADED_AT] = { "graded_at", ROW_TEXT, 0 },
	[SUBMISSION_C_GRADED_BY] = { "graded_by", ROW_NUM, 0 },
	[SUBMISSION_C_ATTACHMENTS] = { "attachment_ids", ROW_JSON, 0 },
};

_Static_assert(ROW_NCOLS(submission_cols) == SUBMISSION_NCOLUMNS,
    "a column of SUBMISSION_COLUMNS without its JSON");

cJSON *
classwork_json(const struct db_res *res, int row, int col)
{

	if (db_get(res, row, col + CLASSWORK_C_ID) == NULL)
		return NULL;
	return row_json(res, row, col, classwork_cols,
	    ROW_NCOLS(classwork_cols));
}

cJSON *
classwork_submission_json(const struct db_res *res, int row, int col)
{

	if (db_get(res, row, col + SUBMISSION_C_ID) == NULL)
		return NULL;
	return row_json(res, row, col, submission_cols,
	    ROW_NCOLS(submission_cols));
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

/*
 * lectern — live_session: the JSON of a live session and loading one
 * with its course.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "lesson.h"
#include "live_session.h"
#include "row.h"
#include "valid.h"

const struct row_col live_session_cols[LIVE_SESSION_NCOLUMNS] = {
	{ "id", ROW_NUM, 0 },
	{ "course_id", ROW_NUM, 0 },
	{ "title", ROW_TEXT, 0 },
	{ "description", ROW_TEXT, ROW_EMPTY },
	{ "starts_at", ROW_TEXT, 0 },
	{ "ends_at", ROW_TEXT, 0 },
	{ "duration_minutes", ROW_NUM, 0 },
	{ "status", ROW_TEXT, 0 },
	{ "meeting_url", ROW_TEXT, ROW_OMIT_NULL },
	{ "cancelled_at", ROW_TEXT, ROW_OMIT_NULL },
	{ "created_at", ROW_TEXT, 0 },
	{ "updated_at", ROW_TEXT, 0 },
};

#define SQL_LOAD							\
    "SELECT s.id, s.course_id, s.status = 'cancelled',"			\
    " now() >= s.starts_at - interval '" LIVE_JOIN_EARLY "'"		\
    " AND now() < s.starts_at + make_interval(mins => s.duration_minutes)" \
    " FROM live_sessions s WHERE s.id = $1::bigint"

static const char sql_load[] = SQL_LOAD;
static const char sql_load_lock[] = SQL_LOAD " FOR UPDATE";

cJSON *
live_session_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, live_session_cols,
	    LIVE_SESSION_NCOLUMNS);
}

enum api_err
live_session_load(struct db *db, const char *id, const struct auth *a,
    int lock, struct live_session *s)
{
	struct db_res	*res = NULL;
	const char	*v;
	enum api_err	 er;

	memset(s, 0, sizeof(*s));
	if (!valid_id_str(id, &s->id))
		return API_NOT_FOUND;
	if ((er = db_exec(db, lock ? sql_load_lock : sql_load, 1, &id,
	    &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1 || (v = db_get(res, 0, 1)) == NULL) {
		db_res_free(res);
		return API_NOT_FOUND;
	}
	snprintf(s->id_str, sizeof(s->id_str), "%lld", s->id);
	s->cancelled = (v = db_get(res, 0, 2)) != NULL && v[0] == 't';
	s->joinable = (v = db_get(res, 0, 3)) != NULL && v[0] == 't';
	er = course_load(db, db_get(res, 0, 1), &s->course);
	db_res_free(res);
	if (er != API_OK)
		return er;
	return course_check_learner(db, &s->course, a);
}

int
live_session_url_ok(const char *s)
{

	return lesson_url_ok(s);
}

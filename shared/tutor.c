/*
 * lectern — tutor: settings, JSON, the lesson access rule and the quota
 * clock of the tutor endpoints.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "conf.h"
#include "course.h"
#include "db.h"
#include "lesson.h"
#include "log.h"
#include "row.h"
#include "tutor.h"

static const struct row_col conversation_cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "course_id", ROW_NUM, 0 },
	{ "lesson_id", ROW_NUM, 0 },
	{ "title", ROW_TEXT, 0 },
	{ "created_at", ROW_TEXT, 0 },
	{ "updated_at", ROW_TEXT, 0 },
};
_Static_assert(ROW_NCOLS(conversation_cols) == TUTOR_CONVERSATION_NCOLUMNS,
    "TUTOR_CONVERSATION_NCOLUMNS");

static const struct row_col message_cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "conversation_id", ROW_NUM, 0 },
	{ "role", ROW_TEXT, 0 },
	{ "content", ROW_TEXT, 0 },
	{ "incomplete", ROW_BOOL, 0 },
	{ "usage.prompt_tokens", ROW_NUM, ROW_OMIT_NULL },
	{ "usage.completion_tokens", ROW_NUM, ROW_OMIT_NULL },
	{ "created_at", ROW_TEXT, 0 },
};
_Static_assert(ROW_NCOLS(message_cols) == TUTOR_MESSAGE_NCOLUMNS,
    "TUTOR_MESSAGE_NCOLUMNS");

static const char sql_preview[] =
    "SELECT is_preview FROM lessons WHERE id = $1::bigint";

/* An environment variable, NULL when unset or empty. */
static const char *
env(const char *name)
{
	const char	*v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

void
tutor_conf_read(struct tutor_conf *tc)
{

	memset(tc, 0, sizeof(*tc));
	if ((tc->api_base = env("LECTERN_OPENAI_API_BASE")) == NULL)
		tc->api_base = "https://api.openai.com/v1";
	tc->api_key = env("LECTERN_OPENAI_API_KEY");
	if ((tc->model = env("LECTERN_OPENAI_MODEL")) == NULL)
		tc->model = "gpt-4o-mini";
	tc->max_tokens = (long)config_number(getenv("LECTERN_TUTOR_MAX_TOKENS"),
	    600, 16384);
	tc->context_chars = (long)config_number(
	    getenv("LECTERN_TUTOR_CONTEXT_CHARS"), 6000, 100000);
	tc->history = (long)config_number(getenv("LECTERN_TUTOR_HISTORY"), 20,
	    200);
	tc->daily = (long)config_number(getenv("LECTERN_TUTOR_DAILY"), 50,
	    100000);
	tc->timeout = (long)config_number(getenv("LECTERN_TUTOR_TIMEOUT"), 60,
	    600);
}

int
tutor_configured(void)
{

	return env("LECTERN_OPENAI_API_KEY") != NULL;
}

cJSON *
tutor_conversation_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, conversation_cols,
	    ROW_NCOLS(conversation_cols));
}

cJSON *
tutor_message_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, message_cols, ROW_NCOLS(message_cols));
}

enum api_err
tutor_lesson_check(struct db *db, const char *lesson_id,
    const struct auth *a, char *course_id, size_t size)
{
	struct course	 c;
	struct db_res	*res = NULL;
	const char	*v;
	int		 learn;
	enum api_err	 er;

	if ((er = lesson_course(db, lesson_id, a, &c)) != API_OK ||
	    (er = course_can_learn(db, &c, a, &learn)) != API_OK)
		return er;
	snprintf(course_id, size, "%s", c.id_str);
	if (learn)
		return API_OK;
	if ((er = db_exec(db, sql_preview, 1, &lesson_id, &res)) != API_OK)
		return er;
	v = db_get(res, 0, 0);
	er = v == NULL ? API_NOT_FOUND : v[0] == 't' ? API_OK : API_FORBIDDEN;
	db_res_free(res);
	return er;
}

time_t
tutor_quota_reset(time_t now, char *buf, size_t size)
{
	struct tm	 tm;
	time_t		 next;

	next = (now / 86400 + 1) * 86400;
	if (gmtime_r(&next, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%s", "");
	return next;
}

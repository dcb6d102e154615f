/*
 * lectern — thread: loading, reading state, JSON and notifications.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "mail.h"
#include "row.h"
#include "thread.h"

static const struct row_col cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "subject", ROW_TEXT, 0 },
	{ "with.id", ROW_NUM, 0 },
	{ "with.name", ROW_TEXT, 0 },
	{ "last_message_at", ROW_TEXT, 0 },
	{ "unread_count", ROW_NUM, 0 },
	{ "important", ROW_BOOL, 0 },
	{ "archived", ROW_BOOL, 0 },
};

_Static_assert(ROW_NCOLS(cols) == THREAD_NCOLUMNS,
    "THREAD_COLUMNS and its table agree");

static const struct row_col msg_cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "thread_id", ROW_NUM, 0 },
	{ "sender.id", ROW_NUM, 0 },
	{ "sender.name", ROW_TEXT, 0 },
	{ "body", ROW_TEXT, 0 },
	{ "created_at", ROW_TEXT, 0 },
	{ "attachment_ids", ROW_JSON, 0 },
};

_Static_assert(ROW_NCOLS(msg_cols) == THREAD_MESSAGE_NCOLUMNS,
    "THREAD_MESSAGE_COLUMNS and its table agree");

/* Row-level security leaves out threads the caller may not read. */
static const char sql_load[] =
    "SELECT id, subject, student_id, staff_id FROM message_threads"
    " WHERE id = $1::bigint FOR UPDATE";

static const char sql_one[] =
    "SELECT " THREAD_COLUMNS " FROM (" THREAD_VIEW("$2::bigint")
    " WHERE th.id = $1::bigint) v";

static const char sql_read[] =
    "INSERT INTO message_thread_state AS s (thread_id, user_id,"
    " last_read_id) SELECT $1::bigint, $2::bigint, coalesce($3::bigint,"
    "  (SELECT max(id) FROM messages WHERE thread_id = $1::bigint), 0)"
    " ON CONFLICT (thread_id, user_id) DO UPDATE"
    " SET last_read_id = greatest(s.last_read_id, excluded.last_read_id)";

#define THREAD_SUBJECT	"New message on lectern"

static const char mail_fmt[] =
    "Hello,\n"
    "\n"
    "%s sent you a new message in \"%s\" on lectern.  Sign in to read\n"
    "and answer it:\n"
    "\n"
    "%s/messages/%s\n";

enum api_err
thread_load(struct call *c, struct thread *t)
{
	struct db_res	*res = NULL;
	const char	*param = c->id_str, *v;
	enum api_err	 er;

	memset(t, 0, sizeof(*t));
	if ((er = db_exec(c->db, sql_load, 1, &param, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1) {
		db_res_free(res);
		return http_fail(c->r, API_NOT_FOUND, "thread not found");
	}
	snprintf(t->id_str, sizeof(t->id_str), "%s", db_get(res, 0, 0));
	snprintf(t->subject, sizeof(t->subject), "%s", db_get(res, 0, 1));
	snprintf(t->student, sizeof(t->student), "%s", db_get(res, 0, 2));
	v = db_get(res, 0, 3);
	snprintf(t->staff, sizeof(t->staff), "%s", v != NULL ? v : "");
	db_res_free(res);
	t->is_student = strcmp(t->student, c->user_id) == 0;
	return API_OK;
}

cJSON *
thread_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, cols, ROW_NCOLS(cols));
}

cJSON *
thread_message_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, msg_cols, ROW_NCOLS(msg_cols));
}

enum api_err
thread_send(struct call *c, const char *thread_id, int status)
{
	struct db_res	*res = NULL;
	cJSON		*o = NULL;
	const char	*params[2];
	enum api_err	 er;

	params[0] = thread_id;
	params[1] = c->user_id;
	if ((er = db_exec(c->db, sql_one, 2, params, &res)) != API_OK)
		return er;
	if ((o = thread_json(res, 0, 0)) == NULL)
		er = db_nrows(res) == 1 ? API_ENOMEM : API_NOT_FOUND;
	else
		er = http_send(c->r, status, o);
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

enum api_err
thread_mark_read(struct call *c, const char *thread_id,
    const char *message_id)
{
	const char	*params[3];

	params[0] = thread_id;
	params[1] = c->user_id;
	params[2] = message_id;
	return db_exec(c->db, sql_read, 3, params, NULL);
}

enum api_err
thread_notify(struct call *c, const struct thread *t)
{
	const char	*to;
	char		*text = NULL;
	enum api_err	 er;

	if ((er = mail_format(&text, mail_fmt, c->a.user.name, t->subject,
	    config_get()->public_url, t->id_str)) != API_OK)
		return er;
	if (!t->is_student)
		er = mail_queue_user(c->db, t->student, THREAD_SUBJECT, text);
	else if (t->staff[0] != '\0')
		er = mail_queue_user(c->db, t->staff, THREAD_SUBJECT, text);
	else if ((to = config_get()->staff_email) != NULL)
		er = mail_queue(c->db, to, "New message to the staff inbox",
		    text);
	free(text);
	return er;
}

/*
 * lectern — ticket: loading, checks and JSON of tickets and replies.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"
#include "ticket.h"
#include "valid.h"

static const struct row_col cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "number", ROW_TEXT, 0 },
	{ "subject", ROW_TEXT, 0 },
	{ "body", ROW_TEXT, 0 },
	{ "priority", ROW_TEXT, 0 },
	{ "status", ROW_TEXT, 0 },
	{ "requester.id", ROW_NUM, 0 },
	{ "requester.name", ROW_TEXT, 0 },
	{ "assigned_to", ROW_NUM, 0 },
	{ "course_id", ROW_NUM, 0 },
	{ "created_at", ROW_TEXT, 0 },
	{ "updated_at", ROW_TEXT, 0 },
	{ "closed_at", ROW_TEXT, 0 },
};

_Static_assert(ROW_NCOLS(cols) == TICKET_NCOLUMNS,
    "TICKET_COLUMNS and its table agree");

static const struct row_col reply_cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "ticket_id", ROW_NUM, 0 },
	{ "author.id", ROW_NUM, 0 },
	{ "author.name", ROW_TEXT, 0 },
	{ "body", ROW_TEXT, 0 },
	{ "internal", ROW_BOOL, 0 },
	{ "created_at", ROW_TEXT, 0 },
	{ "attachment_ids", ROW_JSON, 0 },
};

_Static_assert(ROW_NCOLS(reply_cols) == TICKET_REPLY_NCOLUMNS,
    "TICKET_REPLY_COLUMNS and its table agree");

static const char sql_load[] =
    "SELECT t.id, 'T-' || lpad(t.number::text, 6, '0'), t.subject,"
    " t.status, t.requester_id, t.assigned_to FROM tickets t"
    " WHERE t.id = $1::bigint";

static const char sql_load_lock[] =
    "SELECT t.id, 'T-' || lpad(t.number::text, 6, '0'), t.subject,"
    " t.status, t.requester_id, t.assigned_to FROM tickets t"
    " WHERE t.id = $1::bigint FOR UPDATE";

static const char *const priorities[] = {
	"low", "normal", "high", "urgent", NULL
};

static const char *const statuses[] = {
	"open", "pending", "resolved", "closed", NULL
};

int
ticket_priority_ok(const char *s)
{

	return valid_one_of(s, priorities);
}

int
ticket_status_ok(const char *s)
{

	return valid_one_of(s, statuses);
}

int
ticket_can_move(const char *from, const char *to)
{

	return strcmp(from, "closed") != 0 || strcmp(to, "closed") == 0;
}

enum api_err
ticket_load(struct call *c, int lock, struct ticket *t)
{
	struct db_res	*res = NULL;
	const char	*param = c->id_str, *v;
	enum api_err	 er;

	memset(t, 0, sizeof(*t));
	if ((er = db_exec(c->db, lock ? sql_load_lock : sql_load, 1, &param,
	    &res)) != API_OK)
		return er;
	/* Row-level security leaves out what the caller may not see. */
	if (db_nrows(res) != 1) {
		db_res_free(res);
		return http_fail(c->r, API_NOT_FOUND, "ticket not found");
	}
	snprintf(t->id_str, sizeof(t->id_str), "%s", db_get(res, 0, 0));
	snprintf(t->number, sizeof(t->number), "%s", db_get(res, 0, 1));
	snprintf(t->subject, sizeof(t->subject), "%s", db_get(res, 0, 2));
	snprintf(t->status, sizeof(t->status), "%s", db_get(res, 0, 3));
	snprintf(t->requester, sizeof(t->requester), "%s",
	    db_get(res, 0, 4));
	v = db_get(res, 0, 5);
	snprintf(t->assignee, sizeof(t->assignee), "%s", v ? v : "");
	db_res_free(res);
	t->is_requester = strcmp(t->requester, c->user_id) == 0;
	t->is_staff = c->a.user.role_bit == ROLE_ADMIN ||
	    strcmp(t->assignee, c->user_id) == 0;
	return API_OK;
}

cJSON *
ticket_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, cols, ROW_NCOLS(cols));
}

cJSON *
ticket_reply_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, reply_cols, ROW_NCOLS(reply_cols));
}

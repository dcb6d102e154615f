/*
 * lectern — GET /api/messages: the caller's threads, latest activity
 * first, each {id, subject, with, last_message_at, unread_count,
 * important, archived} (SPEC §6.3).  Filters unread, important and
 * archived (true or false; archived defaults to false).  Admins also
 * see the staff inbox.  Paged.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "thread.h"

enum filter { FL_UNREAD, FL_IMPORTANT, FL_ARCHIVED, FL__MAX };

static const struct list_filter filters[FL__MAX] = {
	[FL_UNREAD] = { .name = "unread", .kind = LIST_BOOL },
	[FL_IMPORTANT] = { .name = "important", .kind = LIST_BOOL },
	[FL_ARCHIVED] = { .name = "archived", .kind = LIST_BOOL },
};

static const char sql_list[] =
    "WITH f AS (SELECT * FROM (" THREAD_VIEW("$4::bigint")
    "  WHERE th.student_id = $4::bigint OR th.staff_id = $4::bigint"
    "  OR ($5::boolean AND th.staff_id IS NULL)) x"
    "  WHERE ($1::boolean IS NULL OR (unread_count > 0) = $1::boolean)"
    "  AND ($2::boolean IS NULL OR important = $2::boolean)"
    "  AND archived = coalesce($3::boolean, false))"
    LIST_SQL_PAGE(THREAD_COLUMNS, "v",
    "v.last_message_at DESC, v.id DESC", 6, 7);

static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = FL__MAX + 2,
	.id_col = 0,
	.total_col = THREAD_NCOLUMNS,
	.row = thread_json,
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/messages",
	.who = ROLE_ANY,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED,
	.list = &list_q,
	.list_args = { LA_QUERY, LA_USER, LA_ADMIN },
};

ENDPOINT_MAIN(endpoint)

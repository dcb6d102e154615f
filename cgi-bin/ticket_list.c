/*
 * lectern — GET /api/tickets: the caller's tickets (requested or
 * assigned), newest first; admins see all (SPEC §6.4).  Filters status,
 * priority, assigned_to and q (full text over subject and body, in
 * web-search syntax).  Paged.  Row-level security agrees.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "ticket.h"

enum filter { FL_STATUS, FL_PRIORITY, FL_ASSIGNED, FL_Q, FL__MAX };

static const char *const statuses[] = {
	"open", "pending", "resolved", "closed", NULL
};

static const char *const priorities[] = {
	"low", "normal", "high", "urgent", NULL
};

static const struct list_filter filters[FL__MAX] = {
	[FL_STATUS] = { .name = "status", .kind = LIST_ONE_OF,
	    .allowed = statuses,
	    .why = "must be open, pending, resolved or closed" },
	[FL_PRIORITY] = { .name = "priority", .kind = LIST_ONE_OF,
	    .allowed = priorities,
	    .why = "must be low, normal, high or urgent" },
	[FL_ASSIGNED] = { .name = "assigned_to", .kind = LIST_ID },
	[FL_Q] = { .name = "q", .kind = LIST_TEXT },
};

static const char sql_list[] =
    "WITH f AS (SELECT * FROM tickets"
    "  WHERE ($1::text IS NULL OR status = $1)"
    "  AND ($2::text IS NULL OR priority = $2)"
    "  AND ($3::bigint IS NULL OR assigned_to = $3::bigint)"
    "  AND ($4::text IS NULL"
    "   OR search @@ websearch_to_tsquery('english', $4))"
    "  AND ($5::boolean OR requester_id = $6::bigint"
    "   OR assigned_to = $6::bigint))"
    LIST_SQL_PAGE(TICKET_COLUMNS, "t", "t.created_at DESC, t.id DESC",
    7, 8);

static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = FL__MAX + 2,
	.id_col = 0,
	.total_col = TICKET_NCOLUMNS,
	.row = ticket_json,
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/tickets",
	.who = ROLE_ANY,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED,
	.list = &list_q,
	.list_args = { LA_QUERY, LA_ADMIN, LA_USER },
};

ENDPOINT_MAIN(endpoint)

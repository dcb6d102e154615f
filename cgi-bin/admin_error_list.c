/*
 * lectern — GET /api/admin/error-logs: the recorded 5xx answers and
 * upstream failures, newest first, for admins.  Filters: status (an
 * HTTP status from 400 to 599), code ("internal"), and from / to (RFC
 * 3339 timestamps: created_at >= from and < to).  Paged with page and
 * per_page.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "row.h"

enum filter { FL_STATUS, FL_CODE, FL_FROM, FL_TO, FL__MAX };

static const struct list_filter filters[FL__MAX] = {
	[FL_STATUS] = { .name = "status", .kind = LIST_STATUS },
	[FL_CODE] = { .name = "code", .kind = LIST_TEXT },
	[FL_FROM] = { .name = "from", .kind = LIST_TIME },
	[FL_TO] = { .name = "to", .kind = LIST_TIME },
};

static const char sql_list[] =
    "WITH f AS (SELECT e.id, e.request_id, e.status, e.code, e.method,"
    "  e.path, e.message, e.created_at FROM error_logs e"
    "  WHERE ($1::int IS NULL OR e.status = $1::int)"
    "  AND ($2::text IS NULL OR e.code = $2)"
    "  AND ($3::timestamptz IS NULL OR e.created_at >= $3::timestamptz)"
    "  AND ($4::timestamptz IS NULL OR e.created_at < $4::timestamptz))"
    LIST_SQL_PAGE("p.id, p.request_id, p.status, p.code, p.method,"
    " p.path, p.message, " SQL_UTC("p.created_at"), "p",
    "p.created_at DESC, p.id DESC", 5, 6);

enum col {
	C_ID, C_RID, C_STATUS, C_CODE, C_METHOD, C_PATH, C_MESSAGE,
	C_CREATED, C__MAX
};

static const struct row_col cols[C__MAX] = {
	[C_ID] = { .name = "id", .kind = ROW_NUM },
	[C_RID] = { .name = "request_id", .kind = ROW_TEXT },
	[C_STATUS] = { .name = "status", .kind = ROW_NUM },
	[C_CODE] = { .name = "code", .kind = ROW_TEXT },
	[C_METHOD] = { .name = "method", .kind = ROW_TEXT },
	[C_PATH] = { .name = "path", .kind = ROW_TEXT },
	[C_MESSAGE] = { .name = "message", .kind = ROW_TEXT },
	[C_CREATED] = { .name = "created_at", .kind = ROW_TEXT },
};

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = FL__MAX,
	.id_col = C_ID,
	.total_col = C__MAX,
	.cols = cols,
	.ncols = C__MAX,
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/error-logs",
	.who = ROLE_ADMIN,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED,
	.tx = TX_NONE,		/* error_logs has no row-level security */
	.list = &list_q,
	.list_args = { LA_QUERY },
};

ENDPOINT_MAIN(endpoint)

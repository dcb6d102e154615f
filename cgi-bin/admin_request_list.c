/*
 * lectern — GET /api/admin/admin-requests: requests to become an admin,
 * newest first, for admins; filter status (pending, approved,
 * rejected).  Paged.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "adminreq.h"
#include "endpoint.h"
#include "http.h"
#include "list.h"

enum filter { FL_STATUS, FL__MAX };

static const char *const statuses[] = {
	"pending", "approved", "rejected", NULL
};

static const struct list_filter filters[FL__MAX] = {
	[FL_STATUS] = { .name = "status", .kind = LIST_ONE_OF,
	    .allowed = statuses,
	    .why = "must be pending, approved or rejected" },
};

static const char sql_list[] =
    "WITH f AS (SELECT * FROM admin_requests"
    "  WHERE ($1::text IS NULL OR status = $1))"
    LIST_SQL_PAGE(ADMINREQ_COLUMNS, "q", "q.created_at DESC, q.id DESC",
    2, 3);

static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = FL__MAX,
	.id_col = 0,
	.total_col = ADMINREQ_NCOLUMNS,
	.row = adminreq_json,
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/admin-requests",
	.who = ROLE_ADMIN,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED,
	.list = &list_q,
	.list_args = { LA_QUERY },
};

ENDPOINT_MAIN(endpoint)

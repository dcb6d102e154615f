/*
 * lectern — GET /api/admin/payments: every payment, newest first, for
 * admins (SPEC §5).  Filters: method (razorpay, manual), status
 * (created, paid, failed), course_id, user_id, and from / to (RFC 3339
 * timestamps: created_at >= from and < to), and held (true: payments
 * that wait for an admin's confirmation; false: all others).  Paged with page and
 * per_page.  Read in the admin's transaction: row-level security lets
 * the admin role see all rows.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "payment.h"

enum filter {
	FL_METHOD, FL_STATUS, FL_COURSE, FL_USER, FL_FROM, FL_TO, FL_HELD,
	FL__MAX
};

static const char *const methods[] = { "razorpay", "manual", NULL };
static const char *const statuses[] = { "created", "paid", "failed", NULL };

static const struct list_filter filters[FL__MAX] = {
	[FL_METHOD] = { .name = "method", .kind = LIST_ONE_OF,
	    .allowed = methods, .why = "must be razorpay or manual" },
	[FL_STATUS] = { .name = "status", .kind = LIST_ONE_OF,
	    .allowed = statuses, .why = "must be created, paid or failed" },
	[FL_COURSE] = { .name = "course_id", .kind = LIST_ID },
	[FL_USER] = { .name = "user_id", .kind = LIST_ID },
	[FL_FROM] = { .name = "from", .kind = LIST_TIME },
	[FL_TO] = { .name = "to", .kind = LIST_TIME },
	[FL_HELD] = { .name = "held", .kind = LIST_BOOL },
};

static const char sql_list[] =
    "WITH f AS (SELECT * FROM payments"
    "  WHERE ($1::text IS NULL OR method = $1)"
    "  AND ($2::text IS NULL OR status = $2)"
    "  AND ($3::bigint IS NULL OR course_id = $3::bigint)"
    "  AND ($4::bigint IS NULL OR user_id = $4::bigint)"
    "  AND ($5::timestamptz IS NULL OR created_at >= $5::timestamptz)"
    "  AND ($6::timestamptz IS NULL OR created_at < $6::timestamptz)"
    "  AND ($7::boolean IS NULL OR (held_reason IS NOT NULL"
    "   AND confirmed_at IS NULL) = $7::boolean))"
    LIST_SQL_PAGE(PAYMENT_COLUMNS, "p", "p.created_at DESC, p.id DESC",
    8, 9);

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = FL__MAX,
	.id_col = 0,
	.total_col = PAYMENT_NCOLUMNS,
	.row = payment_json,
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/payments",
	.who = ROLE_ADMIN,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED,
	.list = &list_q,
	.list_args = { LA_QUERY },
};

ENDPOINT_MAIN(endpoint)

/*
 * lectern — GET /api/admin/payments: every payment, newest first, for
 * admins (SPEC §5).  Filters: method (razorpay, manual), status
 * (created, paid, failed), course_id, user_id, and from / to (RFC 3339
 * timestamps: created_at >= from and < to).  Paged with page and
 * per_page.  Read in the admin's transaction: row-level security lets
 * the admin role see all rows.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "list.h"
#include "payment.h"

enum filter {
	FL_METHOD, FL_STATUS, FL_COURSE, FL_USER, FL_FROM, FL_TO, FL__MAX
};

static const char *const methods[] = { "razorpay", "manual", NULL };
static const char *const statuses[] = { "created", "paid", "failed", NULL };

static const struct list_filter filters[FL__MAX] = {
	{ "method", LIST_ONE_OF, methods, "must be razorpay or manual" },
	{ "status", LIST_ONE_OF, statuses, "must be created, paid or failed" },
	{ "course_id", LIST_ID, NULL, NULL },
	{ "user_id", LIST_ID, NULL, NULL },
	{ "from", LIST_TIME, NULL, NULL },
	{ "to", LIST_TIME, NULL, NULL },
};

static const char sql_list[] =
    "WITH f AS (SELECT * FROM payments"
    "  WHERE ($1::text IS NULL OR method = $1)"
    "  AND ($2::text IS NULL OR status = $2)"
    "  AND ($3::bigint IS NULL OR course_id = $3::bigint)"
    "  AND ($4::bigint IS NULL OR user_id = $4::bigint)"
    "  AND ($5::timestamptz IS NULL OR created_at >= $5::timestamptz)"
    "  AND ($6::timestamptz IS NULL OR created_at < $6::timestamptz))"
    " SELECT " PAYMENT_COLUMNS ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.created_at DESC,"
    "  f.id DESC LIMIT $7::bigint OFFSET $8::bigint) p ON true"
    " ORDER BY p.created_at DESC, p.id DESC";

#define C_TOTAL	PAYMENT_NCOLUMNS

/* The payment of row i of res (list_row_fn). */
static cJSON *
row(const struct db_res *res, int i)
{

	return payment_json(res, i, 0);
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	sql_list, FL__MAX, 0, C_TOTAL, row, 0
};

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct db	*db;
	const char	*params[FL__MAX + 2];
	long long	 page, per_page;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ADMIN, &a)) != API_OK ||
	    (er = http_paging(r, &page, &per_page)) != API_OK ||
	    (er = list_filters(r, filters, FL__MAX, params)) != API_OK)
		return er;
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK)
		return er;
	return list_send(r, db, &list_q, params, page, per_page);
}

int
main(void)
{

	return http_main("GET", handle);
}

/*
 * lectern — GET /api/payments: the caller's own payments, newest first,
 * paged with page and per_page (SPEC §5).  Read in the caller's
 * transaction, so row-level security agrees with the explicit filter on
 * the caller: an admin, too, sees only their own here (all payments are
 * under GET /api/admin/payments).
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "list.h"
#include "payment.h"

static const char sql_list[] =
    "WITH f AS (SELECT * FROM payments WHERE user_id = $1::bigint)"
    " SELECT " PAYMENT_COLUMNS ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.created_at DESC,"
    "  f.id DESC LIMIT $2::bigint OFFSET $3::bigint) p ON true"
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
	sql_list, 1, 0, C_TOTAL, row, 0
};

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct db	*db;
	const char	*params[3];
	long long	 page, per_page;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK ||
	    (er = http_paging(r, &page, &per_page)) != API_OK)
		return er;
	params[0] = a.user.id_str;
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK)
		return er;
	return list_send(r, db, &list_q, params, page, per_page);
}

int
main(void)
{

	return http_main("GET", handle);
}

/*
 * lectern — GET /api/payments: the caller's own payments, newest first,
 * paged with page and per_page (SPEC §5).  Read in the caller's
 * transaction, so row-level security agrees with the explicit filter on
 * the caller: an admin, too, sees only their own here (all payments are
 * under GET /api/admin/payments).
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "payment.h"

static const char sql_list[] =
    "WITH f AS (SELECT * FROM payments WHERE user_id = $1::bigint)"
    LIST_SQL_PAGE(PAYMENT_COLUMNS, "p", "p.created_at DESC, p.id DESC",
    2, 3);

/* The payment of row i of res as its payer sees it (row_json_fn). */
static cJSON *
row(const struct db_res *res, int i, int col)
{
	cJSON	*o;

	/* An admin's notes on a manual payment are for staff only. */
	if ((o = payment_json(res, i, col)) != NULL)
		cJSON_DeleteItemFromObjectCaseSensitive(o, "notes");
	return o;
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = 1,
	.id_col = 0,
	.total_col = PAYMENT_NCOLUMNS,
	.row = row,
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/payments",
	.who = ROLE_ANY,
	.flags = EP_PAGED,
	.list = &list_q,
	.list_args = { LA_USER },
};

ENDPOINT_MAIN(endpoint)

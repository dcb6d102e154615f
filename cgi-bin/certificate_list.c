/*
 * lectern — GET /api/certificates: the caller's own certificates,
 * newest first, paged with page and per_page (SPEC §6.6).  Revoked ones
 * are listed with valid false and the reason.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "certificate.h"
#include "endpoint.h"
#include "http.h"
#include "list.h"

static const char sql_list[] =
    "WITH f AS (SELECT * FROM certificates WHERE user_id = $1::bigint)"
    LIST_SQL_PAGE(CERT_COLUMNS, "ct", "ct.issued_at DESC, ct.id DESC",
    2, 3);

static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = 1,
	.id_col = 0,
	.total_col = CERT_NCOLUMNS,
	.row = cert_json,
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/certificates",
	.who = ROLE_ANY,
	.flags = EP_PAGED,
	.list = &list_q,
	.list_args = { LA_USER },
};

ENDPOINT_MAIN(endpoint)

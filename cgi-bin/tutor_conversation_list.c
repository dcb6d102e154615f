/*
 * lectern — GET /api/tutor/conversations: the caller's own tutor
 * conversations, the most recently active first, paged (SPEC §6.7).
 * An admin, too, sees only their own here.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "tutor.h"

static const char sql_list[] =
    "WITH f AS (SELECT * FROM tutor_conversations"
    "  WHERE user_id = $1::bigint)"
    LIST_SQL_PAGE(TUTOR_CONVERSATION_COLUMNS, "c",
    "c.updated_at DESC, c.id DESC", 2, 3);

static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = 1,
	.id_col = 0,
	.total_col = TUTOR_CONVERSATION_NCOLUMNS,
	.row = tutor_conversation_json,
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/tutor/conversations",
	.who = ROLE_ANY,
	.flags = EP_PAGED,
	.list = &list_q,
	.list_args = { LA_USER },
};

ENDPOINT_MAIN(endpoint)

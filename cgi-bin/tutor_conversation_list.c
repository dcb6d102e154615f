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

static enum api_err	conversation_list(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/tutor/conversations",
	.who = ROLE_ANY,
	.flags = EP_PAGED,
	.run = conversation_list,
};

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

static enum api_err
conversation_list(struct call *c)
{
	const char	*params[3];

	params[0] = c->user_id;
	return list_send(c->r, c->db, &list_q, params, c->page, c->per_page);
}

ENDPOINT_MAIN(endpoint)

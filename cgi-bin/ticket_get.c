/*
 * lectern — GET /api/tickets/{id}: a ticket and its replies, oldest
 * first, for its requester, its assignee and admins (SPEC §6.4); anyone
 * else gets 404.  Internal notes are shown to the assignee and admins
 * only, never to the requester: they are left out by the query and,
 * for non-staff, by row-level security too.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"
#include "ticket.h"

static enum api_err	ticket_get(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/tickets/{id}",
	.who = ROLE_ANY,
	.run = ticket_get,
};

static const char sql_ticket[] =
    "SELECT " TICKET_COLUMNS " FROM tickets t WHERE t.id = $1::bigint";

static const char sql_replies[] =
    "SELECT " TICKET_REPLY_COLUMNS " FROM ticket_replies p"
    " WHERE p.ticket_id = $1::bigint AND ($2::boolean OR NOT p.internal)"
    " ORDER BY p.id";

static enum api_err
ticket_get(struct call *c)
{
	struct ticket	 t;
	struct db_res	*res = NULL, *rep = NULL;
	cJSON		*o = NULL;
	const char	*params[2];
	enum api_err	 er;

	if ((er = ticket_load(c, 0, &t)) != API_OK)
		return er;
	params[0] = t.id_str;
	params[1] = t.is_staff && !t.is_requester ? "true" : "false";
	if ((er = db_exec(c->db, sql_ticket, 1, params, &res)) != API_OK ||
	    (er = db_exec(c->db, sql_replies, 2, params, &rep)) != API_OK)
		goto out;
	if ((o = ticket_json(res, 0, 0)) == NULL ||
	    row_add_array(o, "replies", rep, ticket_reply_json) == -1)
		er = API_ENOMEM;
	else
		er = http_send(c->r, 200, o);
out:
	cJSON_Delete(o);
	db_res_free(rep);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

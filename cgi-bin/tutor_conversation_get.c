/*
 * lectern — GET /api/tutor/conversations/{id}: one conversation with its
 * messages, oldest first, for its owner; an admin may read anyone's, and
 * that read is audited.  Anyone else's conversation is 404, as is one
 * that does not exist.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"
#include "tutor.h"

static enum api_err	conversation_get(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/tutor/conversations/{id}",
	.who = ROLE_ANY,
	.run = conversation_get,
};

/* Row-level security agrees: a student's own, or any for an admin. */
static const char sql_conversation[] =
    "SELECT " TUTOR_CONVERSATION_COLUMNS ", c.user_id"
    " FROM tutor_conversations c WHERE c.id = $1::bigint"
    " AND (c.user_id = $2::bigint OR $3::boolean)";

static const char sql_messages[] =
    "SELECT " TUTOR_MESSAGE_COLUMNS " FROM tutor_messages m"
    " WHERE m.conversation_id = $1::bigint ORDER BY m.id";

static enum api_err
conversation_get(struct call *c)
{
	struct req	*r = c->r;
	struct db_res	*res = NULL, *msgs = NULL;
	cJSON		*o = NULL, *details = NULL;
	const char	*params[3], *owner;
	int		 admin;
	enum api_err	 er;

	admin = (c->a.user.role_bit & ROLE_ADMIN) != 0;
	params[0] = c->id_str;
	params[1] = c->user_id;
	params[2] = admin ? "true" : "false";
	if ((er = db_exec(c->db, sql_conversation, 3, params, &res)) !=
	    API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = API_NOT_FOUND;
		goto out;
	}
	owner = db_get(res, 0, TUTOR_CONVERSATION_NCOLUMNS);
	if (owner == NULL) {
		er = API_INTERNAL;
		goto out;
	}
	if (admin && strcmp(owner, c->user_id) != 0) {
		/* Reading a student's conversation is an admin action. */
		if ((details = cJSON_CreateObject()) == NULL ||
		    cJSON_AddStringToObject(details, "owner_id", owner) ==
		    NULL) {
			er = API_ENOMEM;
			goto out;
		}
		if ((er = audit_log(r, c->db, c->user_id,
		    "tutor.conversation.read", "tutor_conversation", c->id_str,
		    details)) != API_OK)
			goto out;
	}
	if ((er = db_exec(c->db, sql_messages, 1, params, &msgs)) != API_OK)
		goto out;
	if ((o = tutor_conversation_json(res, 0, 0)) == NULL ||
	    row_add_array(o, "messages", msgs, tutor_message_json) == -1)
		er = API_ENOMEM;
	else
		er = http_send(r, 200, o);
out:
	cJSON_Delete(details);
	cJSON_Delete(o);
	db_res_free(msgs);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

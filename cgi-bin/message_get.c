/*
 * lectern — GET /api/messages/{thread_id}: a thread and its messages,
 * oldest first, for its participants and admins (SPEC §6.3); anyone
 * else gets 404 (row-level security hides the thread, too).  Marks the
 * messages read for the caller.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"
#include "thread.h"

static enum api_err	message_get(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/messages/{thread_id}",
	.who = ROLE_ANY,
	.run = message_get,
};

static const char sql_messages[] =
    "SELECT " THREAD_MESSAGE_COLUMNS " FROM messages m"
    " WHERE m.thread_id = $1::bigint ORDER BY m.id";

static const char sql_view[] =
    "SELECT " THREAD_COLUMNS " FROM (" THREAD_VIEW("$2::bigint")
    " WHERE th.id = $1::bigint) v";

static enum api_err
message_get(struct call *c)
{
	struct thread	 t;
	struct db_res	*res = NULL, *view = NULL;
	cJSON		*o = NULL;
	const char	*params[2];
	enum api_err	 er;

	if ((er = thread_load(c, &t)) != API_OK)
		return er;
	params[0] = t.id_str;
	params[1] = c->user_id;
	if ((er = db_exec(c->db, sql_messages, 1, params, &res)) != API_OK ||
	    (er = thread_mark_read(c, t.id_str, NULL)) != API_OK ||
	    (er = db_exec(c->db, sql_view, 2, params, &view)) != API_OK)
		goto out;
	if ((o = thread_json(view, 0, 0)) == NULL ||
	    row_add_array(o, "messages", res, thread_message_json) == -1)
		er = API_ENOMEM;
	else
		er = http_send(c->r, 200, o);
out:
	cJSON_Delete(o);
	db_res_free(view);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

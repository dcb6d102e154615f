/*
 * lectern — POST /api/messages/{thread_id}/replies: a participant or an
 * admin adds {body} to a thread (SPEC §6.3).  The other side gets a
 * notification mail without the text.  201 with the message.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "thread.h"

static enum api_err	message_reply(struct call *);

enum field { F_BODY, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_BODY] = { .name = "body", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_MULTILINE, .min = 1, .max = 20000 },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/messages/{thread_id}/replies",
	.who = ROLE_ANY,
	.body = BODY_JSON,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_API,
	.tx = TX_CALLER,
	.run = message_reply,
};

static const char sql_message[] =
    "INSERT INTO messages AS m (thread_id, sender_id, body)"
    " VALUES ($1::bigint, $2::bigint, $3) RETURNING "
    THREAD_MESSAGE_COLUMNS;

static const char sql_touch[] =
    "UPDATE message_threads SET last_message_at = now()"
    " WHERE id = $1::bigint";

static enum api_err
message_reply(struct call *c)
{
	struct thread	 t;
	struct db_res	*res = NULL;
	cJSON		*o = NULL;
	const char	*params[3];
	enum api_err	 er;

	if ((er = thread_load(c, &t)) != API_OK)
		return er;
	params[0] = t.id_str;
	params[1] = c->user_id;
	params[2] = c->in[F_BODY].v.s;
	if ((er = db_exec(c->db, sql_message, 3, params, &res)) != API_OK ||
	    (er = db_exec(c->db, sql_touch, 1, params, NULL)) != API_OK ||
	    (er = thread_mark_read(c, t.id_str, db_get(res, 0, 0))) != API_OK ||
	    (er = thread_notify(c, &t)) != API_OK)
		goto out;
	if ((o = thread_message_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send(c->r, 201, o);
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

int
main(void)
{

	return endpoint_main(&endpoint);
}

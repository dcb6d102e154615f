/*
 * lectern — POST /api/messages/{thread_id}/replies: a participant or an
 * admin adds {body, attachment_ids?} to a thread (SPEC §6.3).
 * attachment_ids names the sender's own ready uploads made for this
 * thread (SPEC §6.1, purpose "message").  The other side gets a
 * notification mail without the text.  201 with the message.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"
#include "thread.h"
#include "upload.h"

static enum api_err	message_reply(struct call *);

enum field { F_BODY, F_ATTACH, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_BODY] = { .name = "body", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_MULTILINE, .min = 1, .max = 20000 },
	[F_ATTACH] = { .name = "attachment_ids", .fn = upload_valid_ids,
	    .flags = VF_STRING },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/messages/{thread_id}/replies",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = message_reply,
};

static const char sql_message[] =
    "INSERT INTO messages AS m (thread_id, sender_id, body, attachment_ids)"
    " VALUES ($1::bigint, $2::bigint, $3, coalesce($4::bigint[], '{}'))"
    " RETURNING "
    THREAD_MESSAGE_COLUMNS;

static const char sql_touch[] =
    "UPDATE message_threads SET last_message_at = now()"
    " WHERE id = $1::bigint";

static enum api_err
message_reply(struct call *c)
{
	struct thread	 t;
	struct db_res	*res = NULL;
	const char	*params[4];
	enum api_err	 er;

	if ((er = thread_load(c, &t)) != API_OK)
		return er;
	params[0] = t.id_str;
	params[1] = c->user_id;
	params[2] = c->in[F_BODY].v.s;
	params[3] = c->in[F_ATTACH].present ? c->in[F_ATTACH].v.s : NULL;
	if ((er = upload_check_ids(c->r, c->db, "attachment_ids", params[3],
	    "message", t.id_str, c->user_id)) != API_OK)
		return er;
	if ((er = db_exec(c->db, sql_message, 4, params, &res)) != API_OK ||
	    (er = db_exec(c->db, sql_touch, 1, params, NULL)) != API_OK ||
	    (er = thread_mark_read(c, t.id_str, db_get(res, 0, 0))) != API_OK ||
	    (er = thread_notify(c, &t)) != API_OK)
		goto out;
	er = row_send(c->r, 201, res, thread_message_json);
out:
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

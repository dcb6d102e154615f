/*
 * lectern — PATCH /api/messages/{thread_id}: a participant or an admin
 * sets their own flags on a thread: {important?, archived?, unread?}
 * (SPEC §6.3).  unread true marks the newest message from the others
 * unread again; false marks everything read.  200 with the thread as the
 * caller sees it.
 */
#include "config.h"

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "thread.h"

static enum api_err	message_update(struct call *);

enum field { F_IMPORTANT, F_ARCHIVED, F_UNREAD, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_IMPORTANT] = { .name = "important", .fn = valid_bool },
	[F_ARCHIVED] = { .name = "archived", .fn = valid_bool },
	[F_UNREAD] = { .name = "unread", .fn = valid_bool },
};

static const struct endpoint endpoint = {
	.method = "PATCH",
	.route = "/api/messages/{thread_id}",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_ONE_OF,
	.run = message_update,
};

/*
 * $5: the last message read, when unread was given: everything (read),
 * or all but the newest from someone else (unread).
 */
static const char sql_flags[] =
    "WITH lr AS (SELECT CASE WHEN $5::boolean IS NULL THEN NULL"
    "  WHEN $5::boolean THEN coalesce((SELECT max(id) FROM messages"
    "   WHERE thread_id = $1::bigint"
    "   AND sender_id IS DISTINCT FROM $2::bigint), 1) - 1"
    "  ELSE coalesce((SELECT max(id) FROM messages"
    "   WHERE thread_id = $1::bigint), 0) END AS id)"
    " INSERT INTO message_thread_state AS s (thread_id, user_id,"
    " last_read_id, important, archived) SELECT $1::bigint, $2::bigint,"
    " coalesce(lr.id, 0), coalesce($3::boolean, false),"
    " coalesce($4::boolean, false) FROM lr"
    " ON CONFLICT (thread_id, user_id) DO UPDATE"
    " SET important = coalesce($3::boolean, s.important),"
    " archived = coalesce($4::boolean, s.archived),"
    " last_read_id = CASE WHEN $5::boolean IS NULL THEN s.last_read_id"
    "  ELSE excluded.last_read_id END";

/* "true", "false" or NULL for field f of c. */
#define BOOL_PARAM(c, f)						\
	(!(c)->in[f].present ? NULL : (c)->in[f].v.b ? "true" : "false")

static enum api_err
message_update(struct call *c)
{
	struct thread	 t;
	const char	*params[5];
	enum api_err	 er;

	if ((er = thread_load(c, &t)) != API_OK)
		return er;
	params[0] = t.id_str;
	params[1] = c->user_id;
	params[2] = BOOL_PARAM(c, F_IMPORTANT);
	params[3] = BOOL_PARAM(c, F_ARCHIVED);
	params[4] = BOOL_PARAM(c, F_UNREAD);
	if ((er = db_exec(c->db, sql_flags, 5, params, NULL)) != API_OK)
		return er;
	return thread_send(c, t.id_str, 200);
}

ENDPOINT_MAIN(endpoint)

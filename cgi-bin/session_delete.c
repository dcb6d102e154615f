/*
 * lectern — DELETE /api/sessions/{id}: the course's author or an admin
 * cancels a live session.  The row stays (status "cancelled", so
 * calendar feeds show STATUS:CANCELLED) and every user with an active
 * enrollment is mailed, in the same transaction.  Cancelling a
 * cancelled session changes nothing and mails nobody.  204.
 */
#include "config.h"

#include "audit.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "live_session.h"

static enum api_err	session_delete(struct call *);

static const struct endpoint endpoint = {
	.method = "DELETE",
	.route = "/api/sessions/{id}",
	.who = ROLE_ANY,
	.run = session_delete,
};

static const char sql_cancel[] =
    "UPDATE live_sessions SET status = 'cancelled', cancelled_at = now(),"
    " sequence = sequence + 1 WHERE id = $1::bigint AND status <> 'cancelled'";

/* One mail to each active learner of the session's course. */
static const char sql_mail[] =
    "INSERT INTO email_outbox (to_address, subject, body)"
    " SELECT u.email, left('Cancelled: ' || s.title, 200),"
    "  'Hello ' || u.name || E',\\n\\n'"
    "  || 'The live session \"' || s.title || '\" of the course \"'"
    "  || c.title || '\", planned for '"
    "  || to_char(s.starts_at AT TIME ZONE 'UTC',"
    "   'YYYY-MM-DD HH24:MI \"UTC\"')"
    "  || E', has been cancelled.\\n'"
    " FROM live_sessions s JOIN courses c ON c.id = s.course_id"
    " JOIN enrollments e ON e.course_id = s.course_id"
    "  AND e.status = 'active'"
    " JOIN users u ON u.id = e.user_id AND u.is_active"
    " WHERE s.id = $1::bigint";

static enum api_err
session_delete(struct call *c)
{
	struct req		*r = c->r;
	struct live_session	 s;
	const char		*id;
	enum api_err		 er;

	if ((er = live_session_load(c->db, c->id_str, &c->a, 1, &s)) !=
	    API_OK)
		return er;
	if (!course_is_author(&s.course, &c->a))
		return http_fail(r, API_FORBIDDEN, "only the course's author "
		    "or an admin cancels sessions");
	if (!s.cancelled) {
		id = s.id_str;
		if ((er = db_exec(c->db, sql_cancel, 1, &id, NULL)) !=
		    API_OK ||
		    (er = db_exec(c->db, sql_mail, 1, &id, NULL)) != API_OK ||
		    (er = audit_log(r, c->db, c->user_id, "session.cancel",
		    "live_session", id, NULL)) != API_OK)
			return er;
	}
	return http_send(r, 204, NULL);
}

ENDPOINT_MAIN(endpoint)

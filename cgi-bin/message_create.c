/*
 * lectern — POST /api/messages: a new thread with its first message
 * (SPEC §6.3).  Staff write {to_user_id, subject, body}: a teacher or
 * instructor only to a student actively enrolled in one of their courses
 * (anyone else is 403), an admin to any active student.  A student
 * writes {subject, body} to the school's staff inbox.  The other side
 * gets a notification mail without the message's text.  201 {thread,
 * message} with Location.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "thread.h"

static enum api_err	message_create(struct call *);

enum field { F_TO, F_SUBJECT, F_BODY, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TO] = { .name = "to_user_id", .fn = valid_id },
	[F_SUBJECT] = { .name = "subject", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 200 },
	[F_BODY] = { .name = "body", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_MULTILINE, .min = 1, .max = 20000 },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/messages",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = message_create,
};

/* The recipient: an active student, taught by $2 unless $3 (admin). */
static const char sql_recipient[] =
    "SELECT u.id FROM users u WHERE u.id = $1::bigint AND u.is_active"
    " AND u.role = 'student' AND ($3::boolean OR EXISTS (SELECT 1"
    "  FROM enrollments e JOIN courses c ON c.id = e.course_id"
    "  WHERE e.user_id = u.id AND e.status = 'active'"
    "  AND c.instructor_id = $2::bigint))";

static const char sql_thread[] =
    "INSERT INTO message_threads (subject, student_id, staff_id,"
    " created_by) VALUES ($1, $2::bigint, $3::bigint, $4::bigint)"
    " RETURNING id";

static const char sql_message[] =
    "INSERT INTO messages AS m (thread_id, sender_id, body)"
    " VALUES ($1::bigint, $2::bigint, $3) RETURNING "
    THREAD_MESSAGE_COLUMNS;

static const char sql_view[] =
    "SELECT " THREAD_COLUMNS " FROM (" THREAD_VIEW("$2::bigint")
    " WHERE th.id = $1::bigint) v";

/*
 * Check the recipient of c's message.  Returns API_OK or the error
 * (answered).
 */
static enum api_err
recipient(struct call *c, char *to, size_t size)
{
	struct db_res	*res = NULL;
	const char	*params[3];
	enum api_err	 er;

	to[0] = '\0';
	if (c->a.user.role_bit == ROLE_STUDENT) {
		if (c->in[F_TO].present)
			return http_invalid_field(c->r, "to_user_id",
			    "students write to the staff inbox: leave it out");
		return API_OK;
	}
	if (!c->in[F_TO].present)
		return http_invalid_field(c->r, "to_user_id", "is required");
	snprintf(to, size, "%lld", c->in[F_TO].v.i);
	params[0] = to;
	params[1] = c->user_id;
	params[2] = c->a.user.role_bit == ROLE_ADMIN ? "true" : "false";
	if ((er = db_exec(c->db, sql_recipient, 3, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1)
		er = http_fail(c->r, API_FORBIDDEN, "you may write only to "
		    "students enrolled in your courses");
	db_res_free(res);
	return er;
}

static enum api_err
message_create(struct call *c)
{
	struct thread	 t;
	struct db_res	*res = NULL, *msg = NULL, *view = NULL;
	cJSON		*o = NULL, *j;
	const char	*params[4];
	char		 to[24];
	enum api_err	 er;

	if ((er = recipient(c, to, sizeof(to))) != API_OK)
		return er;
	memset(&t, 0, sizeof(t));
	t.is_student = to[0] == '\0';
	snprintf(t.student, sizeof(t.student), "%s",
	    t.is_student ? c->user_id : to);
	snprintf(t.staff, sizeof(t.staff), "%s", t.is_student ? "" :
	    c->user_id);
	snprintf(t.subject, sizeof(t.subject), "%s", c->in[F_SUBJECT].v.s);
	params[0] = c->in[F_SUBJECT].v.s;
	params[1] = t.student;
	params[2] = t.staff[0] != '\0' ? t.staff : NULL;
	params[3] = c->user_id;
	if ((er = db_exec(c->db, sql_thread, 4, params, &res)) != API_OK)
		goto out;
	snprintf(t.id_str, sizeof(t.id_str), "%s", db_get(res, 0, 0));
	params[0] = t.id_str;
	params[1] = c->user_id;
	params[2] = c->in[F_BODY].v.s;
	if ((er = db_exec(c->db, sql_message, 3, params, &msg)) != API_OK ||
	    (er = thread_mark_read(c, t.id_str, db_get(msg, 0, 0))) != API_OK ||
	    (er = thread_notify(c, &t)) != API_OK ||
	    (er = db_exec(c->db, sql_view, 2, params, &view)) != API_OK)
		goto out;
	if ((o = cJSON_CreateObject()) == NULL ||
	    (j = thread_json(view, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	cJSON_AddItemToObject(o, "thread", j);
	if ((j = thread_message_json(msg, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	cJSON_AddItemToObject(o, "message", j);
	er = http_send_created(c->r, o, "/api/messages/%s", t.id_str);
out:
	cJSON_Delete(o);
	db_res_free(view);
	db_res_free(msg);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — POST /api/lessons/{id}/complete: a user with an active
 * enrollment in the lesson's course marks it done.  Idempotent: marking
 * it again changes nothing (the first completed_at stays).  Only an
 * enrollment counts: the author or an admin without one gets 403, like
 * any other user who may see the course; a lesson of a course the
 * caller may not see is a 404.  The row is written in the caller's
 * transaction, under row-level security; when it completes the course,
 * the certificate is issued in the same transaction (SPEC §6.6).  204.
 */
#include "config.h"

#include <string.h>

#include "certificate.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lesson.h"

static enum api_err	lesson_complete(struct call *);

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/lessons/{id}/complete",
	.who = ROLE_ANY,
	.run = lesson_complete,
};

static const char sql_complete[] =
    "INSERT INTO lesson_progress (user_id, lesson_id)"
    " VALUES ($1::bigint, $2::bigint) ON CONFLICT DO NOTHING";

static enum api_err
lesson_complete(struct call *c)
{
	struct course	 co;
	const char	*params[2];
	int		 enrolled;
	enum api_err	 er;

	if ((er = lesson_course(c->db, c->id_str, &c->a, &co)) != API_OK ||
	    (er = course_enrolled(c->db, co.id_str, c->user_id,
	    &enrolled)) != API_OK)
		return er;
	if (!enrolled)
		return http_fail(c->r, API_FORBIDDEN,
		    "only users enrolled in the course complete its lessons");
	params[0] = c->user_id;
	params[1] = c->id_str;
	er = db_exec(c->db, sql_complete, 2, params, NULL);
	/* The lesson was deleted since it was looked up. */
	if (er == API_INVALID && strcmp(db_last_constraint(c->db),
	    "lesson_progress_lesson_id_fkey") == 0)
		er = API_NOT_FOUND;
	/* The course's last lesson: its certificate, in this transaction. */
	if (er == API_OK)
		er = cert_issue_on_completion(c->db, co.id_str, c->user_id);
	if (er != API_OK)
		return er;
	return http_send(c->r, 204, NULL);
}

ENDPOINT_MAIN(endpoint)

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

#include "auth.h"
#include "certificate.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "lesson.h"

static const char sql_complete[] =
    "INSERT INTO lesson_progress (user_id, lesson_id)"
    " VALUES ($1::bigint, $2::bigint) ON CONFLICT DO NOTHING";

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	const char	*id, *params[2];
	int		 enrolled;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = lesson_course(db, id, &a, &c)) != API_OK ||
	    (er = course_enrolled(db, c.id_str, a.user.id_str,
	    &enrolled)) != API_OK)
		return er;
	if (!enrolled)
		return http_fail(r, API_FORBIDDEN,
		    "only users enrolled in the course complete its lessons");
	params[0] = a.user.id_str;
	params[1] = id;
	er = db_exec(db, sql_complete, 2, params, NULL);
	/* The lesson was deleted since it was looked up. */
	if (er == API_INVALID && strcmp(db_last_constraint(db),
	    "lesson_progress_lesson_id_fkey") == 0)
		er = API_NOT_FOUND;
	/* The course's last lesson: its certificate, in this transaction. */
	if (er == API_OK)
		er = cert_issue_on_completion(db, c.id_str, a.user.id_str);
	if (er != API_OK || (er = db_commit(db)) != API_OK)
		return er;
	return http_send(r, 204, NULL);
}

int
main(void)
{

	return http_main("POST", handle);
}

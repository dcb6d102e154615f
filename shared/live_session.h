/*
 * lectern — live_session: what the live-session endpoints share (SPEC
 * §6.5): the columns and JSON of a session, and loading a session with
 * its course and the caller's right to see it.
 *
 * The meeting URL is "open" to the course's author, admins and users
 * with an active enrollment; for anyone else the JSON leaves it out and
 * it never leaves the database.
 */
#ifndef LECTERN_LIVE_SESSION_H
#define LECTERN_LIVE_SESSION_H

#include <cjson/cJSON.h>

#include "course.h"
#include "err.h"
#include "row.h"

struct auth;
struct db;
struct db_res;

#define LIVE_TITLE_MAX		200
#define LIVE_DESCRIPTION_MAX	5000
#define LIVE_DURATION_MIN	5
#define LIVE_DURATION_MAX	600
#define LIVE_JOIN_EARLY		"15 minutes"	/* /join opens this early */

/*
 * The columns of a session s, in the order of live_session_cols; open
 * is an SQL boolean expression saying whether the caller may have the
 * meeting URL.
 */
#define LIVE_SESSION_COLUMNS(open)					\
	"s.id, s.course_id, s.title, s.description,"			\
	" " SQL_UTC("s.starts_at") ","					\
	" " SQL_UTC("s.starts_at + make_interval(mins =>"		\
	" s.duration_minutes)") ","					\
	" s.duration_minutes, s.status,"				\
	" CASE WHEN (" open ") THEN s.meeting_url END,"		\
	" " SQL_UTC("s.cancelled_at") ","				\
	" " SQL_UTC("s.created_at") ", " SQL_UTC("s.updated_at")
extern const struct row_col	live_session_cols[12];
#define LIVE_SESSION_NCOLUMNS	12

struct live_session {
	long long	 id;
	char		 id_str[24];
	int		 cancelled;
	int		 joinable;	/* now is in the /join window */
	struct course	 course;
};

/*
 * The JSON of the session in row of res (LIVE_SESSION_COLUMNS from
 * column col on): {id, course_id, title, description, starts_at,
 * ends_at, duration_minutes, status, meeting_url?, cancelled_at?,
 * created_at, updated_at}.  NULL when out of memory or no row.
 */
cJSON		*live_session_json(const struct db_res *res, int row, int col);

/*
 * Load session id (decimal text) and its course into *s, and check the
 * caller a may see the course (course_check_learner).  lock: take the
 * session row FOR UPDATE.  Returns API_OK, API_NOT_FOUND or a database
 * error.
 */
enum api_err	 live_session_load(struct db *db, const char *id,
		    const struct auth *a, int lock, struct live_session *s)
		    __attribute__((warn_unused_result));

/* Whether s is an acceptable meeting URL (https, as for lessons). */
int		 live_session_url_ok(const char *s);

#endif /* LECTERN_LIVE_SESSION_H */

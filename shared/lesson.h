/*
 * lectern — lesson: what the lesson endpoints share (SPEC §4): the
 * columns and JSON of a lesson, finding a lesson's course, and the row
 * lock that keeps a course's lesson positions dense and unique.
 *
 * A lesson's content and video_url are "open" to the course's author,
 * admins and users with an active enrollment, and to everyone who may
 * see the course when the lesson is a preview.  For anyone else the
 * JSON of the lesson leaves both keys out.
 */
#ifndef LECTERN_LESSON_H
#define LECTERN_LESSON_H

#include <cjson/cJSON.h>

#include "err.h"
#include "row.h"

struct auth;
struct course;
struct db;
struct db_res;
struct vfield;
union vval;

#define LESSON_MAX		1000	/* lessons in one course */
#define LESSON_CONTENT_MAX	200000	/* characters */
#define LESSON_URL_MAX		2000	/* characters */

/*
 * The columns of a lesson l, in the order lesson_json reads them.  open
 * is an SQL boolean expression saying whether the caller may read the
 * content (say "$2::boolean OR l.is_preview", or "true"); when it is
 * false the content and video_url columns are NULL and never leave the
 * database.
 */
#define LESSON_COLUMNS(open)						\
	"l.id, l.course_id, l.title, l.position, l.is_preview,"		\
	" (" open ") AS open,"						\
	" CASE WHEN (" open ") THEN l.video_url END,"			\
	" CASE WHEN (" open ") THEN l.content END, "			\
	SQL_UTC("l.created_at") ", " SQL_UTC("l.updated_at")

/*
 * The JSON of the lesson in row of res (LESSON_COLUMNS from col on):
 * {id, course_id, title, position, is_preview, video_url, content,
 * created_at, updated_at}, without video_url and content when the row
 * is not open to the caller.  The caller frees it; NULL when out of
 * memory or the row is not there.
 */
cJSON		*lesson_json(const struct db_res *res, int row, int col);

/*
 * Load into *c the course of the lesson whose id is the decimal text id,
 * and check that the caller a (NULL: anonymous) may see that course.
 * Returns API_OK, API_NOT_FOUND (malformed or unknown lesson id, or a
 * course the caller may not see) or a database error.
 */
enum api_err	lesson_course(struct db *db, const char *id,
		    const struct auth *a, struct course *c)
		    __attribute__((warn_unused_result));

/*
 * Inside the open transaction, lock the row of course c (FOR NO KEY
 * UPDATE: every change of lesson positions takes it, so they run one
 * after the other, while enrollments and progress rows that merely
 * reference the course are not held up) and count its lessons into *n,
 * as seen after the lock was granted.  Returns API_OK, API_NOT_FOUND
 * when the course is gone, or a database error.
 */
enum api_err	lesson_lock_course(struct db *db, const struct course *c,
		    long long *n) __attribute__((warn_unused_result));

/*
 * Whether s is an acceptable video URL: "https://", a host (letters,
 * digits, dots, hyphens; an optional :port; no user information), then
 * an optional path, query and fragment of printable ASCII without
 * spaces.  Returns 1 or 0.
 */
int		lesson_url_ok(const char *s);

/*
 * A validator for struct vfield: a string (as valid_string, into v->s)
 * that lesson_url_ok accepts.
 * Its field is declared VF_STRING, so that valid_out_free frees it.
 */
int		lesson_valid_url(const cJSON *item, const struct vfield *f,
		    union vval *v, const char **why);

#endif /* LECTERN_LESSON_H */

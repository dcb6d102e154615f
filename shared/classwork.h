/*
 * lectern — classwork: assignments of a course and the students'
 * submissions (SPEC §4).  Loading a piece of classwork with its course,
 * the access rule every classwork endpoint shares, and the one JSON
 * shape of a classwork item and of a submission.
 *
 * Submissions have row-level security: every query that reads them runs
 * inside db_begin(db, caller id, caller role).
 */
#ifndef LECTERN_CLASSWORK_H
#define LECTERN_CLASSWORK_H

#include <cjson/cJSON.h>

#include "course.h"
#include "err.h"
#include "row.h"

struct auth;
struct db;
struct db_res;
struct req;

/*
 * The columns of a classwork item, in the order classwork_json reads
 * them: select CLASSWORK_COLUMNS from classwork cw.
 */
#define CLASSWORK_COLUMNS						\
	"cw.id, cw.course_id, cw.title, cw.instructions, "		\
	SQL_UTC("cw.due_at") ", cw.max_points, "			\
	SQL_UTC("cw.created_at") ", " SQL_UTC("cw.updated_at")

/* The positions of CLASSWORK_COLUMNS, and how many there are. */
enum classwork_col {
	CLASSWORK_C_ID,
	CLASSWORK_C_COURSE,
	CLASSWORK_C_TITLE,
	CLASSWORK_C_INSTRUCTIONS,
	CLASSWORK_C_DUE,
	CLASSWORK_C_MAX_POINTS,
	CLASSWORK_C_CREATED,
	CLASSWORK_C_UPDATED,
	CLASSWORK_NCOLUMNS
};

/*
 * The columns of a submission with its student's name, in the order
 * classwork_submission_json reads them: select SUBMISSION_COLUMNS from
 * submissions s join users u on u.id = s.user_id.
 */
#define SUBMISSION_COLUMNS						\
	"s.id, s.classwork_id, s.user_id, u.name, s.content, "		\
	SQL_UTC("s.submitted_at") ", "					\
	SQL_UTC("s.updated_at") ", s.grade, s.feedback, "		\
	SQL_UTC("s.graded_at") ", s.graded_by,"				\
	" array_to_json(s.attachment_ids)"

/* The positions of SUBMISSION_COLUMNS, and how many there are. */
enum submission_col {
	SUBMISSION_C_ID,
	SUBMISSION_C_CLASSWORK,
	SUBMISSION_C_USER,
	SUBMISSION_C_NAME,
	SUBMISSION_C_CONTENT,
	SUBMISSION_C_SUBMITTED,
	SUBMISSION_C_UPDATED,
	SUBMISSION_C_GRADE,
	SUBMISSION_C_FEEDBACK,
	SUBMISSION_C_GRADED_AT,
	SUBMISSION_C_GRADED_BY,
	SUBMISSION_C_ATTACHMENTS,
	SUBMISSION_NCOLUMNS
};

/* How classwork_load locks the classwork row. */
enum classwork_lock {
	CLASSWORK_LOCK_NONE,
	CLASSWORK_LOCK_SHARE,	/* due_at and max_points stay as read */
	CLASSWORK_LOCK_UPDATE	/* the row is about to change */
};

/* What an endpoint needs of the caller (classwork_check). */
enum classwork_need {
	CLASSWORK_LEARN,	/* enrolled (active), the author or an admin */
	CLASSWORK_AUTHOR	/* the author or an admin */
};

struct classwork {
	long long	 id;
	char		 id_str[24];
	long long	 max_points;
	int		 past_due;	/* due_at set and before now() */
	struct course	 course;
};

/*
 * Load classwork id (decimal text) and its course into *cw, locking the
 * classwork row as lock says (inside the caller's transaction).
 * Returns API_OK, API_NOT_FOUND (no such classwork, or id malformed) or
 * a database error.
 */
enum api_err	classwork_load(struct db *db, const char *id,
		    enum classwork_lock lock, struct classwork *cw)
		    __attribute__((warn_unused_result));

/*
 * Whether caller a may do what need says with the classwork of course
 * c.  Returns API_OK; API_NOT_FOUND when the course is not visible to a
 * (a draft or archived course, course_check_visible); API_FORBIDDEN
 * when it is visible but a lacks the right; or a database error.
 * *author (may be NULL) is set to whether a is the author or an admin.
 * Runs in the caller's transaction (the enrollment check is under
 * row-level security).
 */
enum api_err	classwork_check(struct db *db, const struct course *c,
		    const struct auth *a, enum classwork_need need,
		    int *author) __attribute__((warn_unused_result));

/*
 * The classwork item in row of res, starting at column col, as selected
 * by CLASSWORK_COLUMNS: a new JSON object the caller frees, or NULL when
 * out of memory or the row is not there.
 */
cJSON		*classwork_json(const struct db_res *res, int row, int col);

/*
 * The submission in row of res, starting at column col, as selected by
 * SUBMISSION_COLUMNS: a new JSON object {id, classwork_id, student: {id,
 * name}, content, submitted_at, updated_at, grade, feedback, graded_at,
 * graded_by, attachment_ids} the caller frees, or NULL when out of
 * memory or the row is not there.
 */
cJSON		*classwork_submission_json(const struct db_res *res, int row,
		    int col);

/*
 * Audit action ("classwork.update") on target_type/target_id when a is
 * an admin acting on a course that is not their own (SPEC §8: every
 * admin action); the course id goes in the details.  Nothing is written
 * for the course's own author.  Runs in the caller's transaction.
 * Returns API_OK, API_ENOMEM or a database error.
 */
enum api_err	classwork_audit(struct req *r, struct db *db,
		    const struct auth *a, const struct course *c,
		    const char *action, const char *target_type,
		    const char *target_id) __attribute__((warn_unused_result));

#endif /* LECTERN_CLASSWORK_H */

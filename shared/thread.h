/*
 * lectern — thread: staff–student message threads (SPEC §6.3).
 *
 * A thread is between one student and the staff: the member of staff
 * who wrote first, or the school's staff inbox (staff_id NULL), which
 * every admin reads.  Each reader has their own state: the last message
 * read (unread counts are the later messages from others), important
 * and archived.  Notification mails never carry a message's text.
 */
#ifndef LECTERN_THREAD_H
#define LECTERN_THREAD_H

#include <cjson/cJSON.h>

#include "err.h"
#include "row.h"

struct call;
struct db_res;

/*
 * The threads as the user whose id is the SQL parameter uid (such as
 * "$1::bigint") sees them, one row per thread with the columns
 * THREAD_COLUMNS reads from it (as v).
 */
#define THREAD_VIEW(uid)						\
	"SELECT th.id, th.subject, th.student_id, th.staff_id,"	\
	" CASE WHEN th.student_id = " uid " THEN th.staff_id"		\
	"  ELSE th.student_id END AS with_id,"				\
	" th.last_message_at, (SELECT count(*) FROM messages m"	\
	"  WHERE m.thread_id = th.id AND m.id > coalesce(s.last_read_id, 0)"\
	"  AND m.sender_id IS DISTINCT FROM " uid ") AS unread_count,"	\
	" coalesce(s.important, false) AS important,"			\
	" coalesce(s.archived, false) AS archived"			\
	" FROM message_threads th LEFT JOIN message_thread_state s"	\
	" ON s.thread_id = th.id AND s.user_id = " uid

/* What thread_json reads, from THREAD_VIEW as v. */
#define THREAD_COLUMNS							\
	"v.id, v.subject, v.with_id, coalesce((SELECT u.name FROM users u"\
	"  WHERE u.id = v.with_id), 'Staff'),"				\
	" " SQL_UTC("v.last_message_at") ", v.unread_count,"		\
	" v.important, v.archived"
#define THREAD_NCOLUMNS	8

/* What thread_message_json reads: from messages m. */
#define THREAD_MESSAGE_COLUMNS						\
	"m.id, m.thread_id, m.sender_id,"				\
	" (SELECT u.name FROM users u WHERE u.id = m.sender_id), m.body,"\
	" " SQL_UTC("m.created_at") ","					\
	" array_to_json(m.attachment_ids)"
#define THREAD_MESSAGE_NCOLUMNS	7

/* A thread as its checks need it. */
struct thread {
	char		 id_str[24];
	char		 subject[832];
	char		 student[24];	/* the student's user id */
	char		 staff[24];	/* "" for the staff inbox */
	int		 is_student;	/* the caller is the student */
};

/*
 * Load thread c->id as c's caller sees it (participant or admin) into
 * *t, locked against concurrent replies.  Returns API_OK, API_NOT_FOUND
 * (answered) or a database error.
 */
enum api_err	thread_load(struct call *c, struct thread *t)
		    __attribute__((warn_unused_result));

/* The thread of row of res from column col on; NULL out of memory. */
cJSON		*thread_json(const struct db_res *res, int row, int col);

/* The message of row of res from column col on; NULL out of memory. */
cJSON		*thread_message_json(const struct db_res *res, int row,
		    int col);

/*
 * Send c's caller the thread t as they see it now, with status.
 * Returns API_OK or an error.
 */
enum api_err	thread_send(struct call *c, const char *thread_id,
		    int status) __attribute__((warn_unused_result));

/*
 * Record that c's caller has read thread_id up to message_id (the
 * newest, when NULL).  Returns API_OK or a database error.
 */
enum api_err	thread_mark_read(struct call *c, const char *thread_id,
		    const char *message_id) __attribute__((warn_unused_result));

/*
 * Queue the notification of a new message in t by c's caller to the
 * other side: the student, or the member of staff, or for the staff
 * inbox LECTERN_STAFF_EMAIL (when set).  No message text goes in it.
 * Returns API_OK or a database error.
 */
enum api_err	thread_notify(struct call *c, const struct thread *t)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_THREAD_H */

/*
 * lectern — tutor: what the tutor endpoints share (SPEC §6.7): the
 * settings, the JSON of conversations and messages, the rule that a
 * conversation may be about a lesson only when its caller may read the
 * lesson's content, and the daily quota's clock.
 *
 * Nothing here calls out; the model call is shared/chat.c, linked only
 * into POST /api/tutor/conversations/{id}/messages.
 */
#ifndef LECTERN_TUTOR_H
#define LECTERN_TUTOR_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "row.h"

struct auth;
struct db;
struct db_res;

#define TUTOR_CONTENT_MAX	4000	/* characters of a student's message */
#define TUTOR_TITLE_MAX		200

/* The tutor's settings, read from the environment on each call. */
struct tutor_conf {
	const char	*api_base;	/* LECTERN_OPENAI_API_BASE */
	const char	*api_key;	/* LECTERN_OPENAI_API_KEY, NULL: none */
	const char	*model;		/* LECTERN_OPENAI_MODEL */
	long		 max_tokens;	/* LECTERN_TUTOR_MAX_TOKENS, 600 */
	long		 context_chars;	/* LECTERN_TUTOR_CONTEXT_CHARS, 6000 */
	long		 history;	/* LECTERN_TUTOR_HISTORY, 20 */
	long		 daily;		/* LECTERN_TUTOR_DAILY, 50 */
	long		 timeout;	/* LECTERN_TUTOR_TIMEOUT, 60 s */
};

/* Fill *tc from the environment (under FastCGI, the request's). */
void		tutor_conf_read(struct tutor_conf *tc);

/* Whether the tutor can answer: an API key is set. */
int		tutor_configured(void);

/*
 * The columns of a conversation c and of a message m, in the order
 * tutor_conversation_json and tutor_message_json read them.
 */
#define TUTOR_CONVERSATION_COLUMNS					\
	"c.id, c.course_id, c.lesson_id, c.title, "			\
	SQL_UTC("c.created_at") ", " SQL_UTC("c.updated_at")
#define TUTOR_CONVERSATION_NCOLUMNS	6
#define TUTOR_MESSAGE_COLUMNS						\
	"m.id, m.conversation_id, m.role, m.content, m.incomplete,"	\
	" m.prompt_tokens, m.completion_tokens, " SQL_UTC("m.created_at")
#define TUTOR_MESSAGE_NCOLUMNS		8

/*
 * {id, course_id, lesson_id, title, created_at, updated_at} of row of
 * res from column col on.  The caller frees it; NULL when out of memory
 * or the row is not there.
 */
cJSON		*tutor_conversation_json(const struct db_res *res, int row,
		    int col);

/*
 * {id, conversation_id, role, content, incomplete, usage:
 * {prompt_tokens, completion_tokens} (assistant messages), created_at}
 * of row of res from column col on.  As above.
 */
cJSON		*tutor_message_json(const struct db_res *res, int row, int col);

/*
 * The lesson access rule: the caller a may hold a conversation about
 * the lesson whose id is the decimal text lesson_id only when they may
 * read its content (the course's author, an admin, an active
 * enrollment, or a preview lesson of a course they may see).  Returns
 * API_OK with the lesson's course id in course_id (size bytes),
 * API_NOT_FOUND (no such lesson, or a course the caller may not see),
 * API_FORBIDDEN (content closed to the caller: say, a paid course they
 * are not enrolled in) or a database error.  Runs in the caller's
 * transaction.
 */
enum api_err	tutor_lesson_check(struct db *db, const char *lesson_id,
		    const struct auth *a, char *course_id, size_t size)
		    __attribute__((warn_unused_result));

/*
 * The next UTC midnight after now, when the daily quota starts again,
 * as epoch seconds; its RFC 3339 text into buf (at least 21 bytes).
 */
time_t		tutor_quota_reset(time_t now, char *buf, size_t size);

#endif /* LECTERN_TUTOR_H */

/*
 * lectern — ticket: support tickets and their replies (SPEC §6.4).
 *
 * A ticket is numbered T-000042 from its own sequence.  Its requester,
 * its assignee (a member of staff) and admins may see it; replies marked
 * internal are for the assignee and admins only and never reach the
 * requester, neither through the API nor by mail (row-level security
 * refuses them to anyone but staff, too).  Status moves open → pending
 * → resolved → closed; closed is final.
 */
#ifndef LECTERN_TICKET_H
#define LECTERN_TICKET_H

#include <cjson/cJSON.h>

#include "err.h"
#include "row.h"

struct call;
struct db_res;

/* What ticket_json reads: select TICKET_COLUMNS from tickets t. */
#define TICKET_COLUMNS							\
	"t.id, 'T-' || lpad(t.number::text, 6, '0'), t.subject, t.body,"\
	" t.priority, t.status, t.requester_id,"			\
	" (SELECT u.name FROM users u WHERE u.id = t.requester_id),"	\
	" t.assigned_to, t.course_id, " SQL_UTC("t.created_at") ", "	\
	SQL_UTC("t.updated_at") ", " SQL_UTC("t.closed_at")
#define TICKET_NCOLUMNS	13

/* What ticket_reply_json reads: from ticket_replies p. */
#define TICKET_REPLY_COLUMNS						\
	"p.id, p.ticket_id, p.author_id,"				\
	" (SELECT u.name FROM users u WHERE u.id = p.author_id),"	\
	" p.body, p.internal,"						\
	" " SQL_UTC("p.created_at") ","					\
	" array_to_json(p.attachment_ids)"
#define TICKET_REPLY_NCOLUMNS	8

/* A ticket as its checks need it. */
struct ticket {
	char		 id_str[24];
	char		 number[16];		/* "T-000042" */
	char		 subject[832];
	char		 status[16];
	char		 requester[24];		/* user id */
	char		 assignee[24];		/* user id, "" when none */
	int		 is_requester;		/* the caller is */
	int		 is_staff;		/* assignee or admin */
};

/*
 * Load ticket c->id as c's caller sees it, locked for update when lock
 * is set, into *t.  Returns API_OK or API_NOT_FOUND (answered) when the
 * caller may not see it, or a database error.
 */
enum api_err	ticket_load(struct call *c, int lock, struct ticket *t)
		    __attribute__((warn_unused_result));

/* The ticket of row of res from column col on; NULL out of memory. */
cJSON		*ticket_json(const struct db_res *res, int row, int col);

/* The reply of row of res from column col on; NULL out of memory. */
cJSON		*ticket_reply_json(const struct db_res *res, int row, int col);

/* Whether s is a ticket priority (low, normal, high, urgent). */
int		ticket_priority_ok(const char *s);

/* Whether s is a ticket status (open, pending, resolved, closed). */
int		ticket_status_ok(const char *s);

/*
 * Whether a ticket's status may move from from to to: any move but out
 * of closed, which is final.
 */
int		ticket_can_move(const char *from, const char *to);

#endif /* LECTERN_TICKET_H */

/*
 * lectern — GET /api/courses/{id}/sessions.ics: a course's live
 * sessions as an iCalendar feed (RFC 5545) for users with an active
 * enrollment, the course's author and admins; others who may see the
 * course get 403, everyone else 404.
 *
 * One VEVENT a session: a UID made of the session id and the host of
 * LECTERN_PUBLIC_URL (stable for the life of the session), DTSTAMP and
 * LAST-MODIFIED from the last change, DTSTART and DTEND in UTC, SEQUENCE
 * raised by every change, STATUS CONFIRMED or CANCELLED, the title,
 * description and meeting URL.  Text is escaped (backslash, semicolon,
 * comma, newline), other control characters are dropped, and lines are
 * folded at 75 octets without splitting a UTF-8 character; every line
 * ends in CRLF.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"

#define ICS_FOLD	75	/* octets of a line, without CRLF */
#define ICS_UTC		"'YYYYMMDD\"T\"HH24MISS\"Z\"'"

static enum api_err	session_ics(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/courses/{id}/sessions.ics",
	.who = ROLE_ANY,
	.run = session_ics,
};

static const char sql_feed[] =
    "SELECT c.title, s.id, s.title, s.description, s.meeting_url,"
    " s.status, s.sequence,"
    " to_char(s.starts_at AT TIME ZONE 'UTC', " ICS_UTC "),"
    " to_char((s.starts_at + make_interval(mins => s.duration_minutes))"
    "  AT TIME ZONE 'UTC', " ICS_UTC "),"
    " to_char(s.updated_at AT TIME ZONE 'UTC', " ICS_UTC "),"
    " to_char(s.created_at AT TIME ZONE 'UTC', " ICS_UTC ")"
    " FROM courses c LEFT JOIN live_sessions s ON s.course_id = c.id"
    " WHERE c.id = $1::bigint ORDER BY s.starts_at, s.id";

enum col {
	C_COURSE, C_ID, C_TITLE, C_DESCRIPTION, C_URL, C_STATUS, C_SEQUENCE,
	C_START, C_END, C_UPDATED, C_CREATED
};

/* The feed as it grows. */
struct ics {
	char	*p;
	size_t	 len;
	size_t	 cap;
	int	 enomem;
};

/* Append n bytes of s to b. */
static void
put(struct ics *b, const char *s, size_t n)
{
	char	*p;
	size_t	 cap;

	if (b->enomem)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->enomem = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/*
 * Append the content line s to b, folded: at most ICS_FOLD octets a
 * line, continuation lines starting with one space, never inside a
 * UTF-8 character, each ending in CRLF.
 */
static void
line(struct ics *b, const char *s)
{
	size_t	 n = strlen(s), room = ICS_FOLD, take;

	for (;;) {
		take = n <= room ? n : room;
		/* Back off to the start of a character. */
		while (take < n && take > 0 &&
		    ((unsigned char)s[take] & 0xc0) == 0x80)
			take--;
		put(b, s, take);
		put(b, "\r\n", 2);
		s += take;
		n -= take;
		if (n == 0)
			break;
		put(b, " ", 1);
		room = ICS_FOLD - 1;
	}
}

/*
 * Append the property name with the TEXT value v escaped (RFC 5545
 * 3.3.11) to b as one folded line.
 */
static void
text(struct ics *b, const char *name, const char *v)
{
	struct ics	 t;

	memset(&t, 0, sizeof(t));
	put(&t, name, strlen(name));
	put(&t, ":", 1);
	for (; v != NULL && *v != '\0'; v++) {
		switch (*v) {
		case '\\':
			put(&t, "\\\\", 2);
			break;
		case ';':
			put(&t, "\\;", 2);
			break;
		case ',':
			put(&t, "\\,", 2);
			break;
		case '\n':
			put(&t, "\\n", 2);
			break;
		default:
			/* Other controls are not allowed in TEXT. */
			if (((unsigned char)*v >= 0x20 && *v != 0x7f) ||
			    *v == '\t')
				put(&t, v, 1);
			break;
		}
	}
	if (t.enomem)
		b->enomem = 1;
	else
		line(b, t.p);
	free(t.p);
}

/* Append "name:value" (value not TEXT: no escaping) to b. */
static void
prop(struct ics *b, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1) {
		b->enomem = 1;
		s = NULL;
	}
	va_end(ap);
	if (s != NULL)
		line(b, s);
	free(s);
}

/*
 * The host part of LECTERN_PUBLIC_URL into buf, for UIDs ("localhost"
 * when there is none).
 */
static void
uid_host(char *buf, size_t size)
{
	const char	*u = config_get()->public_url, *p;
	size_t		 n;

	if ((p = strstr(u, "://")) != NULL)
		u = p + 3;
	n = strcspn(u, ":/?#");
	if (n == 0 || n >= size)
		snprintf(buf, size, "localhost");
	else
		snprintf(buf, size, "%.*s", (int)n, u);
}

/* Append the VEVENT of row i of res to b. */
static void
event(struct ics *b, const struct db_res *res, int i, const char *host)
{
	const char	*desc = db_get(res, i, C_DESCRIPTION);
	int		 cancelled;

	cancelled = strcmp(db_get(res, i, C_STATUS), "cancelled") == 0;
	line(b, "BEGIN:VEVENT");
	prop(b, "UID:session-%s@%s", db_get(res, i, C_ID), host);
	prop(b, "DTSTAMP:%s", db_get(res, i, C_UPDATED));
	prop(b, "CREATED:%s", db_get(res, i, C_CREATED));
	prop(b, "LAST-MODIFIED:%s", db_get(res, i, C_UPDATED));
	prop(b, "DTSTART:%s", db_get(res, i, C_START));
	prop(b, "DTEND:%s", db_get(res, i, C_END));
	prop(b, "SEQUENCE:%s", db_get(res, i, C_SEQUENCE));
	text(b, "SUMMARY", db_get(res, i, C_TITLE));
	if (desc != NULL && *desc != '\0')
		text(b, "DESCRIPTION", desc);
	if (!cancelled)
		prop(b, "URL:%s", db_get(res, i, C_URL));
	line(b, cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
	line(b, "END:VEVENT");
}

static enum api_err
session_ics(struct call *c)
{
	struct req	*r = c->r;
	struct course	 co;
	struct db_res	*res = NULL;
	struct ics	 b;
	const char	*id;
	char		 host[256], disp[80];
	int		 i, n, learn;
	enum api_err	 er;

	memset(&b, 0, sizeof(b));
	if ((er = course_load(c->db, c->id_str, &co)) != API_OK ||
	    (er = course_check_learner(c->db, &co, &c->a)) != API_OK ||
	    (er = course_can_learn(c->db, &co, &c->a, &learn)) != API_OK)
		return er;
	if (!learn)
		return http_fail(r, API_FORBIDDEN, "the calendar is for "
		    "enrolled users, the course's author and admins");
	id = co.id_str;
	if ((er = db_exec(c->db, sql_feed, 1, &id, &res)) != API_OK)
		return er;
	if ((n = db_nrows(res)) < 1) {
		er = API_NOT_FOUND;
		goto out;
	}
	uid_host(host, sizeof(host));
	line(&b, "BEGIN:VCALENDAR");
	line(&b, "VERSION:2.0");
	line(&b, "PRODID:-//lectern//live sessions//EN");
	line(&b, "CALSCALE:GREGORIAN");
	line(&b, "METHOD:PUBLISH");
	text(&b, "X-WR-CALNAME", db_get(res, 0, C_COURSE));
	for (i = 0; i < n; i++)
		if (db_get(res, i, C_ID) != NULL)
			event(&b, res, i, host);
	line(&b, "END:VCALENDAR");
	if (b.enomem) {
		log_warnx("session_ics: out of memory");
		er = API_ENOMEM;
		goto out;
	}
	snprintf(disp, sizeof(disp),
	    "inline; filename=\"course-%s.ics\"", co.id_str);
	if ((er = http_header(r, "Content-Disposition", disp)) != API_OK)
		goto out;
	er = http_send_text(r, 200, "text/calendar; charset=utf-8", b.p, b.len);
out:
	free(b.p);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

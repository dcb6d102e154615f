/*
 * lectern — PATCH /api/sessions/{id}: the course's author or an admin
 * changes a live session's title, description, starts_at,
 * duration_minutes or meeting_url.  A cancelled session stays as it was
 * (409).  Every change raises the session's iCalendar SEQUENCE, so
 * subscribed calendars take the new version.  200 with the session.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lesson.h"
#include "live_session.h"
#include "row.h"

static enum api_err	session_update(struct call *);

enum field { F_TITLE, F_STARTS, F_DURATION, F_URL, F_DESCRIPTION, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string, .min = 1,
	    .max = LIVE_TITLE_MAX },
	[F_STARTS] = { .name = "starts_at", .fn = valid_timestamp },
	[F_DURATION] = { .name = "duration_minutes", .fn = valid_int,
	    .min = LIVE_DURATION_MIN, .max = LIVE_DURATION_MAX },
	[F_URL] = { .name = "meeting_url", .fn = valid_string, .min = 1,
	    .max = LESSON_URL_MAX },
	[F_DESCRIPTION] = { .name = "description", .fn = valid_string,
	    .flags = VF_MULTILINE | VF_NULLABLE,
	    .max = LIVE_DESCRIPTION_MAX },
};

static const struct endpoint endpoint = {
	.method = "PATCH",
	.route = "/api/sessions/{id}",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_ONE_OF,
	.run = session_update,
};

static const char sql_update[] =
    "UPDATE live_sessions AS s SET title = coalesce($2, s.title),"
    " starts_at = coalesce($3::timestamptz, s.starts_at),"
    " duration_minutes = coalesce($4::integer, s.duration_minutes),"
    " meeting_url = coalesce($5, s.meeting_url),"
    " description = CASE WHEN $6::boolean THEN coalesce($7, '')"
    "  ELSE s.description END,"
    " sequence = s.sequence + 1"
    " WHERE s.id = $1::bigint RETURNING " LIVE_SESSION_COLUMNS("true");

static enum api_err
session_update(struct call *c)
{
	struct req		*r = c->r;
	struct live_session	 s;
	struct db_res		*res = NULL;
	const char		*params[7];
	char			 dur[24];
	enum api_err		 er;

	if (c->in[F_URL].present && !live_session_url_ok(c->in[F_URL].v.s))
		return http_invalid_field(r, "meeting_url",
		    "must be an https:// URL");
	if ((er = live_session_load(c->db, c->id_str, &c->a, 1, &s)) !=
	    API_OK)
		return er;
	if (!course_is_author(&s.course, &c->a))
		return http_fail(r, API_FORBIDDEN, "only the course's author "
		    "or an admin changes sessions");
	if (s.cancelled)
		return http_fail(r, API_CONFLICT,
		    "the session is cancelled");
	snprintf(dur, sizeof(dur), "%lld", c->in[F_DURATION].v.i);
	params[0] = s.id_str;
	params[1] = c->in[F_TITLE].present ? c->in[F_TITLE].v.s : NULL;
	params[2] = c->in[F_STARTS].present ? c->in[F_STARTS].v.s : NULL;
	params[3] = c->in[F_DURATION].present ? dur : NULL;
	params[4] = c->in[F_URL].present ? c->in[F_URL].v.s : NULL;
	params[5] = CALL_GIVEN(c, F_DESCRIPTION) ? "true" : "false";
	params[6] = c->in[F_DESCRIPTION].present ?
	    c->in[F_DESCRIPTION].v.s : NULL;
	if ((er = db_exec(c->db, sql_update, 7, params, &res)) == API_OK)
		er = row_send(r, 200, res, live_session_json);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

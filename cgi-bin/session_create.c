/*
 * lectern — POST /api/courses/{id}/sessions: the course's author or an
 * admin schedules a live session {title, starts_at, duration_minutes
 * (5..600), meeting_url (https), description?}.  201 with the session
 * (meeting_url included) and Location /api/sessions/<id>.  Others who
 * may see the course get 403, everyone else 404.
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

static enum api_err	session_create(struct call *);

enum field { F_TITLE, F_STARTS, F_DURATION, F_URL, F_DESCRIPTION, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = LIVE_TITLE_MAX },
	[F_STARTS] = { .name = "starts_at", .fn = valid_timestamp,
	    .flags = VF_REQUIRED },
	[F_DURATION] = { .name = "duration_minutes", .fn = valid_int,
	    .flags = VF_REQUIRED, .min = LIVE_DURATION_MIN,
	    .max = LIVE_DURATION_MAX },
	[F_URL] = { .name = "meeting_url", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = LESSON_URL_MAX },
	[F_DESCRIPTION] = { .name = "description", .fn = valid_string,
	    .flags = VF_MULTILINE | VF_NULLABLE,
	    .max = LIVE_DESCRIPTION_MAX },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/courses/{id}/sessions",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = session_create,
};

static const char sql_insert[] =
    "INSERT INTO live_sessions AS s (course_id, title, description,"
    " starts_at, duration_minutes, meeting_url, created_by)"
    " VALUES ($1::bigint, $2, coalesce($3, ''), $4::timestamptz,"
    " $5::integer, $6, $7::bigint)"
    " RETURNING " LIVE_SESSION_COLUMNS("true");

static enum api_err
session_create(struct call *c)
{
	struct req	*r = c->r;
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*o = NULL;
	const char	*params[7];
	char		 dur[24];
	enum api_err	 er;

	if (!live_session_url_ok(c->in[F_URL].v.s))
		return http_invalid_field(r, "meeting_url",
		    "must be an https:// URL");
	if ((er = course_load(c->db, c->id_str, &co)) != API_OK ||
	    (er = course_check_learner(c->db, &co, &c->a)) != API_OK)
		return er;
	if (!course_is_author(&co, &c->a))
		return http_fail(r, API_FORBIDDEN, "only the course's author "
		    "or an admin schedules sessions");
	snprintf(dur, sizeof(dur), "%lld", c->in[F_DURATION].v.i);
	params[0] = co.id_str;
	params[1] = c->in[F_TITLE].v.s;
	params[2] = c->in[F_DESCRIPTION].present ?
	    c->in[F_DESCRIPTION].v.s : NULL;
	params[3] = c->in[F_STARTS].v.s;
	params[4] = dur;
	params[5] = c->in[F_URL].v.s;
	params[6] = c->user_id;
	if ((er = db_exec(c->db, sql_insert, 7, params, &res)) != API_OK)
		goto out;
	if ((o = live_session_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	er = http_send_created(r, o, "/api/sessions/%s", db_get(res, 0, 0));
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

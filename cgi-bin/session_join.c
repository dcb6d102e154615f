/*
 * lectern — POST /api/sessions/{id}/join: a user with an active
 * enrollment in the course checks in.  From 15 minutes before the start
 * to the end of the session it records their attendance (the first
 * check-in's time is kept) and answers 200 {meeting_url}; before or
 * after that window, or for a cancelled session, 409.  Only an
 * enrollment counts: the author or an admin without one gets 403.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "live_session.h"

static enum api_err	session_join(struct call *);

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/sessions/{id}/join",
	.who = ROLE_ANY,
	.run = session_join,
};

static const char sql_attend[] =
    "WITH a AS (INSERT INTO session_attendance AS sa (session_id, user_id,"
    "  source, joined_at) VALUES ($1::bigint, $2::bigint, 'join', now())"
    "  ON CONFLICT (session_id, user_id) DO UPDATE"
    "  SET joined_at = coalesce(sa.joined_at, now()) RETURNING 1)"
    " SELECT s.meeting_url FROM live_sessions s, a WHERE s.id = $1::bigint";

static enum api_err
session_join(struct call *c)
{
	struct req		*r = c->r;
	struct live_session	 s;
	struct db_res		*res = NULL;
	cJSON			*o = NULL;
	const char		*params[2], *url;
	int			 enrolled;
	enum api_err		 er;

	if ((er = live_session_load(c->db, c->id_str, &c->a, 0, &s)) !=
	    API_OK ||
	    (er = course_enrolled(c->db, s.course.id_str, c->user_id,
	    &enrolled)) != API_OK)
		return er;
	if (!enrolled)
		return http_fail(r, API_FORBIDDEN,
		    "only users enrolled in the course join its sessions");
	if (s.cancelled)
		return http_fail(r, API_CONFLICT, "the session is cancelled");
	if (!s.joinable)
		return http_fail(r, API_CONFLICT, "the session can be joined "
		    "from 15 minutes before its start until its end");
	params[0] = s.id_str;
	params[1] = c->user_id;
	if ((er = db_exec(c->db, sql_attend, 2, params, &res)) != API_OK)
		goto out;
	if ((url = db_get(res, 0, 0)) == NULL) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "meeting_url", url) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send(r, 200, o);
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

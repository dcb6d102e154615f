/*
 * lectern — PUT /api/sessions/{id}/attendance: the course's author or
 * an admin sets who was there, {present: [user ids]}: exactly those are
 * present afterwards (a self check-in of someone listed keeps its time;
 * anyone not listed is removed).  Every id must be a user with an
 * active enrollment in the course, else 400 and nothing changes.  200
 * {session_id, present: [ids, ascending]}.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "live_session.h"
#include "log.h"

#define PRESENT_MAX	5000	/* ids in one PUT */

static enum api_err	attendance_put(struct call *);
static int		valid_ids(const cJSON *, const struct vfield *,
			    union vval *, const char **);

enum field { F_PRESENT, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_PRESENT] = { .name = "present", .fn = valid_ids,
	    .flags = VF_REQUIRED },
};

static const struct endpoint endpoint = {
	.method = "PUT",
	.route = "/api/sessions/{id}/attendance",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = attendance_put,
};

static const char sql_not_enrolled[] =
    "SELECT x FROM unnest($2::bigint[]) x WHERE NOT EXISTS (SELECT 1"
    " FROM enrollments e WHERE e.course_id = $1::bigint AND e.user_id = x"
    " AND e.status = 'active') LIMIT 1";

static const char sql_remove[] =
    "DELETE FROM session_attendance WHERE session_id = $1::bigint"
    " AND NOT (user_id = ANY ($2::bigint[]))";

static const char sql_add[] =
    "INSERT INTO session_attendance (session_id, user_id, source,"
    " marked_by) SELECT $1::bigint, x, 'teacher', $3::bigint"
    " FROM unnest($2::bigint[]) x ON CONFLICT DO NOTHING";

static const char sql_present[] =
    "SELECT coalesce(json_agg(user_id ORDER BY user_id), '[]')::text"
    " FROM session_attendance WHERE session_id = $1::bigint";

/*
 * A validator for struct vfield: an array of at most PRESENT_MAX user
 * ids (positive integers); v->i is how many.  The handler reads the ids
 * from the body once they are known to be good.
 */
static int
valid_ids(const cJSON *it, const struct vfield *f, union vval *v,
    const char **why)
{
	const cJSON	*x;
	int		 n = 0;

	(void)f;
	*why = "must be an array of user ids";
	if (!cJSON_IsArray(it))
		return 0;
	cJSON_ArrayForEach(x, it) {
		if (!cJSON_IsNumber(x) || x->valuedouble < 1 ||
		    x->valuedouble > 9007199254740991.0 ||
		    x->valuedouble != (double)(long long)x->valuedouble)
			return 0;
		if (++n > PRESENT_MAX) {
			*why = "lists too many users";
			return 0;
		}
	}
	v->i = n;
	return 1;
}

/*
 * The ids of the body's "present" as a PostgreSQL array literal
 * ("{1,2}"), a new string the caller frees; NULL when out of memory.
 */
static char *
id_array(const cJSON *body, long long n)
{
	const cJSON	*x;
	char		*s;
	size_t		 size = (size_t)n * 18 + 3, len = 0;

	if ((s = malloc(size)) == NULL)
		return NULL;
	s[len++] = '{';
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(body,
	    "present"))
		len += (size_t)snprintf(s + len, size - len, "%s%lld",
		    len > 1 ? "," : "", (long long)x->valuedouble);
	snprintf(s + len, size - len, "}");
	return s;
}

static enum api_err
attendance_put(struct call *c)
{
	struct req		*r = c->r;
	struct live_session	 s;
	struct db_res		*res = NULL;
	const char		*params[3], *v;
	char			*ids = NULL, *body = NULL;
	enum api_err		 er;

	if ((er = live_session_load(c->db, c->id_str, &c->a, 1, &s)) !=
	    API_OK)
		return er;
	if (!course_is_author(&s.course, &c->a))
		return http_fail(r, API_FORBIDDEN, "only the course's author "
		    "or an admin sets attendance");
	if ((ids = id_array(c->body, c->in[F_PRESENT].v.i)) == NULL)
		return API_ENOMEM;
	params[0] = s.course.id_str;
	params[1] = ids;
	if ((er = db_exec(c->db, sql_not_enrolled, 2, params, &res)) !=
	    API_OK)
		goto out;
	if (db_nrows(res) > 0) {
		er = http_invalid_field(r, "present",
		    "must list only users enrolled in the course");
		goto out;
	}
	db_res_free(res);
	res = NULL;
	params[0] = s.id_str;
	params[2] = c->user_id;
	if ((er = db_exec(c->db, sql_remove, 2, params, NULL)) != API_OK ||
	    (er = db_exec(c->db, sql_add, 3, params, NULL)) != API_OK ||
	    (er = db_exec(c->db, sql_present, 1, params, &res)) != API_OK)
		goto out;
	if ((v = db_get(res, 0, 0)) == NULL) {
		er = API_INTERNAL;
		goto out;
	}
	if (asprintf(&body, "{\"session_id\":%s,\"present\":%s}",
	    s.id_str, v) == -1) {
		body = NULL;
		er = API_ENOMEM;
		goto out;
	}
	er = http_send_raw(r, 200, body);
out:
	free(body);
	free(ids);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

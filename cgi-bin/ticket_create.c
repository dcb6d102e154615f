/*
 * lectern — POST /api/tickets: a signed-in user opens a support ticket
 * {subject, body, priority? (low, normal, high, urgent), course_id?}
 * (SPEC §6.4).  Its number T-000042 comes from a sequence, so tickets
 * opened at the same moment never share one.  201 with the ticket and
 * Location.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "ticket.h"

static enum api_err	ticket_create(struct call *);

enum field { F_SUBJECT, F_BODY, F_PRIORITY, F_COURSE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_SUBJECT] = { .name = "subject", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 200 },
	[F_BODY] = { .name = "body", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_MULTILINE, .min = 1, .max = 20000 },
	[F_PRIORITY] = { .name = "priority", .fn = valid_string, .min = 1,
	    .max = 16 },
	[F_COURSE] = { .name = "course_id", .fn = valid_id },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/tickets",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = ticket_create,
};

static const char sql_course[] =
    "SELECT 1 FROM courses WHERE id = $1::bigint";

static const char sql_insert[] =
    "INSERT INTO tickets AS t (requester_id, subject, body, priority,"
    " course_id) VALUES ($1::bigint, $2, $3, coalesce($4, 'normal'),"
    " $5::bigint) RETURNING " TICKET_COLUMNS;

static enum api_err
ticket_create(struct call *c)
{
	struct db_res	*res = NULL;
	cJSON		*o = NULL;
	const char	*params[5];
	char		 course[24];
	enum api_err	 er;

	if (c->in[F_PRIORITY].present &&
	    !ticket_priority_ok(c->in[F_PRIORITY].v.s))
		return http_invalid_field(c->r, "priority",
		    "must be low, normal, high or urgent");
	course[0] = '\0';
	if (c->in[F_COURSE].present) {
		snprintf(course, sizeof(course), "%lld", c->in[F_COURSE].v.i);
		params[0] = course;
		if ((er = db_exec(c->db, sql_course, 1, params,
		    &res)) != API_OK)
			return er;
		er = db_nrows(res) == 1 ? API_OK : http_invalid_field(c->r,
		    "course_id", "no such course");
		db_res_free(res);
		res = NULL;
		if (er != API_OK)
			return er;
	}
	params[0] = c->user_id;
	params[1] = c->in[F_SUBJECT].v.s;
	params[2] = c->in[F_BODY].v.s;
	params[3] = c->in[F_PRIORITY].present ? c->in[F_PRIORITY].v.s : NULL;
	params[4] = course[0] != '\0' ? course : NULL;
	if ((er = db_exec(c->db, sql_insert, 5, params, &res)) != API_OK)
		goto out;
	if ((o = ticket_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send_created(c->r, o, "/api/tickets/%s", db_get(res, 0, 0));
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

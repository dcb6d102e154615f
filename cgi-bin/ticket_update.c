/*
 * lectern — PATCH /api/tickets/{id} (SPEC §6.4).  The assignee and
 * admins change status, priority and assigned_to (a member of staff, or
 * null); the requester may only close the ticket ({status:"closed"}).
 * Status moves open → pending → resolved → closed and back towards
 * open, but closed is final: any change of a closed ticket's status is
 * 409 (and the schema's trigger refuses it too).  Changes of status and
 * assignment are audited.  200 with the ticket.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"
#include "ticket.h"

static enum api_err	ticket_update(struct call *);

enum field { F_STATUS, F_PRIORITY, F_ASSIGNED, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_STATUS] = { .name = "status", .fn = valid_string, .min = 1,
	    .max = 16 },
	[F_PRIORITY] = { .name = "priority", .fn = valid_string, .min = 1,
	    .max = 16 },
	[F_ASSIGNED] = { .name = "assigned_to", .fn = valid_id,
	    .flags = VF_NULLABLE },
};

static const struct endpoint endpoint = {
	.method = "PATCH",
	.route = "/api/tickets/{id}",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_ONE_OF,
	.run = ticket_update,
};

static const char sql_staff[] =
    "SELECT 1 FROM users WHERE id = $1::bigint AND is_active"
    " AND role IN ('teacher', 'instructor', 'admin')";

static const char sql_update[] =
    "UPDATE tickets AS t SET status = coalesce($2, t.status),"
    " priority = coalesce($3, t.priority),"
    " assigned_to = CASE WHEN $4::boolean THEN $5::bigint"
    "  ELSE t.assigned_to END,"
    " closed_at = CASE WHEN coalesce($2, t.status) = 'closed'"
    "  THEN coalesce(t.closed_at, now()) ELSE NULL END"
    " WHERE t.id = $1::bigint RETURNING " TICKET_COLUMNS;

/* Audit action on t with old and new values (new NULL: none). */
static enum api_err
audit(struct call *c, const struct ticket *t, const char *action,
    const char *old, const char *new)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) != NULL &&
	    (old[0] == '\0' ? cJSON_AddNullToObject(d, "old") :
	    cJSON_AddStringToObject(d, "old", old)) != NULL &&
	    (new == NULL ? cJSON_AddNullToObject(d, "new") :
	    cJSON_AddStringToObject(d, "new", new)) != NULL)
		er = audit_log(c->r, c->db, c->user_id, action, "ticket",
		    t->id_str, d);
	cJSON_Delete(d);
	return er;
}

/*
 * Check c's body against what the caller may change on t.  Returns
 * API_OK or the error (answered).
 */
static enum api_err
check(struct call *c, const struct ticket *t, char *aid, size_t size)
{
	struct db_res	*res = NULL;
	const char	*param;
	enum api_err	 er;

	if (!t->is_staff && (!c->in[F_STATUS].present ||
	    strcmp(c->in[F_STATUS].v.s, "closed") != 0 ||
	    CALL_GIVEN(c, F_PRIORITY) || CALL_GIVEN(c, F_ASSIGNED)))
		return http_fail(c->r, API_FORBIDDEN, "the requester may only "
		    "close the ticket");
	if (c->in[F_STATUS].present && !ticket_status_ok(c->in[F_STATUS].v.s))
		return http_invalid_field(c->r, "status",
		    "must be open, pending, resolved or closed");
	if (c->in[F_PRIORITY].present &&
	    !ticket_priority_ok(c->in[F_PRIORITY].v.s))
		return http_invalid_field(c->r, "priority",
		    "must be low, normal, high or urgent");
	if (c->in[F_STATUS].present &&
	    !ticket_can_move(t->status, c->in[F_STATUS].v.s))
		return http_fail(c->r, API_CONFLICT,
		    "the ticket is closed: closed is final");
	aid[0] = '\0';
	if (!c->in[F_ASSIGNED].present)
		return API_OK;
	snprintf(aid, size, "%lld", c->in[F_ASSIGNED].v.i);
	param = aid;
	if ((er = db_exec(c->db, sql_staff, 1, &param, &res)) != API_OK)
		return er;
	er = db_nrows(res) == 1 ? API_OK : http_invalid_field(c->r,
	    "assigned_to", "must be an active member of staff");
	db_res_free(res);
	return er;
}

static enum api_err
ticket_update(struct call *c)
{
	struct ticket	 t;
	struct db_res	*res = NULL;
	const char	*params[5], *na;
	char		 aid[24];
	enum api_err	 er;

	if ((er = ticket_load(c, 1, &t)) != API_OK ||
	    (er = check(c, &t, aid, sizeof(aid))) != API_OK)
		return er;
	params[0] = t.id_str;
	params[1] = c->in[F_STATUS].present ? c->in[F_STATUS].v.s : NULL;
	params[2] = c->in[F_PRIORITY].present ? c->in[F_PRIORITY].v.s : NULL;
	params[3] = CALL_GIVEN(c, F_ASSIGNED) ? "true" : "false";
	params[4] = aid[0] != '\0' ? aid : NULL;
	if ((er = db_exec(c->db, sql_update, 5, params, &res)) != API_OK)
		goto out;
	if (strcmp(t.status, db_get(res, 0, 5)) != 0 && (er = audit(c, &t,
	    "ticket.status", t.status, db_get(res, 0, 5))) != API_OK)
		goto out;
	na = db_get(res, 0, 8);
	if (strcmp(t.assignee, na != NULL ? na : "") != 0 && (er = audit(c,
	    &t, "ticket.assign", t.assignee, na)) != API_OK)
		goto out;
	er = row_send(c->r, 200, res, ticket_json);
out:
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

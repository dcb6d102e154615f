/*
 * lectern — PATCH /api/admin/leads/{id}: an admin changes a lead's
 * status (new, contacted, qualified, converted, lost), assigned_to (a
 * member of staff, or null) and notes (null empties them) (SPEC §6.2).
 * A change of status or assignment is audited with the old and new
 * values.  200 with the lead.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lead.h"
#include "row.h"

static enum api_err	lead_update(struct call *);

enum field { F_STATUS, F_ASSIGNED, F_NOTES, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_STATUS] = { .name = "status", .fn = valid_string, .min = 1,
	    .max = 16 },
	[F_ASSIGNED] = { .name = "assigned_to", .fn = valid_id,
	    .flags = VF_NULLABLE },
	[F_NOTES] = { .name = "notes", .fn = valid_string,
	    .flags = VF_MULTILINE | VF_NULLABLE, .min = 1, .max = 5000 },
};

static const struct endpoint endpoint = {
	.method = "PATCH",
	.route = "/api/admin/leads/{id}",
	.who = ROLE_ADMIN,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_ONE_OF,
	.run = lead_update,
};

static const char *const statuses[] = {
	"new", "contacted", "qualified", "converted", "lost"
};

static const char sql_old[] =
    "SELECT status, assigned_to FROM leads WHERE id = $1::bigint"
    " FOR UPDATE";

static const char sql_staff[] =
    "SELECT 1 FROM users WHERE id = $1::bigint AND is_active"
    " AND role IN ('teacher', 'instructor', 'admin')";

static const char sql_update[] =
    "UPDATE leads AS l SET status = coalesce($2, l.status),"
    " assigned_to = CASE WHEN $3::boolean THEN $4::bigint"
    "  ELSE l.assigned_to END,"
    " notes = CASE WHEN $5::boolean THEN $6 ELSE l.notes END"
    " WHERE l.id = $1::bigint RETURNING " LEAD_COLUMNS;

/* Whether s is a lead status. */
static int
status_ok(const char *s)
{
	size_t	 i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(s, statuses[i]) == 0)
			return 1;
	return 0;
}

/*
 * Audit the change of lead c->id from old (status, assigned_to) to the
 * row of res, when status or assignment moved.  Returns API_OK or an
 * error.
 */
static enum api_err
audit(struct call *c, const struct db_res *old, const struct db_res *res)
{
	const char	*os = db_get(old, 0, 0), *oa = db_get(old, 0, 1);
	const char	*ns = db_get(res, 0, 7), *na = db_get(res, 0, 8);
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;
	int		 same_a;

	same_a = (oa == NULL && na == NULL) ||
	    (oa != NULL && na != NULL && strcmp(oa, na) == 0);
	if (strcmp(os, ns) == 0 && same_a && !CALL_GIVEN(c, F_NOTES))
		return API_OK;
	if ((d = cJSON_CreateObject()) != NULL &&
	    cJSON_AddStringToObject(d, "old_status", os) != NULL &&
	    cJSON_AddStringToObject(d, "status", ns) != NULL &&
	    (oa == NULL ? cJSON_AddNullToObject(d, "old_assigned_to") :
	    cJSON_AddStringToObject(d, "old_assigned_to", oa)) != NULL &&
	    (na == NULL ? cJSON_AddNullToObject(d, "assigned_to") :
	    cJSON_AddStringToObject(d, "assigned_to", na)) != NULL &&
	    cJSON_AddBoolToObject(d, "notes_changed",
	    CALL_GIVEN(c, F_NOTES)) != NULL)
		er = audit_log(c->r, c->db, c->user_id, "lead.update", "lead",
		    c->id_str, d);
	cJSON_Delete(d);
	return er;
}

static enum api_err
lead_update(struct call *c)
{
	struct db_res	*old = NULL, *res = NULL;
	const char	*params[6];
	char		 aid[24];
	enum api_err	 er;

	if (c->in[F_STATUS].present && !status_ok(c->in[F_STATUS].v.s))
		return http_invalid_field(c->r, "status", "must be new, "
		    "contacted, qualified, converted or lost");
	aid[0] = '\0';
	if (c->in[F_ASSIGNED].present) {
		snprintf(aid, sizeof(aid), "%lld", c->in[F_ASSIGNED].v.i);
		params[0] = aid;
		if ((er = db_exec(c->db, sql_staff, 1, params,
		    &res)) != API_OK)
			return er;
		if (db_nrows(res) != 1) {
			db_res_free(res);
			return http_invalid_field(c->r, "assigned_to",
			    "must be an active member of staff");
		}
		db_res_free(res);
		res = NULL;
	}
	params[0] = c->id_str;
	if ((er = db_exec(c->db, sql_old, 1, params, &old)) != API_OK)
		return er;
	if (db_nrows(old) != 1) {
		er = http_fail(c->r, API_NOT_FOUND, "lead not found");
		goto out;
	}
	params[1] = c->in[F_STATUS].present ? c->in[F_STATUS].v.s : NULL;
	params[2] = CALL_GIVEN(c, F_ASSIGNED) ? "true" : "false";
	params[3] = aid[0] != '\0' ? aid : NULL;
	params[4] = CALL_GIVEN(c, F_NOTES) ? "true" : "false";
	params[5] = c->in[F_NOTES].present ? c->in[F_NOTES].v.s : NULL;
	if ((er = db_exec(c->db, sql_update, 6, params, &res)) != API_OK ||
	    (er = audit(c, old, res)) != API_OK)
		goto out;
	er = row_send(c->r, 200, res, lead_json);
out:
	db_res_free(res);
	db_res_free(old);
	return er;
}

ENDPOINT_MAIN(endpoint)

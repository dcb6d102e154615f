/*
 * lectern — GET /api/admin/audit-logs: the audit log, newest first, for
 * admins.  Filters: action, actor_user_id, target_type, target_id, and
 * from / to (RFC 3339 timestamps: created_at >= from and < to).  Paged
 * with page and per_page.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "json.h"
#include "list.h"
#include "row.h"

enum filter {
	FL_ACTION, FL_ACTOR, FL_TARGET_TYPE, FL_TARGET_ID, FL_FROM, FL_TO,
	FL__MAX
};

static const struct list_filter filters[FL__MAX] = {
	[FL_ACTION] = { .name = "action", .kind = LIST_TEXT },
	[FL_ACTOR] = { .name = "actor_user_id", .kind = LIST_ID },
	[FL_TARGET_TYPE] = { .name = "target_type", .kind = LIST_TEXT },
	[FL_TARGET_ID] = { .name = "target_id", .kind = LIST_TEXT },
	[FL_FROM] = { .name = "from", .kind = LIST_TIME },
	[FL_TO] = { .name = "to", .kind = LIST_TIME },
};

static const char sql_list[] =
    "WITH f AS (SELECT a.id, a.actor_user_id, a.action, a.target_type,"
    "  a.target_id, a.details::text AS details, a.ip, a.request_id,"
    "  a.created_at FROM audit_logs a"
    "  WHERE ($1::text IS NULL OR a.action = $1)"
    "  AND ($2::bigint IS NULL OR a.actor_user_id = $2::bigint)"
    "  AND ($3::text IS NULL OR a.target_type = $3)"
    "  AND ($4::text IS NULL OR a.target_id = $4)"
    "  AND ($5::timestamptz IS NULL OR a.created_at >= $5::timestamptz)"
    "  AND ($6::timestamptz IS NULL OR a.created_at < $6::timestamptz))"
    LIST_SQL_PAGE("p.id, p.actor_user_id, p.action, p.target_type,"
    " p.target_id, p.details, p.ip, p.request_id, "
    SQL_UTC("p.created_at"), "p", "p.created_at DESC, p.id DESC", 7, 8);

enum col {
	C_ID, C_ACTOR, C_ACTION, C_TTYPE, C_TID, C_DETAILS, C_IP, C_RID,
	C_CREATED, C__MAX
};

/* An entry; its details, JSON text, are parsed apart (entry). */
static const struct row_col cols[C__MAX] = {
	[C_ID] = { .name = "id", .kind = ROW_NUM },
	[C_ACTOR] = { .name = "actor_user_id", .kind = ROW_NUM },
	[C_ACTION] = { .name = "action", .kind = ROW_TEXT },
	[C_TTYPE] = { .name = "target_type", .kind = ROW_TEXT },
	[C_TID] = { .name = "target_id", .kind = ROW_TEXT },
	[C_DETAILS] = { .name = "details", .kind = ROW_SKIP },
	[C_IP] = { .name = "ip", .kind = ROW_TEXT },
	[C_RID] = { .name = "request_id", .kind = ROW_TEXT },
	[C_CREATED] = { .name = "created_at", .kind = ROW_TEXT },
};

/*
 * The entry of row i of res as a new JSON object (the caller frees it),
 * or NULL when out of memory.  Details that do not parse (they always
 * should: the column is jsonb) are null.
 */
static cJSON *
entry(const struct db_res *res, int i, int col)
{
	cJSON		*o, *details = NULL;
	const char	*v;

	if ((o = row_json(res, i, col, cols, C__MAX)) == NULL)
		return NULL;
	if ((v = db_get(res, i, col + C_DETAILS)) == NULL ||
	    json_parse(v, strlen(v), &details) != API_OK)
		details = cJSON_CreateNull();
	if (details == NULL || !cJSON_AddItemToObject(o, "details", details)) {
		cJSON_Delete(details);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = FL__MAX,
	.id_col = C_ID,
	.total_col = C__MAX,
	.row = entry,
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/audit-logs",
	.who = ROLE_ADMIN,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED,
	.tx = TX_NONE,		/* audit_logs has no row-level security */
	.list = &list_q,
	.list_args = { LA_QUERY },
};

ENDPOINT_MAIN(endpoint)

/*
 * lectern — GET /api/admin/audit-logs: the audit log, newest first, for
 * admins.  Filters: action, actor_user_id, target_type, target_id, and
 * from / to (RFC 3339 timestamps: created_at >= from and < to).  Paged
 * with page and per_page.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "list.h"

enum filter {
	FL_ACTION, FL_ACTOR, FL_TARGET_TYPE, FL_TARGET_ID, FL_FROM, FL_TO,
	FL__MAX
};

static const struct list_filter filters[FL__MAX] = {
	{ "action", LIST_TEXT, NULL, NULL },		/* FL_ACTION */
	{ "actor_user_id", LIST_ID, NULL, NULL },	/* FL_ACTOR */
	{ "target_type", LIST_TEXT, NULL, NULL },	/* FL_TARGET_TYPE */
	{ "target_id", LIST_TEXT, NULL, NULL },		/* FL_TARGET_ID */
	{ "from", LIST_TIME, NULL, NULL },		/* FL_FROM */
	{ "to", LIST_TIME, NULL, NULL },		/* FL_TO */
};

#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC',"			\
		" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

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
    " SELECT p.id, p.actor_user_id, p.action, p.target_type, p.target_id,"
    "  p.details, p.ip, p.request_id, " TS("p.created_at") ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.created_at DESC,"
    "  f.id DESC LIMIT $7::bigint OFFSET $8::bigint) p ON true"
    " ORDER BY p.created_at DESC, p.id DESC";

enum col {
	C_ID, C_ACTOR, C_ACTION, C_TTYPE, C_TID, C_DETAILS, C_IP, C_RID,
	C_CREATED, C_TOTAL
};

/*
 * Add member key to obj: the text of column col of row i of res, or
 * null when it is SQL NULL.  Returns 0, or -1 when out of memory.
 */
static int
add_str(cJSON *obj, const char *key, const struct db_res *res, int i,
    int col)
{
	const char	*v = db_get(res, i, col);

	if (v == NULL)
		return cJSON_AddNullToObject(obj, key) == NULL ? -1 : 0;
	return cJSON_AddStringToObject(obj, key, v) == NULL ? -1 : 0;
}

/*
 * Add member key to obj: the integer in column col of row i of res as a
 * number, or null when it is SQL NULL.  Returns the new item, or NULL
 * when out of memory.
 */
static cJSON *
add_id(cJSON *obj, const char *key, const struct db_res *res, int i,
    int col)
{
	const char	*v = db_get(res, i, col);

	if (v == NULL)
		return cJSON_AddNullToObject(obj, key);
	return cJSON_AddNumberToObject(obj, key, (double)strtoll(v, NULL, 10));
}

/*
 * The entry of row i of res as a new JSON object (the caller frees it),
 * or NULL when out of memory.  Details that do not parse (they always
 * should: the column is jsonb) are null.
 */
static cJSON *
entry(const struct db_res *res, int i)
{
	cJSON		*o, *details = NULL;
	const char	*v;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if ((v = db_get(res, i, C_DETAILS)) == NULL ||
	    json_parse(v, strlen(v), &details) != API_OK)
		details = cJSON_CreateNull();
	if (details == NULL || add_id(o, "id", res, i, C_ID) == NULL ||
	    add_id(o, "actor_user_id", res, i, C_ACTOR) == NULL ||
	    add_str(o, "action", res, i, C_ACTION) == -1 ||
	    add_str(o, "target_type", res, i, C_TTYPE) == -1 ||
	    add_str(o, "target_id", res, i, C_TID) == -1) {
		cJSON_Delete(details);
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToObject(o, "details", details);
	if (add_str(o, "ip", res, i, C_IP) == -1 ||
	    add_str(o, "request_id", res, i, C_RID) == -1 ||
	    add_str(o, "created_at", res, i, C_CREATED) == -1) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	sql_list, FL__MAX, C_ID, C_TOTAL, entry, 0
};

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct db	*db;
	const char	*params[FL__MAX + 2];
	long long	 page, per_page;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ADMIN, &a)) != API_OK ||
	    (er = http_paging(r, &page, &per_page)) != API_OK ||
	    (er = list_filters(r, filters, FL__MAX, params)) != API_OK)
		return er;
	return list_send(r, db, &list_q, params, page, per_page);
}

int
main(void)
{

	return http_main("GET", handle);
}

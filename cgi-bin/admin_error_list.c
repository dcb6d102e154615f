/*
 * lectern — GET /api/admin/error-logs: the recorded 5xx answers and
 * upstream failures, newest first, for admins.  Filters: status (an
 * HTTP status from 400 to 599), code ("internal"), and from / to (RFC
 * 3339 timestamps: created_at >= from and < to).  Paged with page and
 * per_page.
 */
#include "config.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "list.h"

enum filter { FL_STATUS, FL_CODE, FL_FROM, FL_TO, FL__MAX };

static const struct list_filter filters[FL__MAX] = {
	{ "status", LIST_STATUS, NULL, NULL },		/* FL_STATUS */
	{ "code", LIST_TEXT, NULL, NULL },		/* FL_CODE */
	{ "from", LIST_TIME, NULL, NULL },		/* FL_FROM */
	{ "to", LIST_TIME, NULL, NULL },		/* FL_TO */
};

#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC',"			\
		" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

static const char sql_list[] =
    "WITH f AS (SELECT e.id, e.request_id, e.status, e.code, e.method,"
    "  e.path, e.message, e.created_at FROM error_logs e"
    "  WHERE ($1::int IS NULL OR e.status = $1::int)"
    "  AND ($2::text IS NULL OR e.code = $2)"
    "  AND ($3::timestamptz IS NULL OR e.created_at >= $3::timestamptz)"
    "  AND ($4::timestamptz IS NULL OR e.created_at < $4::timestamptz))"
    " SELECT p.id, p.request_id, p.status, p.code, p.method, p.path,"
    "  p.message, " TS("p.created_at") ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.created_at DESC,"
    "  f.id DESC LIMIT $5::bigint OFFSET $6::bigint) p ON true"
    " ORDER BY p.created_at DESC, p.id DESC";

enum col {
	C_ID, C_RID, C_STATUS, C_CODE, C_METHOD, C_PATH, C_MESSAGE,
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
 * or NULL when out of memory.
 */
static cJSON *
entry(const struct db_res *res, int i)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (add_id(o, "id", res, i, C_ID) == NULL ||
	    add_str(o, "request_id", res, i, C_RID) == -1 ||
	    add_id(o, "status", res, i, C_STATUS) == NULL ||
	    add_str(o, "code", res, i, C_CODE) == -1 ||
	    add_str(o, "method", res, i, C_METHOD) == -1 ||
	    add_str(o, "path", res, i, C_PATH) == -1 ||
	    add_str(o, "message", res, i, C_MESSAGE) == -1 ||
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

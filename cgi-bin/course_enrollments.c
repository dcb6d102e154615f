/*
 * lectern — GET /api/courses/{id}/enrollments: the roster of a course,
 * for its author and admins.  A course the caller may not see (unknown,
 * or a draft or archived course of someone else) is 404; a visible one
 * the caller does not author is 403.  Items {id, user: {id, name,
 * email}, status, source, created_at}, in the order the students came
 * (by enrollment id); filter status (active or revoked).  Paged; one
 * query returns the page and the total.  Runs in a transaction that
 * carries the caller, so row-level security applies besides the
 * explicit course filter.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "list.h"

#define TS(x)	"to_char(" x " AT TIME ZONE 'UTC',"			\
		" 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* $1 the course, $2 the status or NULL, $3 and $4 limit and offset. */
static const char sql_roster[] =
    "WITH f AS (SELECT e.id FROM enrollments e"
    "  WHERE e.course_id = $1::bigint"
    "  AND ($2::text IS NULL OR e.status = $2::text))"
    " SELECT e.id, u.id, u.name, u.email, e.status, e.source, "
    TS("e.created_at") ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT f.id FROM f ORDER BY f.id"
    "  LIMIT $3::bigint OFFSET $4::bigint) p ON true"
    " LEFT JOIN enrollments e ON e.id = p.id"
    " LEFT JOIN users u ON u.id = e.user_id"
    " ORDER BY e.id";

enum col {
	C_ID, C_USER, C_NAME, C_EMAIL, C_STATUS, C_SOURCE, C_CREATED,
	C_TOTAL, C__MAX
};

/*
 * The roster entry in row i of res as a new JSON object (the caller
 * frees it), or NULL when out of memory or a column is missing.
 */
static cJSON *
entry_json(const struct db_res *res, int i)
{
	const char	*v[C__MAX];
	cJSON		*o, *u;
	int		 c;

	for (c = 0; c < C_TOTAL; c++)
		if ((v[c] = db_get(res, i, c)) == NULL)
			return NULL;
	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddNumberToObject(o, "id",
	    (double)strtoll(v[C_ID], NULL, 10)) == NULL ||
	    (u = cJSON_AddObjectToObject(o, "user")) == NULL ||
	    cJSON_AddNumberToObject(u, "id",
	    (double)strtoll(v[C_USER], NULL, 10)) == NULL ||
	    cJSON_AddStringToObject(u, "name", v[C_NAME]) == NULL ||
	    cJSON_AddStringToObject(u, "email", v[C_EMAIL]) == NULL ||
	    cJSON_AddStringToObject(o, "status", v[C_STATUS]) == NULL ||
	    cJSON_AddStringToObject(o, "source", v[C_SOURCE]) == NULL ||
	    cJSON_AddStringToObject(o, "created_at", v[C_CREATED]) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/*
 * Read the status filter of r into *status (borrowed; NULL when absent).
 * Returns API_OK or API_INVALID with the field named.
 */
static enum api_err
status_filter(struct req *r, const char **status)
{
	enum api_err	 er;

	if ((er = http_param(r, "status", status)) != API_OK)
		return er;
	if (*status != NULL && strcmp(*status, "active") != 0 &&
	    strcmp(*status, "revoked") != 0)
		return http_invalid_field(r, "status",
		    "must be active or revoked");
	return API_OK;
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	sql_roster, 2, C_ID, C_TOTAL, entry_json, 0
};

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	const char	*id, *status, *params[4];
	long long	 page, per_page;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = course_load(db, id, &c)) != API_OK ||
	    (er = course_check_visible(&c, &a)) != API_OK)
		return er;
	if (!course_is_author(&c, &a)) {
		er = http_fail(r, API_FORBIDDEN,
		    "only the course's author or an admin sees its roster");
		return er;
	}
	if ((er = http_paging(r, &page, &per_page)) != API_OK ||
	    (er = status_filter(r, &status)) != API_OK)
		return er;
	params[0] = c.id_str;
	params[1] = status;
	return list_send(r, db, &list_q, params, page, per_page);
}

int
main(void)
{

	return http_main("GET", handle);
}

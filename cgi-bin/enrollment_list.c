/*
 * lectern — GET /api/enrollments: the caller's enrollments, newest
 * first, each with a summary of its course {id, title, price, currency,
 * published, archived}.  Revoked enrollments are listed too (their
 * status says so), and so are those of courses archived or unpublished
 * since: a student keeps seeing what they enrolled in.  Paged; one query
 * returns the page and the total.  Runs in a transaction that carries
 * the caller, so row-level security applies besides the explicit
 * user_id filter.
 */
#include "config.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "course.h"
#include "db.h"
#include "enrollment.h"
#include "http.h"
#include "list.h"

/* $1 the caller, $2 and $3 limit and offset. */
static const char sql_list[] =
    "WITH f AS (SELECT e.id, e.created_at FROM enrollments e"
    "  WHERE e.user_id = $1::bigint)"
    " SELECT " ENROLLMENT_COLUMNS ", c.title, c.price_minor, c.currency,"
    "  c.published, c.archived, t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT f.id FROM f"
    "  ORDER BY f.created_at DESC, f.id DESC"
    "  LIMIT $2::bigint OFFSET $3::bigint) p ON true"
    " LEFT JOIN enrollments e ON e.id = p.id"
    " LEFT JOIN courses c ON c.id = e.course_id"
    " ORDER BY e.created_at DESC, e.id DESC";

enum col {
	C_TITLE = ENROLLMENT_NCOLUMNS, C_PRICE, C_CURRENCY, C_PUBLISHED,
	C_ARCHIVED, C_TOTAL
};

/*
 * The course summary of row i of res, added to item as "course".
 * Returns API_OK, API_INTERNAL (a column missing) or API_ENOMEM.
 */
static enum api_err
add_course(cJSON *item, const struct db_res *res, int i)
{
	const char	*course, *title, *price, *cur, *pub, *arch;
	char		 buf[24];
	cJSON		*c;

	if ((course = db_get(res, i, ENROLLMENT_C_COURSE)) == NULL ||
	    (title = db_get(res, i, C_TITLE)) == NULL ||
	    (price = db_get(res, i, C_PRICE)) == NULL ||
	    (cur = db_get(res, i, C_CURRENCY)) == NULL ||
	    (pub = db_get(res, i, C_PUBLISHED)) == NULL ||
	    (arch = db_get(res, i, C_ARCHIVED)) == NULL)
		return API_INTERNAL;
	course_price_str(strtoll(price, NULL, 10), buf, sizeof(buf));
	if ((c = cJSON_AddObjectToObject(item, "course")) == NULL ||
	    cJSON_AddNumberToObject(c, "id",
	    (double)strtoll(course, NULL, 10)) == NULL ||
	    cJSON_AddStringToObject(c, "title", title) == NULL ||
	    cJSON_AddStringToObject(c, "price", buf) == NULL ||
	    cJSON_AddStringToObject(c, "currency", cur) == NULL ||
	    cJSON_AddBoolToObject(c, "published", pub[0] == 't') == NULL ||
	    cJSON_AddBoolToObject(c, "archived", arch[0] == 't') == NULL)
		return API_ENOMEM;
	return API_OK;
}

/*
 * The enrollment of row i of res with its course summary, as a new JSON
 * object (list_row_fn); NULL when out of memory or a column is missing.
 */
static cJSON *
row(const struct db_res *res, int i)
{
	cJSON	*item;

	if ((item = enrollment_json(res, i, 0)) == NULL)
		return NULL;
	if (add_course(item, res, i) != API_OK) {
		cJSON_Delete(item);
		return NULL;
	}
	return item;
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	sql_list, 1, 0, C_TOTAL, row, 0
};

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct db	*db;
	const char	*params[3];
	long long	 page, per_page;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK ||
	    (er = http_paging(r, &page, &per_page)) != API_OK)
		return er;
	params[0] = a.user.id_str;
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK)
		return er;
	return list_send(r, db, &list_q, params, page, per_page);
}

int
main(void)
{

	return http_main("GET", handle);
}

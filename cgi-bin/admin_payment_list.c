/*
 * lectern — GET /api/admin/payments: every payment, newest first, for
 * admins (SPEC §5).  Filters: method (razorpay, manual), status
 * (created, paid, failed), course_id, user_id, and from / to (RFC 3339
 * timestamps: created_at >= from and < to).  Paged with page and
 * per_page.  Read in the admin's transaction: row-level security lets
 * the admin role see all rows.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "payment.h"
#include "valid.h"

enum filter {
	FL_METHOD, FL_STATUS, FL_COURSE, FL_USER, FL_FROM, FL_TO, FL__MAX
};

static const char *const filter_names[FL__MAX] = {
	"method", "status", "course_id", "user_id", "from", "to",
};

static const char *const methods[] = { "razorpay", "manual", NULL };
static const char *const statuses[] = { "created", "paid", "failed", NULL };

static const char sql_list[] =
    "WITH f AS (SELECT * FROM payments"
    "  WHERE ($1::text IS NULL OR method = $1)"
    "  AND ($2::text IS NULL OR status = $2)"
    "  AND ($3::bigint IS NULL OR course_id = $3::bigint)"
    "  AND ($4::bigint IS NULL OR user_id = $4::bigint)"
    "  AND ($5::timestamptz IS NULL OR created_at >= $5::timestamptz)"
    "  AND ($6::timestamptz IS NULL OR created_at < $6::timestamptz))"
    " SELECT " PAYMENT_COLUMNS ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.created_at DESC,"
    "  f.id DESC LIMIT $7::bigint OFFSET $8::bigint) p ON true"
    " ORDER BY p.created_at DESC, p.id DESC";

#define C_TOTAL	PAYMENT_NCOLUMNS

/* Whether s is one of the NULL-terminated list. */
static int
one_of(const char *s, const char *const *list)
{

	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/*
 * Read the filters of r into v (borrowed from r, NULL when absent or
 * empty).  Returns API_OK, or API_INVALID with the field named.
 */
static enum api_err
filters(struct req *r, const char *v[FL__MAX])
{
	long long	 id;
	size_t		 i;
	enum api_err	 er;

	for (i = 0; i < FL__MAX; i++) {
		if ((er = http_param(r, filter_names[i], &v[i])) != API_OK)
			return er;
		if (v[i] != NULL && *v[i] == '\0')
			v[i] = NULL;
		if (v[i] == NULL)
			continue;
		if (i == FL_METHOD && !one_of(v[i], methods))
			return http_invalid_field(r, filter_names[i],
			    "must be razorpay or manual");
		if (i == FL_STATUS && !one_of(v[i], statuses))
			return http_invalid_field(r, filter_names[i],
			    "must be created, paid or failed");
		if ((i == FL_COURSE || i == FL_USER) &&
		    !valid_id_str(v[i], &id))
			return http_invalid_field(r, filter_names[i],
			    "must be a positive integer id");
		if ((i == FL_FROM || i == FL_TO) &&
		    !valid_rfc3339(v[i], NULL, 0))
			return http_invalid_field(r, filter_names[i],
			    "must be an RFC 3339 timestamp");
	}
	return API_OK;
}

/*
 * The payments of res as a JSON array into *items (the caller frees
 * it) and the total into *total.  Returns API_OK, API_ENOMEM or
 * API_INTERNAL.
 */
static enum api_err
rows_json(const struct db_res *res, cJSON **items, long long *total)
{
	cJSON		*o;
	const char	*t;
	int		 i;

	*total = 0;
	if ((*items = cJSON_CreateArray()) == NULL)
		return API_ENOMEM;
	if ((t = db_get(res, 0, C_TOTAL)) == NULL)
		return API_INTERNAL;
	*total = strtoll(t, NULL, 10);
	for (i = 0; i < db_nrows(res); i++) {
		if (db_get(res, i, 0) == NULL)
			continue;	/* a page past the end */
		if ((o = payment_json(res, i, 0)) == NULL)
			return API_ENOMEM;
		cJSON_AddItemToArray(*items, o);
	}
	return API_OK;
}

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct db	*db;
	struct db_res	*res = NULL;
	cJSON		*items = NULL;
	const char	*v[FL__MAX], *params[FL__MAX + 2];
	char		 lim[24], off[24];
	long long	 page, per_page, total;
	size_t		 i;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ADMIN, &a)) != API_OK ||
	    (er = http_paging(r, &page, &per_page)) != API_OK ||
	    (er = filters(r, v)) != API_OK)
		return er;
	snprintf(lim, sizeof(lim), "%lld", per_page);
	snprintf(off, sizeof(off), "%lld", (page - 1) * per_page);
	for (i = 0; i < FL__MAX; i++)
		params[i] = v[i];
	params[FL__MAX] = lim;
	params[FL__MAX + 1] = off;
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = db_exec(db, sql_list, FL__MAX + 2, params, &res)) !=
	    API_OK ||
	    (er = rows_json(res, &items, &total)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	er = http_send_page(r, items, page, per_page, total);
	items = NULL;
out:
	cJSON_Delete(items);
	db_res_free(res);
	return er;
}

int
main(void)
{

	return http_main("GET", handle);
}

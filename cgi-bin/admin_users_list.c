/*
 * lectern — GET /api/admin/users: every account, for admins, ordered by
 * id.  Filters: role (one of the four roles), is_active (true or false)
 * and q, a case-insensitive substring of the name or the email (its
 * LIKE wildcards are escaped, so "50%" finds "50%" and nothing else).
 * Paged with page and per_page; one query returns the page and the
 * total, even for a page past the end.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "http.h"
#include "list.h"
#include "valid.h"

#define Q_MAX	100	/* characters of q */

static const char sql_list[] =
    "WITH f AS (SELECT " AUTH_USER_COLUMNS " FROM users u"
    "  WHERE ($1::text IS NULL OR u.role = $1)"
    "  AND ($2::boolean IS NULL OR u.is_active = $2::boolean)"
    "  AND ($3::text IS NULL OR u.name ILIKE $3 ESCAPE '\\'"
    "   OR u.email ILIKE $3 ESCAPE '\\'))"
    " SELECT p.*, t.total FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.id"
    "  LIMIT $4::bigint OFFSET $5::bigint) p ON true"
    " ORDER BY p.id";

/*
 * The ILIKE pattern "%q%" with q's %, _ and \ escaped by a backslash,
 * in a new string the caller frees; NULL when out of memory.
 */
static char *
like_pattern(const char *q)
{
	char		*out, *o;

	if ((out = malloc(2 * strlen(q) + 3)) == NULL)
		return NULL;
	o = out;
	*o++ = '%';
	for (; *q != '\0'; q++) {
		if (*q == '%' || *q == '_' || *q == '\\')
			*o++ = '\\';
		*o++ = *q;
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

/*
 * Read the filters of r: role into *role and is_active into *active
 * (borrowed, NULL when absent), q as a new ILIKE pattern into *pat (the
 * caller frees it; NULL when absent or blank).  Returns API_OK,
 * API_INVALID with the field named, or API_ENOMEM.
 */
static enum api_err
filters(struct req *r, const char **role, const char **active, char **pat)
{
	const char	*q;
	enum api_err	 er;

	*pat = NULL;
	if ((er = http_param(r, "role", role)) != API_OK ||
	    (er = http_param(r, "is_active", active)) != API_OK ||
	    (er = http_param(r, "q", &q)) != API_OK)
		return er;
	if (*role != NULL && auth_role_bit(*role) == 0)
		return http_invalid_field(r, "role",
		    "must be student, teacher, instructor or admin");
	if (*active != NULL && strcmp(*active, "true") != 0 &&
	    strcmp(*active, "false") != 0)
		return http_invalid_field(r, "is_active",
		    "must be true or false");
	if (q == NULL || *q == '\0')
		return API_OK;
	if (!valid_text(q, 0))
		return http_invalid_field(r, "q",
		    "must not contain control characters");
	if (valid_utf8_len(q) > Q_MAX)
		return http_invalid_field(r, "q", "is too long");
	if ((*pat = like_pattern(q)) == NULL)
		return API_ENOMEM;
	return API_OK;
}

/*
 * The user of row i of res as a new JSON object (list_row_fn); NULL
 * when the row is not a user or out of memory.
 */
static cJSON *
row(const struct db_res *res, int i)
{
	struct user	 u;

	if (!auth_user_from_row(res, i, 0, &u))
		return NULL;
	return auth_user_json(&u);
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	sql_list, 3, 0, AUTH_USER_NCOLUMNS, row, 0
};

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct db	*db;
	const char	*role, *active, *params[5];
	char		*pat = NULL;
	long long	 page, per_page;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ADMIN, &a)) != API_OK ||
	    (er = http_paging(r, &page, &per_page)) != API_OK ||
	    (er = filters(r, &role, &active, &pat)) != API_OK)
		goto out;
	params[0] = role;
	params[1] = active;
	params[2] = pat;
	er = list_send(r, db, &list_q, params, page, per_page);
out:
	free(pat);
	return er;
}

int
main(void)
{

	return http_main("GET", handle);
}

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
#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "valid.h"

#define Q_MAX	100	/* characters of q */

static enum api_err	users_list(struct call *);

enum filter { FL_ROLE, FL_ACTIVE, FL__MAX };

/* q is read apart: it is longer than a LIST_TEXT and becomes a pattern. */
static const struct list_filter filters[FL__MAX] = {
	[FL_ROLE] = { .name = "role", .kind = LIST_ONE_OF,
	    .allowed = auth_roles, .why = AUTH_ROLE_WHY },
	[FL_ACTIVE] = { .name = "is_active", .kind = LIST_BOOL },
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/users",
	.who = ROLE_ADMIN,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED,
	.tx = TX_NONE,		/* users has no row-level security */
	.run = users_list,
};

static const char sql_list[] =
    "WITH f AS (SELECT " AUTH_USER_COLUMNS " FROM users u"
    "  WHERE ($1::text IS NULL OR u.role = $1)"
    "  AND ($2::boolean IS NULL OR u.is_active = $2::boolean)"
    "  AND ($3::text IS NULL OR u.name ILIKE $3 ESCAPE '\\'"
    "   OR u.email ILIKE $3 ESCAPE '\\'))"
    LIST_SQL_PAGE("p.*", "p", "p.id", 4, 5);

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
 * The q filter of r as a new ILIKE pattern in *pat (the caller frees
 * it; NULL when absent or blank).  Returns API_OK, API_INVALID with q
 * named, or API_ENOMEM.
 */
static enum api_err
q_pattern(struct req *r, char **pat)
{
	const char	*q;
	enum api_err	 er;

	*pat = NULL;
	if ((er = http_param(r, "q", &q)) != API_OK)
		return er;
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

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = 3,
	.id_col = 0,
	.total_col = AUTH_USER_NCOLUMNS,
	.row = auth_user_row_json,
};

static enum api_err
users_list(struct call *c)
{
	const char	*params[3];
	char		*pat = NULL;
	enum api_err	 er;

	if ((er = q_pattern(c->r, &pat)) != API_OK)
		return er;
	params[0] = c->q[FL_ROLE];
	params[1] = c->q[FL_ACTIVE];
	params[2] = pat;
	er = list_send(c->r, c->db, &list_q, params, c->page, c->per_page);
	free(pat);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — GET /api/courses: the catalogue, for anyone.  Published
 * courses that are not archived, newest first.  Filters: q (a
 * case-insensitive substring of the title, its LIKE wildcards escaped;
 * lower(title) LIKE lower(pattern) so that courses_title_trgm_idx can
 * serve it), instructor_id, and mine=true: the caller's own courses,
 * drafts and archived ones included (flagged by "published" and
 * "archived"), for signed-in teachers, instructors and admins (401
 * without a token, 403 for a student).  Paged; one query returns the
 * page and the total.  The response carries an ETag over the whole body
 * and answers If-None-Match with 304: public (revalidated) for an
 * anonymous caller, private and not stored for a signed-in one.  A
 * FastCGI worker keeps the pages it sent and sends one again while the
 * catalogue's version (schema/015) is unchanged: one row read instead
 * of the list.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "list.h"

#define Q_MAX	100	/* characters of q */

static enum api_err	course_list(struct call *);

enum filter { FL_INSTRUCTOR, FL_MINE, FL__MAX };

/*
 * q is read by the handler: it is trimmed, may be longer than a
 * LIST_TEXT filter and becomes a LIKE pattern.
 */
static const struct list_filter filters[FL__MAX] = {
	[FL_INSTRUCTOR] = { .name = "instructor_id", .kind = LIST_ID },
	[FL_MINE] = { .name = "mine", .kind = LIST_BOOL },
};

/*
 * Reads one table without row-level security: no transaction.  An
 * anonymous caller may read a replica (LECTERN_DATABASE_READ_URL).
 */
static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/courses",
	.who = WHO_OPTIONAL,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED | EP_READ_REPLICA,
	.tx = TX_NONE,
	.run = course_list,
};

/*
 * $1 the author for mine=true (NULL: the public catalogue), $2
 * instructor_id, $3 the LIKE pattern, $4 and $5 limit and offset.  Only
 * the ids are counted; the page's rows are then read in full.
 */
static const char sql_list[] =
    "WITH f AS (SELECT c.id FROM courses c"
    "  WHERE CASE WHEN $1::bigint IS NULL"
    "   THEN c.published AND NOT c.archived"
    "   ELSE c.instructor_id = $1::bigint END"
    "  AND ($2::bigint IS NULL OR c.instructor_id = $2::bigint)"
    "  AND ($3::text IS NULL"
    "   OR lower(c.title) LIKE lower($3::text) ESCAPE '\\'))"
    " SELECT " COURSE_COLUMNS ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t"
    " LEFT JOIN LATERAL (SELECT f.id FROM f ORDER BY f.id DESC"
    "  LIMIT $4::bigint OFFSET $5::bigint) p ON true"
    " LEFT JOIN courses c ON c.id = p.id"
    " ORDER BY p.id DESC";

/*
 * The LIKE pattern "%q%" for the len bytes at q, with their %, _ and \
 * escaped by a backslash, in a new string the caller frees; NULL when
 * out of memory.
 */
static char *
like_pattern(const char *q, size_t len)
{
	char		*out, *o;
	size_t		 i;

	if ((out = malloc(2 * len + 3)) == NULL)
		return NULL;
	o = out;
	*o++ = '%';
	for (i = 0; i < len; i++) {
		if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
			*o++ = '\\';
		*o++ = q[i];
	}
	*o++ = '%';
	*o = '\0';
	return out;
}

/*
 * Read q of r into *pat: its LIKE pattern (the caller frees it), or NULL
 * when q is absent or blank.  Returns API_OK, API_INVALID with the field
 * named, or API_ENOMEM.
 */
static enum api_err
read_q(struct req *r, char **pat)
{
	const char	*q;
	size_t		 len;
	enum api_err	 er;

	*pat = NULL;
	if ((er = http_param(r, "q", &q)) != API_OK || q == NULL)
		return er;
	if (!valid_text(q, 0))
		return http_invalid_field(r, "q",
		    "must not contain control characters");
	/* Trimmed; blank is no filter. */
	while (*q == ' ')
		q++;
	for (len = strlen(q); len > 0 && q[len - 1] == ' '; len--)
		continue;
	if (len == 0)
		return API_OK;
	if (valid_utf8_len(q) > Q_MAX)
		return http_invalid_field(r, "q", "is too long");
	if ((*pat = like_pattern(q, len)) == NULL)
		return API_ENOMEM;
	return API_OK;
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = 3,
	.id_col = COURSE_C_ID,
	.total_col = COURSE_NCOLUMNS,
	.row = course_json,
	.etag = 1,
	.version = "SELECT v FROM catalogue_version",
};

static enum api_err
course_list(struct call *c)
{
	struct req	*r = c->r;
	const char	*params[3];
	char		*pat = NULL;
	int		 mine;
	enum api_err	 er;

	if ((er = read_q(r, &pat)) != API_OK)
		goto out;
	mine = c->q[FL_MINE] != NULL && strcmp(c->q[FL_MINE], "true") == 0;
	if (mine && !c->authed) {
		er = http_fail(r, API_UNAUTHORIZED,
		    "mine=true needs a signed-in author");
		goto out;
	}
	if (mine && (c->a.user.role_bit & ROLE_AUTHOR) == 0) {
		er = http_fail(r, API_FORBIDDEN,
		    "only teachers, instructors and admins author courses");
		goto out;
	}
	params[0] = mine ? c->user_id : NULL;
	params[1] = c->q[FL_INSTRUCTOR];
	params[2] = pat;
	(void)http_header(r, "Cache-Control", c->authed ?
	    "private, no-store" : "public, max-age=0, must-revalidate");
	(void)http_header(r, "Vary", "Authorization");
	er = list_send(r, c->db, &list_q, params, c->page, c->per_page);
out:
	free(pat);
	return er;
}

ENDPOINT_MAIN(endpoint)

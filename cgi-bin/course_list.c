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
 * anonymous caller, private and not stored for a signed-in one.
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
#include "valid.h"

#define Q_MAX	100	/* characters of q */

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

/* The filters of one request; strings borrowed from r, pat allocated. */
struct filter {
	const char	*instructor;	/* instructor_id, NULL for any */
	char		*pat;		/* LIKE pattern or NULL */
	int		 mine;
};

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
 * Read the filters of r into *f (the caller frees f->pat).  Returns
 * API_OK, API_INVALID with the field named, or API_ENOMEM.
 */
static enum api_err
filters(struct req *r, struct filter *f)
{
	const char	*q, *mine;
	long long	 n;
	size_t		 len;
	enum api_err	 er;

	memset(f, 0, sizeof(*f));
	if ((er = http_param(r, "q", &q)) != API_OK ||
	    (er = http_param(r, "instructor_id", &f->instructor)) != API_OK ||
	    (er = http_param(r, "mine", &mine)) != API_OK)
		return er;
	if (f->instructor != NULL && !valid_id_str(f->instructor, &n))
		return http_invalid_field(r, "instructor_id",
		    "must be a positive integer id");
	if (mine != NULL && strcmp(mine, "true") != 0 &&
	    strcmp(mine, "false") != 0)
		return http_invalid_field(r, "mine", "must be true or false");
	f->mine = mine != NULL && strcmp(mine, "true") == 0;
	if (q == NULL)
		return API_OK;
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
	if ((f->pat = like_pattern(q, len)) == NULL)
		return API_ENOMEM;
	return API_OK;
}

/* The course of row i of res (list_row_fn). */
static cJSON *
row(const struct db_res *res, int i)
{

	return course_json(res, i, 0);
}

/* The page query: its parameters, then LIMIT and OFFSET. */
static const struct list_page list_q = {
	sql_list, 3, 0, COURSE_NCOLUMNS, row, 1
};

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct filter	 f;
	struct db	*db;
	const char	*params[5];
	long long	 page, per_page;
	int		 have;
	enum api_err	 er;

	memset(&f, 0, sizeof(f));
	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_optional(r, db, &a, &have)) != API_OK ||
	    (er = http_paging(r, &page, &per_page)) != API_OK ||
	    (er = filters(r, &f)) != API_OK)
		goto out;
	if (f.mine && !have) {
		er = http_fail(r, API_UNAUTHORIZED,
		    "mine=true needs a signed-in author");
		goto out;
	}
	if (f.mine && (a.user.role_bit & ROLE_AUTHOR) == 0) {
		er = http_fail(r, API_FORBIDDEN,
		    "only teachers, instructors and admins author courses");
		goto out;
	}
	params[0] = f.mine ? a.user.id_str : NULL;
	params[1] = f.instructor;
	params[2] = f.pat;
	(void)http_header(r, "Cache-Control", have ? "private, no-store" :
	    "public, max-age=0, must-revalidate");
	(void)http_header(r, "Vary", "Authorization");
	er = list_send(r, db, &list_q, params, page, per_page);
out:
	free(f.pat);
	return er;
}

int
main(void)
{

	return http_main("GET", handle);
}

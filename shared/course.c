/*
 * lectern — course: loading a course and deciding who may see or change
 * it.  Money is integer minor units everywhere; the decimal string is
 * only the API's face.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "course.h"
#include "db.h"
#include "row.h"
#include "valid.h"

#define PRICE_TEXT_MAX	32	/* bytes of a price worth parsing */

/*
 * The currencies a course may be priced in.  Prices are kept in minor
 * units of two decimals, so a currency with another exponent (JPY, KWD)
 * cannot simply be added here; the schema already allows any
 * ^[A-Z]{3}$ code for when it can.
 */
static const char *const currencies[] = { "INR" };

static const char sql_course[] =
    "SELECT id, instructor_id, price_minor, currency, published, archived"
    " FROM courses WHERE id = $1::bigint";

/* The same columns, of the course lesson $1 belongs to. */
static const char sql_lesson_course[] =
    "SELECT c.id, c.instructor_id, c.price_minor, c.currency, c.published,"
    " c.archived FROM lessons l JOIN courses c ON c.id = l.course_id"
    " WHERE l.id = $1::bigint";

static const char sql_enrolled[] =
    "SELECT EXISTS (SELECT 1 FROM enrollments WHERE course_id = $1::bigint"
    " AND user_id = $2::bigint AND status = 'active')";

/*
 * Load into *c the course sql selects for id (decimal text), as
 * sql_course's columns.  Returns API_OK, API_NOT_FOUND (no such row, or
 * id malformed) or a database error.
 */
static enum api_err
load(struct db *db, const char *sql, const char *id, struct course *c)
{
	struct db_res	*res = NULL;
	long long	 n;
	enum api_err	 er;

	memset(c, 0, sizeof(*c));
	if (!valid_id_str(id, &n))
		return API_NOT_FOUND;
	if ((er = db_exec(db, sql, 1, &id, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1) {
		db_res_free(res);
		return API_NOT_FOUND;
	}
	snprintf(c->id_str, sizeof(c->id_str), "%s", db_get(res, 0, 0));
	c->id = strtoll(c->id_str, NULL, 10);
	snprintf(c->instructor_str, sizeof(c->instructor_str), "%s",
	    db_get(res, 0, 1));
	c->instructor_id = strtoll(c->instructor_str, NULL, 10);
	c->price_minor = strtoll(db_get(res, 0, 2), NULL, 10);
	snprintf(c->currency, sizeof(c->currency), "%s", db_get(res, 0, 3));
	c->published = db_get(res, 0, 4)[0] == 't';
	c->archived = db_get(res, 0, 5)[0] == 't';
	db_res_free(res);
	return API_OK;
}

enum api_err
course_load(struct db *db, const char *id, struct course *c)
{
	return load(db, sql_course, id, c);
}

enum api_err
course_of_lesson(struct db *db, const char *lesson_id, struct course *c)
{
	return load(db, sql_lesson_course, lesson_id, c);
}

/*
 * The JSON of a course, by the columns of COURSE_COLUMNS: the price is
 * PostgreSQL's decimal text, price_minor is for course_from_row only.
 */
static const struct row_col cols[] = {
	[COURSE_C_ID] = { "id", ROW_NUM, 0 },
	[COURSE_C_TITLE] = { "title", ROW_TEXT, ROW_EMPTY },
	[COURSE_C_DESCRIPTION] = { "description", ROW_TEXT, ROW_EMPTY },
	[COURSE_C_PRICE] = { "price", ROW_TEXT, ROW_EMPTY },
	[COURSE_C_CURRENCY] = { "currency", ROW_TEXT, ROW_EMPTY },
	[COURSE_C_PUBLISHED] = { "published", ROW_BOOL, 0 },
	[COURSE_C_ARCHIVED] = { "archived", ROW_BOOL, 0 },
	[COURSE_C_INSTRUCTOR] = { "instructor.id", ROW_NUM, 0 },
	[COURSE_C_INSTRUCTOR_NAME] = { "instructor.name", ROW_TEXT,
	    ROW_EMPTY },
	[COURSE_C_CREATED] = { "created_at", ROW_TEXT, ROW_EMPTY },
	[COURSE_C_UPDATED] = { "updated_at", ROW_TEXT, ROW_EMPTY },
	[COURSE_C_PRICE_MINOR] = { "price_minor", ROW_SKIP, 0 },
};

_Static_assert(ROW_NCOLS(cols) == COURSE_NCOLUMNS,
    "a column of COURSE_COLUMNS without its JSON");

int
course_from_row(const struct db_res *res, int row, int col, struct course *c)
{
	const char	*id, *inst, *price, *cur, *pub, *arch;

	memset(c, 0, sizeof(*c));
	if ((id = db_get(res, row, col + COURSE_C_ID)) == NULL ||
	    (price = db_get(res, row, col + COURSE_C_PRICE_MINOR)) == NULL ||
	    (cur = db_get(res, row, col + COURSE_C_CURRENCY)) == NULL ||
	    (pub = db_get(res, row, col + COURSE_C_PUBLISHED)) == NULL ||
	    (arch = db_get(res, row, col + COURSE_C_ARCHIVED)) == NULL ||
	    (inst = db_get(res, row, col + COURSE_C_INSTRUCTOR)) == NULL)
		return 0;
	snprintf(c->id_str, sizeof(c->id_str), "%s", id);
	c->id = strtoll(id, NULL, 10);
	snprintf(c->instructor_str, sizeof(c->instructor_str), "%s", inst);
	c->instructor_id = strtoll(inst, NULL, 10);
	c->price_minor = strtoll(price, NULL, 10);
	snprintf(c->currency, sizeof(c->currency), "%s", cur);
	c->published = pub[0] == 't';
	c->archived = arch[0] == 't';
	return 1;
}

cJSON *
course_json(const struct db_res *res, int row, int col)
{
	struct course	 c;

	if (!course_from_row(res, row, col, &c))
		return NULL;
	return row_json(res, row, col, cols, ROW_NCOLS(cols));
}

int
course_is_author(const struct course *c, const struct auth *a)
{

	if (a == NULL || a->user.id == 0)
		return 0;
	return (a->user.role_bit & ROLE_ADMIN) ||
	    ((a->user.role_bit & ROLE_AUTHOR) &&
	    a->user.id == c->instructor_id);
}

enum api_err
course_check_visible(const struct course *c, const struct auth *a)
{

	if ((c->published && !c->archived) || course_is_author(c, a))
		return API_OK;
	return API_NOT_FOUND;
}

enum api_err
course_check_learner(struct db *db, const struct course *c,
    const struct auth *a)
{
	enum api_err	 er;
	int		 yes;

	if (course_check_visible(c, a) == API_OK)
		return API_OK;
	if (a == NULL || a->user.id == 0)
		return API_NOT_FOUND;
	if ((er = course_enrolled(db, c->id_str, a->user.id_str, &yes)) !=
	    API_OK)
		return er;
	return yes ? API_OK : API_NOT_FOUND;
}

enum api_err
course_enrolled(struct db *db, const char *course_id, const char *user_id,
    int *yes)
{
	const char	*params[2];
	struct db_res	*res = NULL;
	const char	*v;
	enum api_err	 er;

	*yes = 0;
	params[0] = course_id;
	params[1] = user_id;
	if ((er = db_exec(db, sql_enrolled, 2, params, &res)) != API_OK)
		return er;
	v = db_get(res, 0, 0);
	*yes = v != NULL && v[0] == 't';
	db_res_free(res);
	return API_OK;
}

enum api_err
course_can_learn(struct db *db, const struct course *c,
    const struct auth *a, int *yes)
{

	*yes = 0;
	if (a == NULL || a->user.id == 0)
		return API_OK;
	if (course_is_author(c, a)) {
		*yes = 1;
		return API_OK;
	}
	return course_enrolled(db, c->id_str, a->user.id_str, yes);
}

void
course_price_str(long long minor, char *buf, size_t size)
{

	snprintf(buf, size, "%lld.%02lld", minor / 100, minor % 100);
}

int
course_price_parse(const char *s, long long *minor)
{
	long long	 whole = 0, frac = 0;
	size_t		 digits = 0, fdigits = 0;

	if (s == NULL || *s == '\0')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (++digits > 8)
			return 0;
		whole = whole * 10 + (*s - '0');
	}
	if (digits == 0)
		return 0;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (++fdigits > 2)
				return 0;
			frac = frac * 10 + (*s - '0');
		}
		if (fdigits == 0)
			return 0;
		if (fdigits == 1)
			frac *= 10;
	}
	if (*s != '\0')
		return 0;
	*minor = whole * 100 + frac;
	return *minor <= COURSE_PRICE_MAX;
}

/*
 * Whether s is shaped like a price: digits, then optionally a dot and
 * one or two digits.  Says nothing about the range.
 */
static int
price_shaped(const char *s)
{
	size_t	 n;

	for (n = 0; *s >= '0' && *s <= '9'; s++)
		n++;
	if (n == 0)
		return 0;
	if (*s == '.') {
		for (s++, n = 0; *s >= '0' && *s <= '9'; s++)
			n++;
		if (n == 0 || n > 2)
			return 0;
	}
	return *s == '\0';
}

int
course_valid_price(const cJSON *it, const struct vfield *f, union vval *v,
    const char **why)
{
	const char	*s, *e;
	char		 buf[PRICE_TEXT_MAX];
	long long	 minor;
	size_t		 len;

	(void)f;
	*why = "must be a decimal string such as \"499.00\"";
	if (!cJSON_IsString(it) || it->valuestring == NULL)
		return 0;
	s = it->valuestring;
	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' ||
	    e[-1] == '\r'))
		e--;
	if ((len = (size_t)(e - s)) >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (course_price_parse(buf, &minor)) {
		v->i = minor;
		return 1;
	}
	if (price_shaped(buf))
		*why = "must be from 0 to 10000000.00";
	return 0;
}

int
course_currency_ok(const char *currency)
{
	size_t	 i;

	for (i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (strcmp(currency, currencies[i]) == 0)
			return 1;
	return 0;
}

int
course_valid_currency(const cJSON *it, const struct vfield *f,
    union vval *v, const char **why)
{

	if (!valid_string(it, f, v, why))
		return 0;
	if (course_currency_ok(v->s))
		return 1;
	free(v->s);
	v->s = NULL;
	*why = "must be \"INR\"";
	return 0;
}

/*
 * lectern — course: loading a course and deciding who may see or change
 * it.  Money is integer minor units everywhere; the decimal string is
 * only the API's face.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "course.h"
#include "db.h"
#include "valid.h"

static const char sql_course[] =
    "SELECT id, instructor_id, price_minor, currency, published, archived"
    " FROM courses WHERE id = $1::bigint";

static const char sql_enrolled[] =
    "SELECT EXISTS (SELECT 1 FROM enrollments WHERE course_id = $1::bigint"
    " AND user_id = $2::bigint AND status = 'active')";

enum api_err
course_load(struct db *db, const char *id, struct course *c)
{
	struct db_res	*res = NULL;
	long long	 n;
	enum api_err	 er;

	memset(c, 0, sizeof(*c));
	if (!valid_id_str(id, &n))
		return API_NOT_FOUND;
	if ((er = db_exec(db, sql_course, 1, &id, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1) {
		db_res_free(res);
		return API_NOT_FOUND;
	}
	c->id = n;
	snprintf(c->id_str, sizeof(c->id_str), "%lld", n);
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

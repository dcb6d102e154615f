/*
 * lectern — course: loading a course and deciding who may see or change
 * it (SPEC §4).  Every object access is an authorization decision; these
 * helpers make the common ones in one place.
 */
#ifndef LECTERN_COURSE_H
#define LECTERN_COURSE_H

#include <cjson/cJSON.h>

#include "err.h"
#include "row.h"

struct auth;
struct db;
struct db_res;
struct vfield;
union vval;

#define COURSE_PRICE_MAX	1000000000LL	/* 10,000,000.00 in minor units */

/*
 * The price in minor units of the bigint expression minor as the API's
 * decimal string with two decimals ("499.00"), made by PostgreSQL.
 */
#define COURSE_SQL_PRICE(minor)						\
	"((" minor ") / 100)::text || '.' ||"				\
	" lpad(((" minor ") % 100)::text, 2, '0')"

/*
 * The columns of a course, in the order of enum course_col, which
 * course_from_row and course_json read: select COURSE_COLUMNS from
 * courses c (also usable in "UPDATE courses AS c ... RETURNING" and
 * "INSERT INTO courses AS c ... RETURNING").  The instructor's name
 * comes from a subquery, so no join is needed.  A course that is not
 * there (the NULL side of an outer join) has a NULL id.
 */
#define COURSE_COLUMNS							\
	"c.id, c.title, c.description, "				\
	COURSE_SQL_PRICE("c.price_minor") ", c.currency,"		\
	" c.published, c.archived, c.instructor_id,"			\
	" (SELECT cu.name FROM users cu WHERE cu.id = c.instructor_id)" \
	" AS instructor_name, "						\
	SQL_UTC("c.created_at") " AS created_at, "			\
	SQL_UTC("c.updated_at") " AS updated_at, c.price_minor"

/* The positions of COURSE_COLUMNS, and how many there are. */
enum course_col {
	COURSE_C_ID,
	COURSE_C_TITLE,
	COURSE_C_DESCRIPTION,
	COURSE_C_PRICE,
	COURSE_C_CURRENCY,
	COURSE_C_PUBLISHED,
	COURSE_C_ARCHIVED,
	COURSE_C_INSTRUCTOR,
	COURSE_C_INSTRUCTOR_NAME,
	COURSE_C_CREATED,
	COURSE_C_UPDATED,
	COURSE_C_PRICE_MINOR,
	COURSE_NCOLUMNS
};

/* The currency of a course created without one (SPEC §2). */
#define COURSE_CURRENCY_DEFAULT	"INR"

struct course {
	long long	 id;
	char		 id_str[24];
	long long	 instructor_id;
	char		 instructor_str[24];
	long long	 price_minor;
	char		 currency[4];
	int		 published;
	int		 archived;
};

/*
 * Load course id (decimal text) into *c.  Returns API_OK, API_NOT_FOUND
 * (no such course, or id malformed) or a database error.
 */
enum api_err	course_load(struct db *db, const char *id, struct course *c)
		    __attribute__((warn_unused_result));

/*
 * Load into *c the course that lesson lesson_id (decimal text) belongs
 * to, as course_load does.
 */
enum api_err	course_of_lesson(struct db *db, const char *lesson_id,
		    struct course *c) __attribute__((warn_unused_result));

/*
 * Fill *c from row of res, starting at column col, as selected by
 * COURSE_COLUMNS.  Returns 1, or 0 when the row is not there (or its id
 * is NULL).
 */
int		course_from_row(const struct db_res *res, int row, int col,
		    struct course *c);

/*
 * The public JSON of the course in row of res, starting at column col,
 * as selected by COURSE_COLUMNS: {id, title, description, price ("499.00"),
 * currency, published, archived, instructor: {id, name}, created_at,
 * updated_at}.  The caller frees it with cJSON_Delete.  NULL when out of
 * memory or when the row is not there (or its id is NULL).
 */
cJSON		*course_json(const struct db_res *res, int row, int col);

/*
 * Whether the caller a (NULL: anonymous) authors c or is an admin.
 */
int		course_is_author(const struct course *c, const struct auth *a);

/*
 * Whether the caller may see c at all: published and not archived, or
 * its author, or an admin.  Others get API_NOT_FOUND, never 403, so a
 * draft's existence is not revealed.
 */
enum api_err	course_check_visible(const struct course *c,
		    const struct auth *a) __attribute__((warn_unused_result));

/*
 * As course_check_visible, for learning material (lessons, classwork,
 * progress): a student with an active enrollment keeps seeing a course
 * after it is unpublished or archived, since they enrolled (and perhaps
 * paid) for it.  Runs in the caller's transaction.
 */
enum api_err	course_check_learner(struct db *db, const struct course *c,
		    const struct auth *a) __attribute__((warn_unused_result));

/*
 * Whether user_id has an active enrollment in course_id: *yes 0 or 1.
 * Runs in the caller's transaction (row-level security applies).
 */
enum api_err	course_enrolled(struct db *db, const char *course_id,
		    const char *user_id, int *yes)
		    __attribute__((warn_unused_result));

/*
 * Whether the caller may see the course's learning material: author,
 * admin, or an active enrollment.  *yes 0 or 1.
 */
enum api_err	course_can_learn(struct db *db, const struct course *c,
		    const struct auth *a, int *yes)
		    __attribute__((warn_unused_result));

/*
 * Format minor units as a decimal string with two decimals ("499.00")
 * into buf (at least 24 bytes).
 */
void		course_price_str(long long minor, char *buf, size_t size);

/*
 * Parse a price string ("499", "499.5", "499.00"; at most two decimals,
 * 0 to 10,000,000) into minor units.  Returns 1, or 0 when malformed or
 * out of range.
 */
int		course_price_parse(const char *s, long long *minor);

/*
 * A validator for struct vfield: the price as a JSON string with at most
 * two decimals, 0 to 10,000,000 (surrounding white space ignored), into
 * v->i in minor units.  A JSON number is refused, so that no client
 * sends a binary float for money.
 */
int		course_valid_price(const cJSON *item, const struct vfield *f,
		    union vval *v, const char **why);

/* Whether currency (exact, upper case) is one a course may have. */
int		course_currency_ok(const char *currency);

/*
 * A validator for struct vfield: a string (as valid_string, into v->s)
 * that course_currency_ok accepts.
 * Its field is declared VF_STRING, so that valid_out_free frees it.
 */
int		course_valid_currency(const cJSON *item,
		    const struct vfield *f, union vval *v, const char **why);

#endif /* LECTERN_COURSE_H */

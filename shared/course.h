/*
 * lectern — course: loading a course and deciding who may see or change
 * it (SPEC §4).  Every object access is an authorization decision; these
 * helpers make the common ones in one place.
 */
#ifndef LECTERN_COURSE_H
#define LECTERN_COURSE_H

#include <cjson/cJSON.h>

#include "err.h"

struct auth;
struct db;

#define COURSE_PRICE_MAX	1000000000LL	/* 10,000,000.00 in minor units */

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

#endif /* LECTERN_COURSE_H */

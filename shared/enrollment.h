/*
 * lectern — enrollment: the one JSON shape of an enrollment (SPEC §4),
 * shared by the endpoints that answer with one.
 */
#ifndef LECTERN_ENROLLMENT_H
#define LECTERN_ENROLLMENT_H

#include <cjson/cJSON.h>

#include "row.h"

struct db_res;

/*
 * The columns of an enrollment, in the order enrollment_json reads
 * them: select ENROLLMENT_COLUMNS from enrollments e (also usable in
 * "INSERT INTO enrollments AS e ... RETURNING").
 */
#define ENROLLMENT_COLUMNS						\
	"e.id, e.course_id, e.user_id, e.status, e.source, "		\
	SQL_UTC("e.created_at") " AS created_at"

/* The positions of ENROLLMENT_COLUMNS, and how many there are. */
enum enrollment_col {
	ENROLLMENT_C_ID,
	ENROLLMENT_C_COURSE,
	ENROLLMENT_C_USER,
	ENROLLMENT_C_STATUS,
	ENROLLMENT_C_SOURCE,
	ENROLLMENT_C_CREATED,
	ENROLLMENT_NCOLUMNS
};

/*
 * The JSON of the enrollment in row of res, starting at column col, as
 * selected by ENROLLMENT_COLUMNS: {id, course_id, user_id, status
 * ("active" or "revoked"), source ("free", "payment" or "manual"),
 * created_at}.  The caller frees it with cJSON_Delete.  NULL when out of
 * memory (logged) or when the row is not there.
 */
cJSON		*enrollment_json(const struct db_res *res, int row, int col);

#endif /* LECTERN_ENROLLMENT_H */

/*
 * lectern — enrollment: turning an enrollment row into its JSON.  Ids
 * are JSON numbers, timestamps RFC 3339 UTC (formatted by PostgreSQL).
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "db.h"
#include "enrollment.h"
#include "row.h"

/* The JSON of an enrollment, by the columns of ENROLLMENT_COLUMNS. */
static const struct row_col cols[] = {
	[ENROLLMENT_C_ID] = { "id", ROW_NUM, 0 },
	[ENROLLMENT_C_COURSE] = { "course_id", ROW_NUM, 0 },
	[ENROLLMENT_C_USER] = { "user_id", ROW_NUM, 0 },
	[ENROLLMENT_C_STATUS] = { "status", ROW_TEXT, 0 },
	[ENROLLMENT_C_SOURCE] = { "source", ROW_TEXT, 0 },
	[ENROLLMENT_C_CREATED] = { "created_at", ROW_TEXT, 0 },
};

_Static_assert(ROW_NCOLS(cols) == ENROLLMENT_NCOLUMNS,
    "a column of ENROLLMENT_COLUMNS without its JSON");

cJSON *
enrollment_json(const struct db_res *res, int row, int col)
{
	int	 i;

	/* Every column is NOT NULL: a NULL one is a row not there. */
	for (i = 0; i < ENROLLMENT_NCOLUMNS; i++)
		if (db_get(res, row, col + i) == NULL)
			return NULL;
	return row_json(res, row, col, cols, ROW_NCOLS(cols));
}

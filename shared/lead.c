/*
 * lectern — lead: the JSON of a lead.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "lead.h"
#include "row.h"

static const struct row_col cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "name", ROW_TEXT, 0 },
	{ "email", ROW_TEXT, 0 },
	{ "phone", ROW_TEXT, 0 },
	{ "course_id", ROW_NUM, 0 },
	{ "message", ROW_TEXT, 0 },
	{ "source", ROW_TEXT, 0 },
	{ "status", ROW_TEXT, 0 },
	{ "assigned_to", ROW_NUM, 0 },
	{ "notes", ROW_TEXT, 0 },
	{ "user_id", ROW_NUM, 0 },
	{ "submissions", ROW_NUM, 0 },
	{ "created_at", ROW_TEXT, 0 },
	{ "updated_at", ROW_TEXT, 0 },
	{ "last_submitted_at", ROW_TEXT, 0 },
};

_Static_assert(ROW_NCOLS(cols) == LEAD_NCOLUMNS,
    "LEAD_COLUMNS and its table agree");

const char *const lead_column_names[LEAD_NCOLUMNS] = {
	"id", "name", "email", "phone", "course_id", "message", "source",
	"status", "assigned_to", "notes", "user_id", "submissions",
	"created_at", "updated_at", "last_submitted_at",
};

cJSON *
lead_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, cols, ROW_NCOLS(cols));
}

/*
 * lectern — lead: an enquiry from the public form (SPEC §6.2).
 */
#ifndef LECTERN_LEAD_H
#define LECTERN_LEAD_H

#include <cjson/cJSON.h>

#include "row.h"

struct db_res;

/* What lead_json reads: select LEAD_COLUMNS from leads l. */
#define LEAD_COLUMNS							\
	"l.id, l.name, l.email, l.phone, l.course_id, l.message,"	\
	" l.source, l.status, l.assigned_to, l.notes, l.user_id,"	\
	" l.submissions, " SQL_UTC("l.created_at") ", "			\
	SQL_UTC("l.updated_at") ", " SQL_UTC("l.last_submitted_at")
#define LEAD_NCOLUMNS	15

/* Column names of LEAD_COLUMNS in order (the CSV header). */
extern const char *const lead_column_names[LEAD_NCOLUMNS];

/* The lead of row of res from column col on; NULL out of memory. */
cJSON	*lead_json(const struct db_res *res, int row, int col);

#endif /* LECTERN_LEAD_H */

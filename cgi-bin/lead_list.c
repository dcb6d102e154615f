/*
 * lectern — GET /api/admin/leads: the leads, newest first, for admins
 * (SPEC §6.2).  Filters status, source, course_id, assigned_to, from and
 * to (created_at >= from, < to) and q (full text over name, email,
 * phone and message, in web-search syntax).  Paged; with
 * ?format=csv the whole filtered list (at most LEAD_CSV_MAX rows) comes
 * as a text/csv download whose cells cannot start a formula.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "csv.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lead.h"
#include "list.h"

#define LEAD_CSV_MAX	"50000"

static enum api_err	lead_list(struct call *);

enum filter {
	FL_STATUS, FL_SOURCE, FL_COURSE, FL_ASSIGNED, FL_FROM, FL_TO, FL_Q,
	FL_FORMAT, FL__MAX
};

static const char *const statuses[] = {
	"new", "contacted", "qualified", "converted", "lost", NULL
};

static const char *const formats[] = { "json", "csv", NULL };

static const struct list_filter filters[FL__MAX] = {
	[FL_STATUS] = { .name = "status", .kind = LIST_ONE_OF,
	    .allowed = statuses,
	    .why = "must be new, contacted, qualified, converted or lost" },
	[FL_SOURCE] = { .name = "source", .kind = LIST_TEXT },
	[FL_COURSE] = { .name = "course_id", .kind = LIST_ID },
	[FL_ASSIGNED] = { .name = "assigned_to", .kind = LIST_ID },
	[FL_FROM] = { .name = "from", .kind = LIST_TIME },
	[FL_TO] = { .name = "to", .kind = LIST_TIME },
	[FL_Q] = { .name = "q", .kind = LIST_TEXT },
	[FL_FORMAT] = { .name = "format", .kind = LIST_ONE_OF,
	    .allowed = formats, .why = "must be json or csv" },
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/leads",
	.who = ROLE_ADMIN,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED,
	.run = lead_list,
};

#define LEAD_WHERE							\
    " WHERE ($1::text IS NULL OR status = $1)"				\
    " AND ($2::text IS NULL OR source = $2)"				\
    " AND ($3::bigint IS NULL OR course_id = $3::bigint)"		\
    " AND ($4::bigint IS NULL OR assigned_to = $4::bigint)"		\
    " AND ($5::timestamptz IS NULL OR created_at >= $5::timestamptz)"	\
    " AND ($6::timestamptz IS NULL OR created_at < $6::timestamptz)"	\
    " AND ($7::text IS NULL"						\
    "  OR search @@ websearch_to_tsquery('simple', $7))"

static const char sql_list[] =
    "WITH f AS (SELECT * FROM leads" LEAD_WHERE ")"
    LIST_SQL_PAGE(LEAD_COLUMNS, "l", "l.created_at DESC, l.id DESC",
    8, 9);

static const char sql_csv[] =
    "SELECT " LEAD_COLUMNS " FROM leads l" LEAD_WHERE
    " ORDER BY l.created_at DESC, l.id DESC LIMIT " LEAD_CSV_MAX;

static const struct list_page list_q = {
	.sql = sql_list,
	.nparams = FL_Q + 1,
	.id_col = 0,
	.total_col = LEAD_NCOLUMNS,
	.row = lead_json,
};

/* Send the filtered leads as CSV, a header row first. */
static enum api_err
send_csv(struct call *c)
{
	struct csv	 out;
	struct db_res	*res = NULL;
	int		 i, j, n;
	enum api_err	 er;

	memset(&out, 0, sizeof(out));
	if ((er = db_exec(c->db, sql_csv, FL_Q + 1, c->q, &res)) != API_OK)
		return er;
	for (j = 0; j < LEAD_NCOLUMNS; j++)
		csv_cell(&out, lead_column_names[j]);
	csv_end_row(&out);
	n = db_nrows(res);
	for (i = 0; i < n; i++) {
		for (j = 0; j < LEAD_NCOLUMNS; j++)
			csv_cell(&out, db_get(res, i, j));
		csv_end_row(&out);
	}
	if ((er = csv_status(&out)) == API_OK &&
	    (er = http_header(c->r, "Content-Disposition",
	    "attachment; filename=\"leads.csv\"")) == API_OK)
		er = http_send_text(c->r, 200, "text/csv; charset=utf-8",
		    out.buf, out.len);
	csv_free(&out);
	db_res_free(res);
	return er;
}

static enum api_err
lead_list(struct call *c)
{

	if (c->q[FL_FORMAT] != NULL && strcmp(c->q[FL_FORMAT], "csv") == 0)
		return send_csv(c);
	return list_send(c->r, c->db, &list_q, c->q, c->page, c->per_page);
}

ENDPOINT_MAIN(endpoint)

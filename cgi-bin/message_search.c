/*
 * lectern — GET /api/admin/messages/search?q=: full-text search over
 * thread subjects and message bodies for admins (SPEC §6.3).  q is in
 * web-search syntax (websearch_to_tsquery: words, "phrases", or, -not);
 * both sides have a tsvector column with a GIN index.  One item per
 * thread, best first: a subject match ranks above any body match, then
 * by ts_rank.  Each has the subject and a snippet with the matched words
 * in <b>...</b> (ts_headline), from the best matching message, else
 * from the subject.  Paged.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "row.h"

enum filter { FL_Q, FL__MAX };

static const struct list_filter filters[FL__MAX] = {
	[FL_Q] = { .name = "q", .kind = LIST_TEXT, .required = 1 },
};

static const char sql_search[] =
    "WITH q AS (SELECT websearch_to_tsquery('english', $1) AS q),"
    " hit AS (SELECT t.id FROM message_threads t, q WHERE t.search @@ q.q"
    "  UNION SELECT m.thread_id FROM messages m, q WHERE m.search @@ q.q),"
    " f AS (SELECT t.id, t.subject, t.student_id, t.last_message_at,"
    "  (t.search @@ q.q) AS in_subject, best.id AS message_id, best.body,"
    "  ts_rank(t.search, q.q) + coalesce(best.rank, 0) AS rank"
    "  FROM hit JOIN message_threads t ON t.id = hit.id CROSS JOIN q"
    "  LEFT JOIN LATERAL (SELECT m.id, m.body, ts_rank(m.search, q.q)"
    "   AS rank FROM messages m WHERE m.thread_id = t.id"
    "   AND m.search @@ q.q ORDER BY 3 DESC, m.id LIMIT 1) best ON true)"
    " SELECT p.id, p.subject, p.message_id, p.student_id,"
    "  (SELECT u.name FROM users u WHERE u.id = p.student_id),"
    "  ts_headline('english', coalesce(p.body, p.subject), q.q,"
    "   'StartSel=<b>, StopSel=</b>, MaxWords=30, MinWords=10'),"
    "  p.in_subject, round(p.rank::numeric, 6)::text,"
    "  " SQL_UTC("p.last_message_at") ", t.total"
    " FROM (SELECT count(*) AS total FROM f) t CROSS JOIN q"
    " LEFT JOIN LATERAL (SELECT * FROM f ORDER BY f.in_subject DESC,"
    "  f.rank DESC, f.id DESC LIMIT $2::bigint OFFSET $3::bigint) p ON true"
    " ORDER BY p.in_subject DESC, p.rank DESC, p.id DESC";

static const struct row_col cols[] = {
	{ "thread_id", ROW_NUM, 0 },
	{ "subject", ROW_TEXT, 0 },
	{ "message_id", ROW_NUM, 0 },
	{ "student.id", ROW_NUM, 0 },
	{ "student.name", ROW_TEXT, 0 },
	{ "snippet", ROW_TEXT, 0 },
	{ "subject_match", ROW_BOOL, 0 },
	{ "rank", ROW_TEXT, 0 },
	{ "last_message_at", ROW_TEXT, 0 },
};

static const struct list_page list_q = {
	.sql = sql_search,
	.nparams = FL__MAX,
	.id_col = 0,
	.total_col = ROW_NCOLS(cols),
	.cols = cols,
	.ncols = ROW_NCOLS(cols),
};

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/messages/search",
	.who = ROLE_ADMIN,
	.query = filters,
	.nquery = FL__MAX,
	.flags = EP_PAGED,
	.list = &list_q,
	.list_args = { LA_QUERY },
};

ENDPOINT_MAIN(endpoint)

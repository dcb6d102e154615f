/*
 * lectern — GET /api/admin/stats: the admin dashboard's figures.
 *
 * {users_by_role: {student, teacher, instructor, admin},
 *  active_enrollments, open_tickets (open or pending), new_leads,
 *  revenue_by_month: [{month "YYYY-MM", method, currency, amount (minor
 *   units), payments}] for the current month and the eleven before it
 *   (UTC), newest first,
 *  completion: {items: [{course_id, title, enrolled, completed,
 *   percent}], page, per_page, total}}.
 *
 * Completion is per course, newest course first, paged with page and
 * per_page: enrolled counts active enrollments, completed the course's
 * valid certificates (issued when the last lesson is done, or by the
 * author).  Every figure reads an index: users by role users_role_idx,
 * active enrollments enrollments_active_idx, open tickets and new leads
 * tickets_status_idx and leads_status_idx (t/schema/150-crm-indexes.sql),
 * revenue the paid payments
 * of the months asked for through payments_paid_idx, completion one
 * course at a time through enrollments_active_idx and
 * certificates_course_idx (t/schema/180-live-indexes.sql checks the
 * plans).  Read in the admin's transaction.
 */
#include "config.h"

#include <stdio.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	admin_stats(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/stats",
	.who = ROLE_ADMIN,
	.flags = EP_PAGED,
	.run = admin_stats,
};

static const char sql_stats[] =
    "SELECT json_build_object("
    " 'users_by_role', (SELECT json_object_agg(r.role, (SELECT count(*)"
    "  FROM users u WHERE u.role = r.role) ORDER BY r.n)"
    "  FROM unnest(ARRAY['student', 'teacher', 'instructor', 'admin'])"
    "  WITH ORDINALITY AS r(role, n)),"
    " 'active_enrollments', (SELECT count(*) FROM enrollments e"
    "  WHERE e.status = 'active'),"
    " 'open_tickets', (SELECT count(*) FROM tickets t"
    "  WHERE t.status IN ('open', 'pending')),"
    " 'new_leads', (SELECT count(*) FROM leads l WHERE l.status = 'new'),"
    " 'revenue_by_month', (SELECT coalesce(json_agg(m ORDER BY m.month"
    "  DESC, m.method, m.currency), '[]') FROM (SELECT"
    "  to_char(p.paid_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,"
    "  p.method, p.currency, sum(p.amount) AS amount,"
    "  count(*) AS payments FROM payments p WHERE p.status = 'paid'"
    "  AND p.paid_at >= (date_trunc('month', now() AT TIME ZONE 'UTC')"
    "  - interval '11 months') AT TIME ZONE 'UTC'"
    "  GROUP BY 1, 2, 3) m),"
    " 'completion', json_build_object("
    "  'items', (SELECT coalesce(json_agg(k ORDER BY k.course_id DESC),"
    "   '[]') FROM (SELECT x.course_id, x.title, x.enrolled, x.completed,"
    "   CASE WHEN x.enrolled = 0 THEN 0 ELSE round(100.0 * x.completed"
    "   / x.enrolled, 1) END AS percent FROM (SELECT c.id AS course_id,"
    "   c.title, (SELECT count(*) FROM enrollments e WHERE e.course_id"
    "   = c.id AND e.status = 'active') AS enrolled, (SELECT count(*)"
    "   FROM certificates ct WHERE ct.course_id = c.id"
    "   AND ct.revoked_at IS NULL) AS completed FROM courses c"
    "   WHERE NOT c.archived ORDER BY c.id DESC"
    "   LIMIT $1::bigint OFFSET $2::bigint) x) k),"
    "  'page', $3::bigint, 'per_page', $1::bigint,"
    "  'total', (SELECT count(*) FROM courses c WHERE NOT c.archived))"
    ")::text";

static enum api_err
admin_stats(struct call *c)
{
	struct db_res	*res = NULL;
	const char	*params[3], *v;
	char		 limit[24], offset[24], page[24];
	enum api_err	 er;

	snprintf(limit, sizeof(limit), "%lld", c->per_page);
	snprintf(offset, sizeof(offset), "%lld", (c->page - 1) * c->per_page);
	snprintf(page, sizeof(page), "%lld", c->page);
	params[0] = limit;
	params[1] = offset;
	params[2] = page;
	if ((er = db_exec(c->db, sql_stats, 3, params, &res)) != API_OK)
		return er;
	if ((v = db_get(res, 0, 0)) == NULL)
		er = API_INTERNAL;
	else
		er = http_send_raw(c->r, 200, v);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

-- lectern — pgTAP: the queries of live sessions, certificates and the
-- admin dashboard (GET /api/admin/stats) read indexes, not whole tables.
--
-- As in 130-indexes.sql: thousands of rows, ANALYZE, then EXPLAIN each
-- query's shape.  The dashboard's users by role and its count of all
-- active enrollments are counts over whole sets by nature (as a list's
-- total is); they are checked to read an index rather than the table
-- where the planner can, and the figures over the big tables (revenue
-- of a time range, completion one course at a time) must never scan.
-- Everything is rolled back at the end.
BEGIN;
SELECT plan(17);

CREATE FUNCTION public.lectern_test_plan2(q text) RETURNS text
	LANGUAGE plpgsql
AS $$
DECLARE
	line	text;
	plan	text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		plan := plan || line || E'\n';
	END LOOP;
	RETURN plan;
END
$$;
GRANT EXECUTE ON FUNCTION public.lectern_test_plan2(text) TO lectern_app;

-- 2000 students, 20 teachers with 400 courses, 4000 enrollments, a
-- session a day for two years in each of 40 courses, 3000 certificates
-- and 20000 payments over three years.
INSERT INTO users (email, name, password_hash, role)
	SELECT 'live-' || i || '@pgtap.test', 'Live ' || i, 'x',
	    CASE WHEN i <= 20 THEN 'teacher' ELSE 'student' END
	FROM generate_series(1, 2020) AS i;
CREATE TEMP TABLE t_teachers AS SELECT id, row_number() OVER (ORDER BY id) AS n
	FROM users WHERE email LIKE 'live-%' AND role = 'teacher';
CREATE TEMP TABLE t_students AS SELECT id, row_number() OVER (ORDER BY id) AS n
	FROM users WHERE email LIKE 'live-%' AND role = 'student';
INSERT INTO courses (instructor_id, title, published)
	SELECT t.id, 'Live course ' || i, true
	FROM generate_series(1, 400) AS i JOIN t_teachers t ON t.n = i % 20 + 1;
CREATE TEMP TABLE t_courses AS SELECT id, row_number() OVER (ORDER BY id) AS n
	FROM courses WHERE title LIKE 'Live course %';
INSERT INTO enrollments (user_id, course_id)
	SELECT s.id, c.id FROM t_students s CROSS JOIN generate_series(0, 1) k
	JOIN t_courses c ON c.n = (s.n * 3 + k * 200) % 400 + 1;
INSERT INTO live_sessions (course_id, title, starts_at, duration_minutes,
    meeting_url)
	SELECT c.id, 'S' || d, now() - interval '1 year' + d * interval '1 day',
	    60, 'https://m.example.com/x'
	FROM t_courses c CROSS JOIN generate_series(1, 730) AS d
	WHERE c.n <= 40;
INSERT INTO certificates (code, user_id, course_id, student_name,
    course_title)
	SELECT lpad(upper(to_hex(e.id)), 12, '0'), e.user_id, e.course_id, 'n', 't'
	FROM enrollments e JOIN t_courses c ON c.id = e.course_id
	WHERE e.user_id IN (SELECT id FROM t_students WHERE n % 4 <> 0);
INSERT INTO payments (user_id, course_id, method, status, amount, currency,
    provider_payment_id, recorded_by_user_id, created_at, paid_at)
	SELECT s.id, c.id, CASE WHEN i % 5 = 0 THEN 'manual' ELSE 'razorpay' END,
	    'paid', 49900, 'INR', 'pay_live_' || i, s.id,
	    now() - i * interval '80 minutes', now() - i * interval '80 minutes'
	FROM generate_series(1, 20000) AS i
	JOIN t_students s ON s.n = i % 2000 + 1
	JOIN t_courses c ON c.n = i % 400 + 1;
ANALYZE users;
ANALYZE courses;
ANALYZE enrollments;
ANALYZE live_sessions;
ANALYZE certificates;
ANALYZE payments;

SELECT (SELECT id FROM t_courses WHERE n = 7) AS course_id,
	(SELECT id FROM t_students WHERE n = 5) AS student_id \gset

SELECT ok((SELECT count(*) FROM live_sessions) >= 29000
	AND (SELECT count(*) FROM payments) >= 20000
	AND (SELECT count(*) FROM certificates) >= 2000,
	'the tables hold thousands of rows');

-- GET /api/courses/{id}/sessions and the feed: one course's sessions.
SELECT matches(lectern_test_plan2(format(
	'SELECT id FROM live_sessions WHERE course_id = %s'
	' ORDER BY starts_at, id', :course_id)),
	'live_sessions_course_idx', 'a course''s sessions read their index');
SELECT doesnt_match(lectern_test_plan2(format(
	'SELECT count(*) FROM live_sessions WHERE course_id = %s', :course_id)),
	'Seq Scan', '...and their total has no Seq Scan');

-- lectern-admin remind: the scheduled sessions of the next 24 hours.
SELECT matches(lectern_test_plan2(
	'SELECT id FROM live_sessions WHERE status = ''scheduled'''
	' AND starts_at > now() AND starts_at <= now() + interval ''24 hours'''),
	'live_sessions_upcoming_idx', 'the reminder window reads its index');

-- GET /api/certificates (mine) and the verification by code.
SELECT matches(lectern_test_plan2(format(
	'SELECT id FROM certificates WHERE user_id = %s'
	' ORDER BY issued_at DESC, id DESC LIMIT 20', :student_id)),
	'certificates_user_course_key', 'my certificates read their index');
SELECT matches(lectern_test_plan2(
	'SELECT * FROM certificates WHERE code = ''0000000000AB'''),
	'certificates_code_key', 'a code is looked up by its index');

-- Attendance of a session.
SELECT doesnt_match(lectern_test_plan2(
	'SELECT user_id FROM session_attendance WHERE session_id = 42'),
	'Seq Scan on session_attendance', 'attendance is read by session');

-- The dashboard.  Revenue: the paid payments of twelve months.
SELECT matches(lectern_test_plan2(
	'SELECT to_char(paid_at AT TIME ZONE ''UTC'', ''YYYY-MM''), method,'
	' currency, sum(amount), count(*) FROM payments WHERE status = ''paid'''
	' AND paid_at >= (date_trunc(''month'', now() AT TIME ZONE ''UTC'')'
	' - interval ''11 months'') AT TIME ZONE ''UTC'' GROUP BY 1, 2, 3'),
	'payments_paid_idx', 'revenue by month reads payments_paid_idx');
SELECT doesnt_match(lectern_test_plan2(
	'SELECT sum(amount) FROM payments WHERE status = ''paid'''
	' AND paid_at >= (date_trunc(''month'', now() AT TIME ZONE ''UTC'')'
	' - interval ''11 months'') AT TIME ZONE ''UTC'''), 'Seq Scan',
	'...with no Seq Scan on payments');

-- Completion: a page of courses, each counted by its indexes.
SELECT doesnt_match(lectern_test_plan2(
	'SELECT c.id, (SELECT count(*) FROM enrollments e WHERE e.course_id'
	' = c.id AND e.status = ''active''), (SELECT count(*) FROM'
	' certificates ct WHERE ct.course_id = c.id AND ct.revoked_at IS NULL)'
	' FROM courses c WHERE NOT c.archived ORDER BY c.id DESC LIMIT 20'),
	'Seq Scan', 'completion per course has no Seq Scan');
SELECT matches(lectern_test_plan2(
	'SELECT c.id, (SELECT count(*) FROM enrollments e WHERE e.course_id'
	' = c.id AND e.status = ''active'') FROM courses c WHERE NOT c.archived'
	' ORDER BY c.id DESC LIMIT 20'),
	'enrollments_(active|course)_idx', '...enrollments by course');
SELECT matches(lectern_test_plan2(
	'SELECT c.id, (SELECT count(*) FROM certificates ct WHERE ct.course_id'
	' = c.id AND ct.revoked_at IS NULL) FROM courses c WHERE NOT c.archived'
	' ORDER BY c.id DESC LIMIT 20'),
	'certificates_course_idx', '...certificates by course');

-- Users by role, one role at a time (the index, not the table, for the
-- roles that are a small part of it).
SELECT matches(lectern_test_plan2(
	'SELECT count(*) FROM users u WHERE u.role = ''teacher'''),
	'users_role_idx', 'users of a role are counted by users_role_idx');
SELECT doesnt_match(lectern_test_plan2(
	'SELECT count(*) FROM users u WHERE u.role = ''admin'''), 'Seq Scan',
	'...with no Seq Scan');
SELECT doesnt_match(lectern_test_plan2(
	'SELECT count(*) FROM enrollments e WHERE e.course_id = 7'
	' AND e.status = ''active'''), 'Seq Scan',
	'active enrollments of a course have no Seq Scan');

-- The same, as the application role with an admin caller: the
-- row-level policies must not turn them into scans.
SET LOCAL ROLE lectern_app;
SELECT set_config('lectern.user_id', '1', true),
	set_config('lectern.role', 'admin', true) \g /dev/null
SELECT doesnt_match(lectern_test_plan2(
	'SELECT sum(amount) FROM payments WHERE status = ''paid'''
	' AND paid_at >= now() - interval ''1 year'''), 'Seq Scan',
	'under RLS, revenue still has no Seq Scan');
SELECT doesnt_match(lectern_test_plan2(
	'SELECT c.id, (SELECT count(*) FROM certificates ct WHERE ct.course_id'
	' = c.id AND ct.revoked_at IS NULL) FROM courses c WHERE NOT c.archived'
	' ORDER BY c.id DESC LIMIT 20'), 'Seq Scan',
	'...nor completion');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

-- lectern — pgTAP: the list queries of the API read an index, not the
-- whole table (issue item 8).
--
-- A few thousand users, courses (half of them published), enrollments
-- and audit entries, ANALYZE, then EXPLAIN each list query's shape and
-- require the index meant for it and no Seq Scan on the big table.  The
-- queries take the forms the endpoints send (filters as constants, as
-- PostgreSQL plans an unnamed PQexecParams statement with its values).
-- A count(*) over a whole unfiltered list (the "total" of a list
-- envelope) reads every row by nature and is not checked here.
-- Everything is rolled back at the end.
BEGIN;
SELECT plan(38);

-- The plan of query q as text (EXPLAIN without costs), run with the
-- caller's rights, so that under SET ROLE lectern_app it is planned with
-- the row-level policies applied.
CREATE FUNCTION public.lectern_test_plan(q text) RETURNS text
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
GRANT EXECUTE ON FUNCTION public.lectern_test_plan(text) TO lectern_app;

-- 3000 users (50 teachers), 4000 courses (every other one published,
-- every tenth archived) spread over the teachers, two enrollments per
-- student, 5000 audit entries.
INSERT INTO users (email, name, password_hash, role)
	SELECT 'idx-' || i || '@pgtap.test', 'Idx ' || md5(i::text), 'x',
	    CASE WHEN i <= 50 THEN 'teacher' ELSE 'student' END
	FROM generate_series(1, 3000) AS i;
INSERT INTO courses (instructor_id, title, published, archived)
	SELECT t.id, 'Course ' || md5(i::text), i % 2 = 0, i % 10 = 0
	FROM generate_series(1, 4000) AS i
	JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users
	    WHERE email LIKE 'idx-%' AND role = 'teacher') t
	    ON t.n = i % 50 + 1;
-- Most teachers have a few courses: this one has three, spread among the
-- others, to look up by instructor.
INSERT INTO users (email, name, password_hash, role)
	VALUES ('idx-probe@pgtap.test', 'Idx probe', 'x', 'teacher');
INSERT INTO courses (instructor_id, title, published)
	SELECT u.id, 'Probe ' || i, true
	FROM generate_series(1, 3) AS i
	JOIN users u ON u.email = 'idx-probe@pgtap.test';
INSERT INTO courses (instructor_id, title, published)
	SELECT t.id, 'Course late ' || md5(i::text), true
	FROM generate_series(1, 500) AS i
	JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users
	    WHERE email LIKE 'idx-%' AND role = 'teacher') t
	    ON t.n = i % 50 + 1;
INSERT INTO enrollments (user_id, course_id)
	SELECT s.id, c.id
	FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users
	    WHERE email LIKE 'idx-%' AND role = 'student') s
	CROSS JOIN generate_series(0, 1) AS k
	JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM courses
	    WHERE title LIKE 'Course %') c
	    ON c.n = (s.n * 7 + k * 1999) % 4000 + 1;
INSERT INTO audit_logs (actor_user_id, action, target_type, target_id,
    created_at)
	SELECT u.id, (ARRAY['user.update', 'course.owner',
	    'payment.manual'])[i % 3 + 1], 'user', (i % 3000)::text,
	    now() - i * interval '1 minute'
	FROM generate_series(1, 5000) AS i
	JOIN (SELECT id, row_number() OVER (ORDER BY id) AS n FROM users
	    WHERE email LIKE 'idx-%' AND role = 'teacher') u
	    ON u.n = i % 50 + 1;

-- New GIN entries wait in the index's pending list until (auto)vacuum
-- moves them into the index proper, and the planner prices a long
-- pending list as a scan of it.  VACUUM cannot run in this transaction;
-- this does the same for the trigram indexes.
SELECT gin_clean_pending_list(i::regclass) FROM unnest(ARRAY[
	'courses_title_trgm_idx', 'users_name_trgm_idx',
	'users_email_trgm_idx']) AS i \g /dev/null
ANALYZE users;
ANALYZE courses;
ANALYZE enrollments;
ANALYZE audit_logs;

-- A teacher of many courses, one of three, a course with enrollments
-- and a student with enrollments.
SELECT
	(SELECT min(id) FROM users WHERE email LIKE 'idx-%'
	    AND role = 'teacher') AS teacher_id,
	(SELECT id FROM users WHERE email = 'idx-probe@pgtap.test') AS probe_id,
	(SELECT max(course_id) FROM enrollments e JOIN users u
	    ON u.id = e.user_id WHERE u.email LIKE 'idx-%') AS course_id,
	(SELECT max(user_id) FROM enrollments e JOIN users u
	    ON u.id = e.user_id WHERE u.email LIKE 'idx-%') AS student_id
\gset
SELECT instructor_id AS author_id FROM courses WHERE id = :course_id \gset

SELECT ok((SELECT count(*) FROM courses) >= 4000
	AND (SELECT count(*) FROM enrollments) >= 5000
	AND (SELECT count(*) FROM users) >= 3000
	AND (SELECT count(*) FROM audit_logs) >= 5000,
	'the tables hold thousands of rows');

-- GET /api/courses: the public list, by id.
SELECT matches(lectern_test_plan(
	'SELECT id, title FROM courses WHERE published AND NOT archived'
	' ORDER BY id LIMIT 20'),
	'Index (Only )?Scan using courses_public_idx on courses',
	'the public course list reads courses_public_idx');
SELECT doesnt_match(lectern_test_plan(
	'SELECT id, title FROM courses WHERE published AND NOT archived'
	' ORDER BY id LIMIT 20 OFFSET 100'), 'Seq Scan',
	'...with no Seq Scan, on a later page too');
SELECT matches(lectern_test_plan(
	'SELECT id, title FROM courses WHERE published AND NOT archived'
	' ORDER BY id DESC LIMIT 20'),
	'Index (Only )?Scan Backward using courses_public_idx on courses',
	'...and newest first, backwards');

-- ?instructor_id= (public) and ?mine=true (the author's own, drafts too).
SELECT matches(lectern_test_plan(format(
	'SELECT id, title FROM courses WHERE instructor_id = %s'
	' ORDER BY id DESC LIMIT 20', :probe_id)),
	'courses_instructor_idx',
	'the instructor filter reads courses_instructor_idx');
SELECT matches(lectern_test_plan(format(
	'SELECT count(*) FROM courses WHERE instructor_id = %s'
	' AND published AND NOT archived', :probe_id)),
	'courses_instructor_idx', '...and so does its total');
-- A teacher of 80 courses spread over the whole table: walking
-- courses_pkey or courses_public_idx in id order may then be as cheap,
-- but never the table.
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT id, title FROM courses WHERE instructor_id = %s'
	' AND published AND NOT archived ORDER BY id DESC LIMIT 20',
	:teacher_id)), 'Seq Scan',
	'...and the list of a prolific instructor has no Seq Scan');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT count(*) FROM courses WHERE instructor_id = %s', :teacher_id)),
	'Seq Scan', '...nor its total');

-- ?q= (title search): lower(title) LIKE '%q%' is what the trigram index
-- on lower(title) answers.
SELECT matches(lectern_test_plan(
	'SELECT id, title FROM courses WHERE lower(title) LIKE ''%abc%'''
	' ORDER BY id LIMIT 20'),
	'Bitmap Index Scan on courses_title_trgm_idx',
	'the title search reads the trigram index');
SELECT doesnt_match(lectern_test_plan(
	'SELECT id, title FROM courses WHERE lower(title) LIKE ''%abc%'''
	' ORDER BY id LIMIT 20'), 'Seq Scan', '...and no Seq Scan');
SELECT matches(lectern_test_plan(
	'SELECT count(*) FROM courses WHERE published AND NOT archived'
	' AND lower(title) LIKE ''%e0f4%'''),
	'courses_title_trgm_idx',
	'...and so does the total of a public search');

-- GET /api/courses/{id}/enrollments: the roster.
SELECT matches(lectern_test_plan(format(
	'SELECT e.id, u.name, u.email FROM enrollments e'
	' JOIN users u ON u.id = e.user_id'
	' WHERE e.course_id = %s ORDER BY e.id LIMIT 20', :course_id)),
	'enrollments_course_idx', 'the roster reads enrollments_course_idx');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT e.id, u.name, u.email FROM enrollments e'
	' JOIN users u ON u.id = e.user_id'
	' WHERE e.course_id = %s ORDER BY e.id LIMIT 20', :course_id)),
	'Seq Scan', '...with no Seq Scan on enrollments or users');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT count(*) FROM enrollments WHERE course_id = %s', :course_id)),
	'Seq Scan', '...nor for its total');

-- GET /api/enrollments: mine, newest first, with the course.
SELECT matches(lectern_test_plan(format(
	'SELECT e.id, c.title FROM enrollments e JOIN courses c'
	' ON c.id = e.course_id WHERE e.user_id = %s'
	' ORDER BY e.created_at DESC, e.id DESC LIMIT 20', :student_id)),
	'enrollments_user_course_key',
	'"my enrollments" reads enrollments_user_course_key');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT e.id, c.title FROM enrollments e JOIN courses c'
	' ON c.id = e.course_id WHERE e.user_id = %s'
	' ORDER BY e.created_at DESC, e.id DESC LIMIT 20', :student_id)),
	'Seq Scan', '...with no Seq Scan on enrollments or courses');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT count(*) FROM enrollments WHERE user_id = %s', :student_id)),
	'Seq Scan', '...nor for its total');

-- The same two as the application role, with the row-level policies
-- in the plan: RLS must not turn them into full scans.
SET LOCAL ROLE lectern_app;
SELECT set_config('lectern.user_id', :'student_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT matches(lectern_test_plan(format(
	'SELECT id FROM enrollments WHERE user_id = %s'
	' ORDER BY created_at DESC, id DESC LIMIT 20', :student_id)),
	'enrollments_user_course_key',
	'under RLS, a student''s own list still reads the index');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT id FROM enrollments WHERE user_id = %s'
	' ORDER BY created_at DESC, id DESC LIMIT 20', :student_id)),
	'Seq Scan', '...with no Seq Scan');
SELECT set_config('lectern.user_id', :'author_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
SELECT matches(lectern_test_plan(format(
	'SELECT id FROM enrollments WHERE course_id = %s ORDER BY id LIMIT 20',
	:course_id)), 'enrollments_course_idx',
	'under RLS, the author''s roster still reads the index');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT id FROM enrollments WHERE course_id = %s ORDER BY id LIMIT 20',
	:course_id)), 'Seq Scan', '...with no Seq Scan');
RESET ROLE;

-- GET /api/admin/users: by id; ?role=; ?q= on name or email (005).
SELECT matches(lectern_test_plan(
	'SELECT id, email FROM users ORDER BY id LIMIT 20 OFFSET 40'),
	'Index Scan using users_pkey on users',
	'the admin user list reads users_pkey');
SELECT doesnt_match(lectern_test_plan(
	'SELECT id, email FROM users WHERE role = ''teacher'''
	' ORDER BY id LIMIT 20'), 'Seq Scan',
	'...the role filter has no Seq Scan');
SELECT doesnt_match(lectern_test_plan(
	'SELECT count(*) FROM users WHERE role = ''teacher'''), 'Seq Scan',
	'...nor its total');
SELECT matches(lectern_test_plan(
	'SELECT id, email FROM users WHERE name ILIKE ''%e0f4%'' ESCAPE ''\'''
	' OR email ILIKE ''%e0f4%'' ESCAPE ''\'' ORDER BY id LIMIT 20'),
	'users_name_trgm_idx',
	'the name-or-email search reads users_name_trgm_idx...');
SELECT matches(lectern_test_plan(
	'SELECT id, email FROM users WHERE name ILIKE ''%e0f4%'' ESCAPE ''\'''
	' OR email ILIKE ''%e0f4%'' ESCAPE ''\'' ORDER BY id LIMIT 20'),
	'users_email_trgm_idx', '...and users_email_trgm_idx');
SELECT doesnt_match(lectern_test_plan(
	'SELECT count(*) FROM users WHERE name ILIKE ''%e0f4%'' ESCAPE ''\'''
	' OR email ILIKE ''%e0f4%'' ESCAPE ''\'''), 'Seq Scan',
	'...with no Seq Scan, for the total too');

-- GET /api/admin/audit-logs: newest first; ?action=, ?actor_user_id=,
-- ?target_type=&target_id= (005).
SELECT matches(lectern_test_plan(
	'SELECT id FROM audit_logs ORDER BY created_at DESC, id DESC'
	' LIMIT 20'),
	'Index (Only )?Scan using audit_logs_created_idx on audit_logs',
	'the audit log list reads audit_logs_created_idx');
SELECT doesnt_match(lectern_test_plan(
	'SELECT id FROM audit_logs ORDER BY created_at DESC, id DESC'
	' LIMIT 20 OFFSET 200'), 'Seq Scan', '...with no Seq Scan');
SELECT matches(lectern_test_plan(
	'SELECT id FROM audit_logs WHERE action = ''course.owner'''
	' ORDER BY created_at DESC, id DESC LIMIT 20'),
	'audit_logs_(action|created)_idx', '...the action filter reads an index');
SELECT doesnt_match(lectern_test_plan(
	'SELECT id FROM audit_logs WHERE action = ''course.owner'''
	' ORDER BY created_at DESC, id DESC LIMIT 20'), 'Seq Scan',
	'...with no Seq Scan');
SELECT matches(lectern_test_plan(format(
	'SELECT id FROM audit_logs WHERE actor_user_id = %s'
	' ORDER BY created_at DESC, id DESC LIMIT 20', :teacher_id)),
	'audit_logs_actor_idx', '...the actor filter reads audit_logs_actor_idx');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT count(*) FROM audit_logs WHERE actor_user_id = %s',
	:teacher_id)), 'Seq Scan', '...with no Seq Scan for its total');
SELECT matches(lectern_test_plan(
	'SELECT id FROM audit_logs WHERE target_type = ''user'''
	' AND target_id = ''42'' ORDER BY created_at DESC, id DESC LIMIT 20'),
	'audit_logs_target_idx',
	'...the target filter reads audit_logs_target_idx');
SELECT doesnt_match(lectern_test_plan(
	'SELECT id FROM audit_logs WHERE target_type = ''user'''
	' AND target_id = ''42'' ORDER BY created_at DESC, id DESC LIMIT 20'),
	'Seq Scan', '...with no Seq Scan');
SELECT doesnt_match(lectern_test_plan(
	'SELECT count(*) FROM audit_logs WHERE target_type = ''user'''
	' AND target_id = ''42'''), 'Seq Scan', '...nor for its total');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT id FROM audit_logs WHERE actor_user_id = %s'
	' OR (target_type = ''user'' AND target_id = %L)',
	:teacher_id, :'student_id')), 'Seq Scan',
	'the export''s entries by or about a user have no Seq Scan');

-- The filters combined, as the CGIs send them when one is given.
SELECT doesnt_match(lectern_test_plan(
	'SELECT id FROM audit_logs WHERE action = ''user.update'''
	' AND target_type = ''user'' AND target_id = ''7'''
	' ORDER BY created_at DESC, id DESC LIMIT 20'), 'Seq Scan',
	'an action and target filter together have no Seq Scan');

SELECT * FROM finish();
ROLLBACK;

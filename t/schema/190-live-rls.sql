-- lectern — pgTAP: row-level security on session_attendance and
-- certificates (008), the public lookup by code, and the anonymisation
-- of an erased account's certificates.
--
-- As the superuser: students A and B, teacher T with course C (two
-- lessons, A and B enrolled) and a session of it, an admin.  Then as the
-- application role with the caller set the way db_begin sets it.
BEGIN;
SELECT plan(21);

SELECT ok((SELECT relrowsecurity FROM pg_class
	WHERE oid = ('public.' || t)::regclass),
	'row-level security is enabled on ' || t)
	FROM unnest(ARRAY['session_attendance', 'certificates']) AS t;

INSERT INTO users (email, name, password_hash, role) VALUES
	('lrls-a@pgtap.test', 'LRLS A', 'x', 'student'),
	('lrls-b@pgtap.test', 'LRLS B', 'x', 'student'),
	('lrls-t@pgtap.test', 'LRLS T', 'x', 'teacher'),
	('lrls-admin@pgtap.test', 'LRLS Admin', 'x', 'admin');
SELECT
	(SELECT id FROM users WHERE email = 'lrls-a@pgtap.test') AS a_id,
	(SELECT id FROM users WHERE email = 'lrls-b@pgtap.test') AS b_id,
	(SELECT id FROM users WHERE email = 'lrls-t@pgtap.test') AS t_id,
	(SELECT id FROM users WHERE email = 'lrls-admin@pgtap.test') AS admin_id
\gset
INSERT INTO courses (instructor_id, title, published)
	VALUES (:t_id, 'LRLS course', true) RETURNING id AS c_id \gset
INSERT INTO enrollments (user_id, course_id) VALUES (:a_id, :c_id), (:b_id, :c_id);
INSERT INTO lessons (course_id, title, position)
	VALUES (:c_id, 'L1', 1) RETURNING id AS l1 \gset
INSERT INTO lessons (course_id, title, position)
	VALUES (:c_id, 'L2', 2) RETURNING id AS l2 \gset
INSERT INTO live_sessions (course_id, title, starts_at, duration_minutes,
    meeting_url) VALUES (:c_id, 'S', now(), 60, 'https://m.example.com/')
	RETURNING id AS s_id \gset
INSERT INTO session_attendance (session_id, user_id, source)
	VALUES (:s_id, :a_id, 'join'), (:s_id, :b_id, 'join');
INSERT INTO certificates (code, user_id, course_id, student_name, course_title)
	VALUES ('BBBBBBBBBBBB', :b_id, :c_id, 'LRLS B', 'LRLS course');

SET LOCAL ROLE lectern_app;

-- A sees their own attendance and nothing of B's.
SELECT set_config('lectern.user_id', :'a_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is((SELECT count(*) FROM session_attendance), 1::bigint,
	'a student sees only their own attendance');
SELECT throws_ok(format('INSERT INTO session_attendance (session_id, user_id,'
	' source) VALUES (%s, %s, %L)', :s_id, :b_id, 'join'), '42501', NULL,
	'...cannot check someone else in');
SELECT throws_ok(format('INSERT INTO session_attendance (session_id, user_id,'
	' source) VALUES (%s, %s, %L) ON CONFLICT DO NOTHING', :s_id, :a_id,
	'teacher'), '42501', NULL, '...nor mark themselves as the teacher would');
SELECT is((SELECT count(*) FROM certificates), 0::bigint,
	'...and sees no certificate of anyone else');

-- A cannot give themselves a certificate before every lesson is done.
SELECT throws_ok(format('INSERT INTO certificates (code, user_id, course_id,'
	' student_name, course_title) VALUES (%L, %s, %s, %L, %L)',
	'AAAAAAAAAAAA', :a_id, :c_id, 'A', 'C'), '42501', NULL,
	'a student cannot issue their own certificate early');
INSERT INTO lesson_progress (user_id, lesson_id) VALUES (:a_id, :l1), (:a_id, :l2);
SELECT lives_ok(format('INSERT INTO certificates (code, user_id, course_id,'
	' student_name, course_title) VALUES (%L, %s, %s, %L, %L)',
	'AAAAAAAAAAAA', :a_id, :c_id, 'A', 'C'),
	'...but can once every lesson is done');
SELECT throws_ok(format('INSERT INTO certificates (code, user_id, course_id,'
	' student_name, course_title, issued_by) VALUES (%L, %s, %s, %L, %L, %s)',
	'AAAAAAAAAAAB', :b_id, :c_id, 'B', 'C', :a_id), '42501', NULL,
	'...and never one for someone else');
UPDATE certificates SET revoked_at = now(), revoked_reason = 'x'
	WHERE user_id = :a_id;
SELECT is((SELECT count(*) FROM certificates WHERE revoked_at IS NOT NULL),
	0::bigint, 'a student cannot revoke');

-- Anonymous: no rows, but the lookup by code answers.
SELECT set_config('lectern.user_id', '', true),
	set_config('lectern.role', '', true) \g /dev/null
SELECT is((SELECT count(*) FROM certificates), 0::bigint,
	'an anonymous caller reads no certificate rows');
SELECT is((SELECT student_name FROM lectern_certificate_by_code('BBBBBBBBBBBB')),
	'LRLS B', '...but verifies one by its code');
SELECT is((SELECT count(*) FROM lectern_certificate_by_code('ZZZZZZZZZZZZ')),
	0::bigint, '...and an unknown code is no row');

-- The teacher of the course sees and sets its attendance.
SELECT set_config('lectern.user_id', :'t_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
SELECT is((SELECT count(*) FROM session_attendance), 2::bigint,
	'the author sees the attendance of their session');
SELECT lives_ok(format('DELETE FROM session_attendance WHERE session_id = %s'
	' AND user_id = %s', :s_id, :b_id), '...and removes a row');
SELECT is((SELECT count(*) FROM certificates), 2::bigint,
	'...and sees the certificates of their course');
SELECT is((SELECT count(*) FROM lectern_certificate_by_code('AAAAAAAAAAAA')
	WHERE revoked_at IS NULL), 1::bigint, '...which the student could not revoke');

-- An admin revokes.
SELECT set_config('lectern.user_id', :'admin_id', true),
	set_config('lectern.role', 'admin', true) \g /dev/null
UPDATE certificates SET revoked_at = now(), revoked_reason = 'test'
	WHERE code = 'AAAAAAAAAAAA';
SELECT is((SELECT revoked_reason FROM certificates WHERE code = 'AAAAAAAAAAAA'),
	'test', 'an admin revokes');
RESET ROLE;

-- Constraints: one per user and course; codes are Crockford base32.
SELECT throws_ok(format('INSERT INTO certificates (code, user_id, course_id,'
	' student_name, course_title) VALUES (%L, %s, %s, %L, %L)',
	'CCCCCCCCCCCC', :b_id, :c_id, 'B', 'C'), '23505', NULL,
	'a second certificate for the same user and course is refused');
SELECT throws_ok(format('INSERT INTO certificates (code, user_id, course_id,'
	' student_name, course_title) VALUES (%L, %s, %s, %L, %L)',
	'UUUUUUUUUUUU', :t_id, :c_id, 'T', 'C'), '23514', NULL,
	'a code outside Crockford base32 is refused');

-- Erasure replaces the frozen name.
UPDATE users SET name = 'Deleted user',
	email = 'deleted-' || id || '@invalid.invalid' WHERE id = :b_id;
SELECT is((SELECT student_name FROM certificates WHERE code = 'BBBBBBBBBBBB'),
	'Deleted user', 'an erased account''s certificate no longer names them');

SELECT * FROM finish();
ROLLBACK;

-- lectern — pgTAP: row-level security on enrollments, lesson_progress and
-- submissions, the second wall behind the CGIs' own checks (SPEC §10).
--
-- As the superuser: students A and B, teachers T and T2, an admin; T's
-- course C and T2's course D; A and B enrolled in C, A also in D; each
-- with progress on a lesson and a submission to a classwork of the
-- course.  Then, as the application role with the caller set the way
-- db_begin sets it, each caller must see exactly their share, and the
-- policies and the grading trigger must refuse what is not theirs.  Other
-- tests may have left rows in these tables, so "everything" is compared
-- with what the superuser counts, never with a constant.
BEGIN;
SELECT plan(50);

-- The tables, their owner and the application role.
SELECT ok((SELECT relrowsecurity FROM pg_class
	WHERE oid = ('public.' || t)::regclass),
	'row-level security is enabled on ' || t)
	FROM unnest(ARRAY['enrollments', 'lesson_progress', 'submissions']) AS t;
SELECT isnt((SELECT tableowner::text FROM pg_tables
	WHERE schemaname = 'public' AND tablename = t), 'lectern_app',
	'the app role does not own ' || t)
	FROM unnest(ARRAY['enrollments', 'lesson_progress', 'submissions']) AS t;
SELECT is((SELECT rolbypassrls FROM pg_roles WHERE rolname = 'lectern_app'),
	false, 'the app role has no BYPASSRLS');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'lectern_app'),
	false, '...and is not a superuser');

-- The people, courses and rows, as the superuser.
INSERT INTO users (email, name, password_hash, role) VALUES
	('rls-a@pgtap.test', 'RLS A', 'x', 'student'),
	('rls-b@pgtap.test', 'RLS B', 'x', 'student'),
	('rls-t@pgtap.test', 'RLS T', 'x', 'teacher'),
	('rls-t2@pgtap.test', 'RLS T2', 'x', 'teacher'),
	('rls-admin@pgtap.test', 'RLS Admin', 'x', 'admin');
SELECT
	(SELECT id FROM users WHERE email = 'rls-a@pgtap.test') AS a_id,
	(SELECT id FROM users WHERE email = 'rls-b@pgtap.test') AS b_id,
	(SELECT id FROM users WHERE email = 'rls-t@pgtap.test') AS t_id,
	(SELECT id FROM users WHERE email = 'rls-t2@pgtap.test') AS t2_id,
	(SELECT id FROM users WHERE email = 'rls-admin@pgtap.test') AS admin_id
\gset
INSERT INTO courses (instructor_id, title, published)
	VALUES (:t_id, 'RLS course C', true) RETURNING id AS c_id \gset
INSERT INTO courses (instructor_id, title, published)
	VALUES (:t2_id, 'RLS course D', true) RETURNING id AS d_id \gset
INSERT INTO courses (instructor_id, title, published)
	VALUES (:t_id, 'RLS course E', true) RETURNING id AS e_id \gset
INSERT INTO enrollments (user_id, course_id) VALUES
	(:a_id, :c_id), (:b_id, :c_id), (:a_id, :d_id);
INSERT INTO lessons (course_id, title, position)
	VALUES (:c_id, 'C1', 1) RETURNING id AS lc_id \gset
INSERT INTO lessons (course_id, title, position)
	VALUES (:d_id, 'D1', 1) RETURNING id AS ld_id \gset
INSERT INTO lesson_progress (user_id, lesson_id) VALUES
	(:a_id, :lc_id), (:b_id, :lc_id), (:a_id, :ld_id);
INSERT INTO classwork (course_id, title)
	VALUES (:c_id, 'C work') RETURNING id AS wc_id \gset
INSERT INTO classwork (course_id, title)
	VALUES (:d_id, 'D work') RETURNING id AS wd_id \gset
INSERT INTO submissions (classwork_id, user_id, content)
	VALUES (:wc_id, :a_id, 'A on C') RETURNING id AS sa_c_id \gset
INSERT INTO submissions (classwork_id, user_id, content)
	VALUES (:wc_id, :b_id, 'B on C') RETURNING id AS sb_c_id \gset
INSERT INTO submissions (classwork_id, user_id, content)
	VALUES (:wd_id, :a_id, 'A on D') RETURNING id AS sa_d_id \gset

-- What the superuser sees, for the admin's comparison below.
SELECT
	(SELECT count(*) FROM enrollments) AS all_enrollments,
	(SELECT count(*) FROM lesson_progress) AS all_progress,
	(SELECT count(*) FROM submissions) AS all_submissions
\gset

SET LOCAL ROLE lectern_app;

-- Nobody set (anonymous, as outside db_begin): nothing at all.
SELECT is((SELECT count(*) FROM enrollments), 0::bigint,
	'with no caller set, enrollments look empty');
SELECT is((SELECT count(*) FROM lesson_progress), 0::bigint,
	'...and lesson_progress');
SELECT is((SELECT count(*) FROM submissions), 0::bigint,
	'...and submissions');

-- db_begin(db, NULL, NULL): empty settings are anonymous too.
SELECT set_config('lectern.user_id', '', true),
	set_config('lectern.role', '', true) \g /dev/null
SELECT is((SELECT count(*) FROM enrollments), 0::bigint,
	'an anonymous caller (empty settings) sees no enrollments');
SELECT is((SELECT count(*) FROM lesson_progress) +
	(SELECT count(*) FROM submissions), 0::bigint,
	'...no progress and no submissions');

-- Student A: their own rows and nobody else's.
SELECT set_config('lectern.user_id', :'a_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is((SELECT count(*) FROM enrollments), 2::bigint,
	'student A sees two enrollments');
SELECT is(ARRAY(SELECT DISTINCT user_id FROM enrollments),
	ARRAY[:a_id]::bigint[], '...all of them A''s');
SELECT is(ARRAY(SELECT course_id FROM enrollments ORDER BY course_id),
	ARRAY[:c_id, :d_id]::bigint[], '...in C and D');
SELECT is((SELECT count(*) FROM lesson_progress), 2::bigint,
	'student A sees two progress rows');
SELECT is(ARRAY(SELECT DISTINCT user_id FROM lesson_progress),
	ARRAY[:a_id]::bigint[], '...all of them A''s');
SELECT is((SELECT count(*) FROM submissions), 2::bigint,
	'student A sees two submissions');
SELECT is(ARRAY(SELECT DISTINCT user_id FROM submissions),
	ARRAY[:a_id]::bigint[], '...all of them A''s');
SELECT is((SELECT count(*) FROM enrollments WHERE user_id = :b_id), 0::bigint,
	'student A cannot read B''s enrollment even by asking for it');

-- Student B: one of each.
SELECT set_config('lectern.user_id', :'b_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is(ARRAY(SELECT user_id || ':' || course_id FROM enrollments),
	ARRAY[:b_id || ':' || :c_id], 'student B sees only B''s enrollment in C');
SELECT is((SELECT count(*) FROM lesson_progress) +
	(SELECT count(*) FROM submissions), 2::bigint,
	'...one progress row and one submission');

-- Teacher T: the roster of C, not A's enrollment in T2's course D.
SELECT set_config('lectern.user_id', :'t_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
SELECT is(ARRAY(SELECT user_id FROM enrollments WHERE course_id = :c_id
	ORDER BY user_id), ARRAY[:a_id, :b_id]::bigint[],
	'teacher T sees the roster of C: A and B');
SELECT is((SELECT count(*) FROM enrollments WHERE course_id = :d_id), 0::bigint,
	'...but not A''s enrollment in D');
SELECT is((SELECT count(*) FROM enrollments), 2::bigint,
	'...and nothing but C''s roster');
SELECT is(ARRAY(SELECT user_id FROM lesson_progress ORDER BY user_id),
	ARRAY[:a_id, :b_id]::bigint[], 'teacher T sees the progress on C''s lesson');
SELECT is(ARRAY(SELECT id FROM submissions ORDER BY id),
	ARRAY[:sa_c_id, :sb_c_id]::bigint[],
	'teacher T sees the submissions to C''s classwork, not D''s');

-- Teacher T2: only A in D.
SELECT set_config('lectern.user_id', :'t2_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
SELECT is(ARRAY(SELECT user_id || ':' || course_id FROM enrollments),
	ARRAY[:a_id || ':' || :d_id], 'teacher T2 sees only A''s enrollment in D');

-- A teacher's role alone opens nothing: a student who claims to be a
-- teacher still sees only their own rows.
SELECT set_config('lectern.user_id', :'b_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
SELECT is((SELECT count(*) FROM enrollments), 1::bigint,
	'the teacher role without authorship adds no rows');

-- Admin: everything the superuser sees.
SELECT set_config('lectern.user_id', :'admin_id', true),
	set_config('lectern.role', 'admin', true) \g /dev/null
SELECT is((SELECT count(*) FROM enrollments), :all_enrollments::bigint,
	'an admin sees every enrollment');
SELECT is((SELECT count(*) FROM lesson_progress), :all_progress::bigint,
	'...every progress row');
SELECT is((SELECT count(*) FROM submissions), :all_submissions::bigint,
	'...and every submission');

-- What A may and may not write.
SELECT set_config('lectern.user_id', :'a_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT throws_ok(format('INSERT INTO enrollments (user_id, course_id)'
	' VALUES (%s, %s)', :b_id, :e_id), '42501', NULL,
	'student A cannot insert an enrollment for B (WITH CHECK)');
SELECT lives_ok(format('INSERT INTO enrollments (user_id, course_id)'
	' VALUES (%s, %s)', :a_id, :e_id),
	'...but can insert their own');
SELECT throws_ok(format('INSERT INTO lesson_progress (user_id, lesson_id)'
	' VALUES (%s, %s)', :b_id, :ld_id), '42501', NULL,
	'student A cannot record progress for B');
SELECT throws_ok(format('INSERT INTO submissions (classwork_id, user_id,'
	' content) VALUES (%s, %s, %L)', :wd_id, :b_id, 'forged'), '42501', NULL,
	'student A cannot submit for B');
SELECT throws_ok(format('UPDATE submissions SET grade = 100 WHERE id = %s',
	:sa_c_id), '42501', NULL,
	'student A cannot grade their own submission (trigger)');
SELECT throws_ok(format('UPDATE submissions SET feedback = %L WHERE id = %s',
	'great', :sa_c_id), '42501', NULL,
	'...nor give it feedback');
SELECT lives_ok(format('UPDATE submissions SET content = %L WHERE id = %s',
	'A on C, revised', :sa_c_id),
	'student A may revise the content of their own submission');
-- An UPDATE of rows the policies hide changes nothing (checked below).
SELECT lives_ok(format('UPDATE enrollments SET status = %L'
	' WHERE user_id = %s', 'revoked', :b_id),
	'student A''s update of B''s enrollment runs...');
SELECT lives_ok(format('UPDATE enrollments SET status = %L'
	' WHERE user_id = %s', 'revoked', :a_id),
	'...and so does A''s update of their own enrollments');
SELECT lives_ok(format('UPDATE submissions SET content = %L WHERE id = %s',
	'overwritten by A', :sb_c_id),
	'...and A''s update of B''s submission');

-- Teacher T grades in C but not in D.
SELECT set_config('lectern.user_id', :'t_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
SELECT lives_ok(format('UPDATE submissions SET grade = 90, graded_by = %s'
	' WHERE id = %s', :t_id, :sa_c_id),
	'teacher T may grade a submission to C''s classwork');
SELECT lives_ok(format('UPDATE submissions SET grade = 1 WHERE id = %s',
	:sa_d_id), '...and an update of one to D''s runs');

RESET ROLE;

-- The hidden rows were not touched.
SELECT is((SELECT status FROM enrollments
	WHERE user_id = :b_id AND course_id = :c_id), 'active',
	'B''s enrollment is still active (hidden from A)');
SELECT is((SELECT count(*) FROM enrollments
	WHERE user_id = :a_id AND status = 'revoked'), 0::bigint,
	'a student cannot change the status of their own enrollments');
SELECT is((SELECT content FROM submissions WHERE id = :sb_c_id), 'B on C',
	'B''s submission is unchanged');
SELECT is((SELECT grade FROM submissions WHERE id = :sa_c_id), 90,
	'T''s grade on C was stored');
SELECT is((SELECT grade FROM submissions WHERE id = :sa_d_id), NULL::integer,
	'T''s grade on D was not (the row is not T''s to see)');

SELECT * FROM finish();
ROLLBACK;

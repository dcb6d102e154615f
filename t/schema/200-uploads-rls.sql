-- lectern — pgTAP: row-level security on uploads (SPEC §6.1, §10).  The
-- owner and admins see an upload; a ready one is seen too by whoever
-- may see what it is attached to: a lesson's readers, a submission's
-- student and the course's author, a ticket reply's readers (an
-- internal note's: the assignee), a message's thread participants.
-- A pending file, or a ready one attached to nothing, is its owner's.
--
-- As the superuser: teacher T with course C (lesson L, classwork W),
-- student S enrolled in C, student A (not enrolled) with a ticket
-- assigned to T and a thread with T, outsider X, an admin; one upload
-- of each kind.  Then as the application role, caller by caller.
BEGIN;
SELECT plan(22);

SELECT ok((SELECT relrowsecurity FROM pg_class
	WHERE oid = 'public.uploads'::regclass),
	'row-level security is enabled on uploads');
SELECT isnt((SELECT tableowner FROM pg_tables WHERE schemaname = 'public'
	AND tablename = 'uploads'), 'lectern_app',
	'the app role does not own it');

INSERT INTO users (email, name, password_hash, role) VALUES
	('up-t@pgtap.test', 'Up T', 'x', 'teacher'),
	('up-s@pgtap.test', 'Up S', 'x', 'student'),
	('up-a@pgtap.test', 'Up A', 'x', 'student'),
	('up-x@pgtap.test', 'Up X', 'x', 'student'),
	('up-admin@pgtap.test', 'Up Admin', 'x', 'admin');
SELECT
	(SELECT id FROM users WHERE email = 'up-t@pgtap.test') AS t_id,
	(SELECT id FROM users WHERE email = 'up-s@pgtap.test') AS s_id,
	(SELECT id FROM users WHERE email = 'up-a@pgtap.test') AS a_id,
	(SELECT id FROM users WHERE email = 'up-x@pgtap.test') AS x_id,
	(SELECT id FROM users WHERE email = 'up-admin@pgtap.test') AS admin_id
\gset
INSERT INTO courses (instructor_id, title, published)
	VALUES (:t_id, 'Uploads RLS', true) RETURNING id AS c_id \gset
INSERT INTO enrollments (user_id, course_id) VALUES (:s_id, :c_id);
INSERT INTO lessons (course_id, title, position)
	VALUES (:c_id, 'L', 1) RETURNING id AS l_id \gset
INSERT INTO classwork (course_id, title)
	VALUES (:c_id, 'W') RETURNING id AS w_id \gset
INSERT INTO tickets (requester_id, subject, body, assigned_to)
	VALUES (:a_id, 'A ticket', 'help', :t_id) RETURNING id AS tk_id \gset
INSERT INTO message_threads (subject, student_id, staff_id, created_by)
	VALUES ('T and A', :a_id, :t_id, :t_id) RETURNING id AS th_id \gset

-- One upload: its id.
CREATE FUNCTION pg_temp.up(owner bigint, purpose text, target bigint,
    ready boolean) RETURNS bigint LANGUAGE sql AS $$
	INSERT INTO uploads (user_id, filename, content_type, size, purpose,
	    target_id, status, backend, storage_key, ready_at)
	VALUES (owner, 'f.pdf', 'application/pdf', 10, purpose, target,
	    CASE WHEN ready THEN 'ready' ELSE 'pending' END, 'local',
	    md5(random()::text || clock_timestamp()::text),
	    CASE WHEN ready THEN now() END)
	RETURNING id
$$;
SELECT
	pg_temp.up(:t_id, 'lesson', :l_id, false) AS u_pending,
	pg_temp.up(:t_id, 'lesson', :l_id, true) AS u_lesson,
	pg_temp.up(:t_id, 'lesson', :l_id, true) AS u_loose,
	pg_temp.up(:s_id, 'submission', :w_id, true) AS u_sub,
	pg_temp.up(:a_id, 'ticket', :tk_id, true) AS u_ticket,
	pg_temp.up(:t_id, 'ticket', :tk_id, true) AS u_note,
	pg_temp.up(:a_id, 'message', :th_id, true) AS u_msg,
	pg_temp.up(:x_id, 'avatar', NULL, true) AS u_avatar
\gset
UPDATE lessons SET attachments = ARRAY[:u_lesson]::bigint[] WHERE id = :l_id;
INSERT INTO submissions (classwork_id, user_id, content, attachment_ids)
	VALUES (:w_id, :s_id, 'essay', ARRAY[:u_sub]::bigint[]);
INSERT INTO ticket_replies (ticket_id, author_id, body, internal,
    attachment_ids) VALUES
	(:tk_id, :a_id, 'screenshot', false, ARRAY[:u_ticket]::bigint[]),
	(:tk_id, :t_id, 'log', true, ARRAY[:u_note]::bigint[]);
INSERT INTO messages (thread_id, sender_id, body, attachment_ids)
	VALUES (:th_id, :a_id, 'draft', ARRAY[:u_msg]::bigint[]);

-- The ids of ours a caller sees, by name, in a fixed order.
CREATE TEMP TABLE ours (name text, id bigint);
INSERT INTO ours VALUES ('pending', :u_pending), ('lesson', :u_lesson),
	('loose', :u_loose), ('sub', :u_sub), ('ticket', :u_ticket),
	('note', :u_note), ('msg', :u_msg), ('avatar', :u_avatar);
GRANT SELECT ON ours TO lectern_app;
CREATE FUNCTION pg_temp.seen() RETURNS text[] LANGUAGE sql AS $$
	SELECT coalesce(array_agg(o.name ORDER BY o.id), '{}')
	FROM ours o JOIN uploads u ON u.id = o.id
$$;

SET LOCAL ROLE lectern_app;

SELECT is(pg_temp.seen(), '{}'::text[], 'with no caller set, nothing');

SELECT set_config('lectern.user_id', :'x_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is(pg_temp.seen(), '{avatar}'::text[],
	'an outsider sees only their own avatar');

SELECT set_config('lectern.user_id', :'s_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is(pg_temp.seen(), '{lesson,sub}'::text[],
	'the enrolled student: the lesson''s attached file and their own'
	' submission''s, not the pending or unattached ones');

SELECT set_config('lectern.user_id', :'a_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is(pg_temp.seen(), '{ticket,msg}'::text[],
	'the requester: their own files, not the internal note''s');

SELECT set_config('lectern.user_id', :'t_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
SELECT is(pg_temp.seen(), '{pending,lesson,loose,sub,ticket,note,msg}'::text[],
	'the teacher: their own, the submission (their course), the ticket''s'
	' (assignee) and the thread''s');

SELECT set_config('lectern.user_id', :'admin_id', true),
	set_config('lectern.role', 'admin', true) \g /dev/null
SELECT is(pg_temp.seen(),
	'{pending,lesson,loose,sub,ticket,note,msg,avatar}'::text[],
	'an admin sees every one');

-- Writes, as student A.
SELECT set_config('lectern.user_id', :'a_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT throws_ok(format('INSERT INTO uploads (user_id, filename, content_type,'
	' size, purpose, backend, storage_key) VALUES (%s, ''x.pdf'','
	' ''application/pdf'', 1, ''avatar'', ''local'', %L)', :t_id,
	md5('forged')), '42501', NULL,
	'A cannot make an upload in someone else''s name');
SELECT lives_ok(format('INSERT INTO uploads (user_id, filename, content_type,'
	' size, purpose, backend, storage_key) VALUES (%s, ''x.pdf'','
	' ''application/pdf'', 1, ''avatar'', ''local'', %L)', :a_id,
	md5('own')), '...but can in their own');
WITH u AS (UPDATE uploads SET filename = 'mine.pdf'
	WHERE id IN (:u_note, :u_lesson, :u_sub) RETURNING 1)
SELECT is((SELECT count(*) FROM u), 0::bigint,
	'A changes none of the files of others');
WITH u AS (UPDATE uploads SET filename = 'mine.pdf'
	WHERE id = :u_msg RETURNING 1)
SELECT is((SELECT count(*) FROM u), 1::bigint, '...and may rename their own');
WITH d AS (DELETE FROM uploads WHERE id = :u_msg RETURNING 1)
SELECT is((SELECT count(*) FROM d), 0::bigint,
	'not even the owner deletes a row: files go through status deleted');

SELECT set_config('lectern.user_id', :'s_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
WITH u AS (UPDATE uploads SET filename = 'mine.pdf'
	WHERE id = :u_lesson RETURNING 1)
SELECT is((SELECT count(*) FROM u), 0::bigint,
	'reading a lesson''s file is not changing it');
SELECT set_config('lectern.user_id', :'admin_id', true),
	set_config('lectern.role', 'admin', true) \g /dev/null
WITH d AS (DELETE FROM uploads WHERE id = :u_avatar RETURNING 1)
SELECT is((SELECT count(*) FROM d), 0::bigint, 'an admin deletes no row either');

-- Detaching and deleting take a file out of reach.
RESET ROLE;
UPDATE lessons SET attachments = '{}' WHERE id = :l_id;
UPDATE uploads SET status = 'deleted' WHERE id = :u_msg;
SET LOCAL ROLE lectern_app;
SELECT set_config('lectern.user_id', :'s_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is(pg_temp.seen(), '{sub}'::text[],
	'a file taken off the lesson leaves the student''s sight');
SELECT set_config('lectern.user_id', :'t_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
SELECT ok(NOT (SELECT 'msg' = ANY (pg_temp.seen())),
	'a deleted message file leaves the other participant''s');
SELECT ok(lectern_upload_visible(:u_sub),
	'lectern_upload_visible agrees for the author');
SELECT set_config('lectern.user_id', :'x_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT ok(NOT lectern_upload_visible(:u_sub),
	'...and for an outsider');
SELECT ok(NOT lectern_upload_reply_visible(:u_note),
	'...who cannot reach the internal note''s file either');

-- A deleted lesson takes its files with it.
RESET ROLE;
DELETE FROM lessons WHERE id = :l_id;
SELECT is((SELECT array_agg(status ORDER BY id) FROM uploads
	WHERE id IN (:u_pending, :u_lesson, :u_loose)),
	'{deleted,deleted,deleted}'::text[],
	'deleting the lesson marks its files deleted');
SELECT is((SELECT status FROM uploads WHERE id = :u_sub), 'ready',
	'...and no one else''s');

SELECT * FROM finish();
ROLLBACK;

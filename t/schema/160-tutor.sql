-- lectern — pgTAP: the tutor's tables (schema/009_tutor.sql).  Row-level
-- security keeps conversations, messages and quota rows to their user
-- (an admin reads, never writes), the application role has only the
-- privileges it needs, and the quota's conditional upsert stops at the
-- limit.
BEGIN;
SELECT plan(22);

SELECT ok((SELECT relrowsecurity FROM pg_class
	WHERE oid = ('public.' || t)::regclass),
	'row-level security is enabled on ' || t)
	FROM unnest(ARRAY['tutor_conversations', 'tutor_messages',
	    'tutor_quota']) AS t;
SELECT ok(NOT has_table_privilege('lectern_app', 'tutor_messages', 'UPDATE')
	AND NOT has_table_privilege('lectern_app', 'tutor_messages', 'DELETE'),
	'messages are never changed by the app, only added (and cascaded)');
SELECT ok(NOT has_table_privilege('lectern_app', 'tutor_quota', 'DELETE'),
	'...and no quota row is deleted');

INSERT INTO users (email, name, password_hash, role) VALUES
	('tut-a@pgtap.test', 'Tutor A', 'x', 'student'),
	('tut-b@pgtap.test', 'Tutor B', 'x', 'student'),
	('tut-admin@pgtap.test', 'Tutor Admin', 'x', 'admin');
SELECT
	(SELECT id FROM users WHERE email = 'tut-a@pgtap.test') AS a_id,
	(SELECT id FROM users WHERE email = 'tut-b@pgtap.test') AS b_id,
	(SELECT id FROM users WHERE email = 'tut-admin@pgtap.test') AS admin_id
\gset
INSERT INTO tutor_conversations (user_id, title) VALUES (:a_id, 'A talks')
	RETURNING id AS ca_id \gset
INSERT INTO tutor_conversations (user_id, title) VALUES (:b_id, 'B talks')
	RETURNING id AS cb_id \gset
INSERT INTO tutor_messages (conversation_id, user_id, role, content) VALUES
	(:ca_id, :a_id, 'user', 'A asks'), (:cb_id, :b_id, 'user', 'B asks');
INSERT INTO tutor_quota (user_id, day, used) VALUES
	(:a_id, (now() AT TIME ZONE 'UTC')::date, 49);
SELECT count(*) AS all_conversations FROM tutor_conversations \gset

SET LOCAL ROLE lectern_app;

SELECT is((SELECT count(*) FROM tutor_conversations) +
	(SELECT count(*) FROM tutor_messages) +
	(SELECT count(*) FROM tutor_quota), 0::bigint,
	'with no caller set, the tutor tables look empty');

SELECT set_config('lectern.user_id', :'a_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is(ARRAY(SELECT id FROM tutor_conversations), ARRAY[:ca_id]::bigint[],
	'student A sees only their conversation');
SELECT is(ARRAY(SELECT content FROM tutor_messages), ARRAY['A asks'],
	'...and only their messages');
SELECT throws_ok(format('INSERT INTO tutor_messages (conversation_id,'
	' user_id, role, content) VALUES (%s, %s, ''user'', ''x'')',
	:cb_id, :a_id), '42501', NULL,
	'...cannot write into B''s conversation');
SELECT throws_ok(format('INSERT INTO tutor_conversations (user_id, title)'
	' VALUES (%s, ''forged'')', :b_id), '42501', NULL,
	'...nor start one in B''s name');
WITH d AS (DELETE FROM tutor_conversations WHERE id = :cb_id
	RETURNING 1)
SELECT is(count(*), 0::bigint, '...nor delete B''s') FROM d;
WITH u AS (UPDATE tutor_conversations SET title = 'mine'
	WHERE id = :cb_id
	RETURNING 1)
SELECT is(count(*), 0::bigint, '...nor rename it') FROM u;
WITH n AS (INSERT INTO tutor_quota AS q (user_id, day, used)
	VALUES (:a_id, (now() AT TIME ZONE 'UTC')::date, 1)
	ON CONFLICT (user_id, day) DO UPDATE SET used = q.used + 1
	WHERE q.used < 50 RETURNING q.used)
SELECT is(max(used), 50, 'the quota upsert counts the 50th message') FROM n;
WITH n AS (INSERT INTO tutor_quota AS q (user_id, day, used)
	VALUES (:a_id, (now() AT TIME ZONE 'UTC')::date, 1)
	ON CONFLICT (user_id, day) DO UPDATE SET used = q.used + 1
	WHERE q.used < 50 RETURNING q.used)
SELECT is(count(*), 0::bigint, '...and refuses the 51st') FROM n;
SELECT throws_ok(format('INSERT INTO tutor_quota (user_id, day, used)'
	' VALUES (%s, now()::date, 0)', :b_id), '42501', NULL,
	'A cannot make a quota row for B');

SELECT set_config('lectern.user_id', :'b_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is(ARRAY(SELECT id FROM tutor_conversations), ARRAY[:cb_id]::bigint[],
	'student B sees only theirs');
SELECT is((SELECT count(*) FROM tutor_quota), 0::bigint,
	'...and not A''s quota');
WITH d AS (DELETE FROM tutor_conversations WHERE id = :cb_id
	RETURNING 1)
SELECT is(count(*), 1::bigint, 'B deletes their own conversation') FROM d;
SELECT is((SELECT count(*) FROM tutor_messages), 0::bigint,
	'...and its messages go with it');

SELECT set_config('lectern.user_id', :'admin_id', true),
	set_config('lectern.role', 'admin', true) \g /dev/null
SELECT is((SELECT count(*) FROM tutor_conversations),
	:all_conversations::bigint - 1, 'an admin reads every conversation');
WITH u AS (UPDATE tutor_conversations SET title = 'admin'
	WHERE id = :ca_id
	RETURNING 1)
SELECT is(count(*), 0::bigint, '...but changes none') FROM u;
WITH d AS (DELETE FROM tutor_conversations WHERE id = :ca_id
	RETURNING 1)
SELECT is(count(*), 0::bigint, '...and deletes none') FROM d;

SELECT * FROM finish();
ROLLBACK;

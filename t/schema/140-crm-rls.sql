-- lectern — pgTAP: row-level security on the CRM tables (SPEC §10):
-- admin_requests, leads, message_threads, messages, message_thread_state,
-- tickets and ticket_replies.
--
-- As the superuser: students A and B, teachers T and T2, an admin; a
-- thread between T and A, a staff-inbox thread of B, their messages and
-- read state; a ticket of A assigned to T with a public reply and an
-- internal note, a ticket of B; admin requests of A and B; a lead.  Then
-- as the application role with the caller set as db_begin sets it, each
-- caller must see exactly their share.  Other tests may have left rows,
-- so "everything" is compared with what the superuser counts.
BEGIN;
SELECT plan(48);

SELECT ok((SELECT relrowsecurity FROM pg_class
	WHERE oid = ('public.' || t)::regclass),
	'row-level security is enabled on ' || t)
	FROM unnest(ARRAY['admin_requests', 'leads', 'message_threads',
	    'messages', 'message_thread_state', 'tickets',
	    'ticket_replies']) AS t;
SELECT is((SELECT count(*) FROM pg_tables WHERE schemaname = 'public'
	AND tablename IN ('admin_requests', 'leads', 'message_threads',
	    'messages', 'message_thread_state', 'tickets', 'ticket_replies')
	AND tableowner = 'lectern_app'), 0::bigint,
	'the app role owns none of them');

INSERT INTO users (email, name, password_hash, role) VALUES
	('crm-a@pgtap.test', 'CRM A', 'x', 'student'),
	('crm-b@pgtap.test', 'CRM B', 'x', 'student'),
	('crm-t@pgtap.test', 'CRM T', 'x', 'teacher'),
	('crm-t2@pgtap.test', 'CRM T2', 'x', 'teacher'),
	('crm-admin@pgtap.test', 'CRM Admin', 'x', 'admin');
SELECT
	(SELECT id FROM users WHERE email = 'crm-a@pgtap.test') AS a_id,
	(SELECT id FROM users WHERE email = 'crm-b@pgtap.test') AS b_id,
	(SELECT id FROM users WHERE email = 'crm-t@pgtap.test') AS t_id,
	(SELECT id FROM users WHERE email = 'crm-t2@pgtap.test') AS t2_id,
	(SELECT id FROM users WHERE email = 'crm-admin@pgtap.test') AS admin_id
\gset
INSERT INTO message_threads (subject, student_id, staff_id, created_by)
	VALUES ('T and A', :a_id, :t_id, :t_id) RETURNING id AS th_a \gset
INSERT INTO message_threads (subject, student_id, staff_id, created_by)
	VALUES ('B to the inbox', :b_id, NULL, :b_id) RETURNING id AS th_b \gset
INSERT INTO messages (thread_id, sender_id, body) VALUES
	(:th_a, :t_id, 'hello A'), (:th_a, :a_id, 'hello T'),
	(:th_b, :b_id, 'hello staff');
INSERT INTO message_thread_state (thread_id, user_id, important) VALUES
	(:th_a, :a_id, true), (:th_a, :t_id, false), (:th_b, :b_id, false);
INSERT INTO tickets (requester_id, subject, body, assigned_to)
	VALUES (:a_id, 'A ticket', 'help', :t_id) RETURNING id AS tk_a \gset
INSERT INTO tickets (requester_id, subject, body)
	VALUES (:b_id, 'B ticket', 'help') RETURNING id AS tk_b \gset
INSERT INTO ticket_replies (ticket_id, author_id, body, internal) VALUES
	(:tk_a, :t_id, 'public answer', false),
	(:tk_a, :t_id, 'internal note', true);
INSERT INTO admin_requests (user_id, reason) VALUES
	(:a_id, 'A wants'), (:b_id, 'B wants');
INSERT INTO leads (name, email, consent) VALUES ('CRM lead', 'crm-lead@pgtap.test', true);

SELECT
	(SELECT count(*) FROM message_threads) AS all_threads,
	(SELECT count(*) FROM leads) AS all_leads,
	(SELECT count(*) FROM tickets) AS all_tickets,
	(SELECT count(*) FROM admin_requests) AS all_requests
\gset

SET LOCAL ROLE lectern_app;

-- Nobody set: nothing.
SELECT is((SELECT count(*) FROM admin_requests) + (SELECT count(*) FROM leads)
	+ (SELECT count(*) FROM message_threads) + (SELECT count(*) FROM messages)
	+ (SELECT count(*) FROM message_thread_state)
	+ (SELECT count(*) FROM tickets) + (SELECT count(*) FROM ticket_replies),
	0::bigint, 'with no caller set, every CRM table looks empty');

-- Student A.
SELECT set_config('lectern.user_id', :'a_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is(ARRAY(SELECT id FROM message_threads), ARRAY[:th_a]::bigint[],
	'student A sees only the thread with T');
SELECT is((SELECT count(*) FROM messages), 2::bigint,
	'...and only its two messages');
SELECT is((SELECT count(*) FROM messages WHERE thread_id = :th_b), 0::bigint,
	'...none of B''s, even by asking');
SELECT is(ARRAY(SELECT user_id FROM message_thread_state),
	ARRAY[:a_id]::bigint[], '...only A''s own read state');
SELECT throws_ok(format('INSERT INTO messages (thread_id, sender_id, body)'
	' VALUES (%s, %s, %L)', :th_b, :a_id, 'intrude'), '42501', NULL,
	'A cannot write into B''s thread');
SELECT throws_ok(format('INSERT INTO messages (thread_id, sender_id, body)'
	' VALUES (%s, %s, %L)', :th_a, :t_id, 'forged'), '42501', NULL,
	'...nor in T''s name');
SELECT throws_ok(format('INSERT INTO message_threads (subject, student_id,'
	' created_by) VALUES (%L, %s, %s)', 'as B', :b_id, :a_id), '42501',
	NULL, '...nor open a thread for B');
SELECT is(ARRAY(SELECT id FROM tickets), ARRAY[:tk_a]::bigint[],
	'A sees only A''s ticket');
SELECT is(ARRAY(SELECT body FROM ticket_replies), ARRAY['public answer'],
	'...and its public reply, not the internal note');
SELECT is((SELECT count(*) FROM ticket_replies WHERE internal), 0::bigint,
	'...not even by asking for internal ones');
SELECT throws_ok(format('INSERT INTO ticket_replies (ticket_id, author_id,'
	' body, internal) VALUES (%s, %s, %L, true)', :tk_a, :a_id, 'note'),
	'42501', NULL, 'A cannot write an internal note');
SELECT throws_ok(format('INSERT INTO ticket_replies (ticket_id, author_id,'
	' body) VALUES (%s, %s, %L)', :tk_b, :a_id, 'hi'),
	'42501', NULL, '...nor reply to B''s ticket');
SELECT is(ARRAY(SELECT user_id FROM admin_requests), ARRAY[:a_id]::bigint[],
	'A sees only A''s admin request');
UPDATE admin_requests SET status = 'approved', decided_at = now(),
	email_verified = true, verified_at = now() WHERE user_id = :a_id;
SELECT is((SELECT count(*) FROM leads), 0::bigint, 'A sees no leads');
SELECT throws_ok(format('INSERT INTO leads (name, email, consent)'
	' VALUES (%L, %L, true)', 'x', 'x@pgtap.test'), '42501', NULL,
	'...and cannot add one');
SELECT throws_ok(format('INSERT INTO tickets (requester_id, subject, body)'
	' VALUES (%s, %L, %L)', :b_id, 's', 'b'), '42501', NULL,
	'A cannot open a ticket in B''s name');

-- Student B.
SELECT set_config('lectern.user_id', :'b_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT is(ARRAY(SELECT id FROM message_threads), ARRAY[:th_b]::bigint[],
	'student B sees only B''s inbox thread');
SELECT is(ARRAY(SELECT body FROM messages), ARRAY['hello staff'],
	'...and its message');
SELECT is(ARRAY(SELECT id FROM tickets), ARRAY[:tk_b]::bigint[],
	'...and B''s ticket');
SELECT is((SELECT count(*) FROM ticket_replies), 0::bigint,
	'...no replies of A''s ticket');

-- Teacher T: the thread with A, the assigned ticket with the note.
SELECT set_config('lectern.user_id', :'t_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
SELECT is(ARRAY(SELECT id FROM message_threads), ARRAY[:th_a]::bigint[],
	'teacher T sees the thread with A, not the inbox');
SELECT is((SELECT count(*) FROM messages WHERE thread_id = :th_b), 0::bigint,
	'...nor the inbox''s messages');
SELECT is(ARRAY(SELECT id FROM tickets), ARRAY[:tk_a]::bigint[],
	'...the ticket assigned to T');
SELECT is((SELECT count(*) FROM ticket_replies WHERE internal), 1::bigint,
	'...with its internal note');
SELECT is((SELECT count(*) FROM leads) + (SELECT count(*) FROM admin_requests),
	0::bigint, '...no leads and no admin requests');

-- Teacher T2: nothing.
SELECT set_config('lectern.user_id', :'t2_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
SELECT is((SELECT count(*) FROM message_threads) + (SELECT count(*) FROM messages)
	+ (SELECT count(*) FROM tickets) + (SELECT count(*) FROM ticket_replies),
	0::bigint, 'teacher T2 sees no thread, message, ticket or reply');
SELECT throws_ok(format('INSERT INTO message_threads (subject, student_id,'
	' staff_id, created_by) VALUES (%L, %s, %s, %s)', 'x', :a_id, :t_id,
	:t2_id), '42501', NULL, '...and cannot open a thread in T''s name');

-- The admin sees everything.
SELECT set_config('lectern.user_id', :'admin_id', true),
	set_config('lectern.role', 'admin', true) \g /dev/null
SELECT is((SELECT count(*) FROM message_threads), :all_threads::bigint,
	'the admin sees every thread');
SELECT is((SELECT count(*) FROM leads), :all_leads::bigint,
	'...every lead');
SELECT is((SELECT count(*) FROM tickets), :all_tickets::bigint,
	'...every ticket');
SELECT is((SELECT count(*) FROM admin_requests), :all_requests::bigint,
	'...every admin request');
SELECT is((SELECT count(*) FROM ticket_replies WHERE ticket_id = :tk_a),
	2::bigint, '...both replies of A''s ticket');
SELECT is((SELECT count(*) FROM message_thread_state WHERE user_id <> :admin_id),
	0::bigint, '...but read state stays each reader''s own');
SELECT lives_ok(format('INSERT INTO messages (thread_id, sender_id, body)'
	' VALUES (%s, %s, %L)', :th_b, :admin_id, 'from the office'),
	'the admin answers in the inbox thread');

-- The system (the public form) may add leads.
SELECT set_config('lectern.user_id', '', true),
	set_config('lectern.role', 'system', true) \g /dev/null
SELECT lives_ok('INSERT INTO leads (name, phone, consent)'
	' VALUES (''From the form'', ''12345'', true)',
	'the system adds a lead');

RESET ROLE;

SELECT is((SELECT status FROM admin_requests WHERE user_id = :a_id), 'pending',
	'A could not approve A''s own request');
SELECT is((SELECT count(*) FROM messages WHERE body IN ('intrude', 'forged')),
	0::bigint, 'nothing A tried to write is there');
UPDATE tickets SET status = 'closed', closed_at = now() WHERE id = :tk_b;
SELECT throws_ok(format('UPDATE tickets SET status = ''open'','
	' closed_at = NULL WHERE id = %s', :tk_b), '23514', NULL,
	'a closed ticket cannot be reopened, whoever asks');
SELECT throws_ok('INSERT INTO admin_requests (user_id, reason) VALUES ('
	|| :b_id || ', ''twice'')', '23505', NULL,
	'one pending admin request per user');
SELECT * FROM finish();
ROLLBACK;

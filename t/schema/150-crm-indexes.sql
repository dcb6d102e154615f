-- lectern — pgTAP: the CRM's lists and searches read an index, not the
-- whole table (issue 14).
--
-- A few thousand leads, threads, messages and tickets, ANALYZE, then
-- EXPLAIN each list query's shape as the endpoints send it (filters as
-- constants) and require the index meant for it and no Seq Scan on the
-- big table: the form's dedupe by contact, the admin's lead filters and
-- full text, a user's threads, the unread count, important and archived
-- flags, the thread's messages, the admin's message search, and the
-- ticket lists.  Everything is rolled back at the end.
BEGIN;
SELECT plan(30);

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

-- 2000 students, 20 teachers; 5000 leads; 3000 threads with 4 messages
-- each; 4000 tickets.
INSERT INTO users (email, name, password_hash, role)
	SELECT 'crmidx-' || i || '@pgtap.test', 'Crmidx ' || md5(i::text), 'x',
	    CASE WHEN i <= 20 THEN 'teacher' ELSE 'student' END
	FROM generate_series(1, 2020) AS i;
CREATE TEMP TABLE s AS SELECT id, row_number() OVER (ORDER BY id) AS n
	FROM users WHERE email LIKE 'crmidx-%' AND role = 'student';
CREATE TEMP TABLE t AS SELECT id, row_number() OVER (ORDER BY id) AS n
	FROM users WHERE email LIKE 'crmidx-%' AND role = 'teacher';
INSERT INTO leads (name, email, phone, message, source, status,
    assigned_to, consent, created_at, last_submitted_at)
	SELECT 'Lead ' || md5(i::text), 'lead' || i || '@crmidx.test',
	    '+91 ' || (9000000000 + i), 'Enquiry ' || md5(i::text)
	    || ' about course ' || (i % 97),
	    (ARRAY['website', 'fair', 'referral'])[i % 3 + 1],
	    (ARRAY['new', 'contacted', 'qualified', 'converted', 'lost'])[i % 5 + 1],
	    (SELECT id FROM t WHERE t.n = i % 20 + 1), true,
	    now() - i * interval '10 minutes', now() - i * interval '10 minutes'
	FROM generate_series(1, 5000) AS i;
INSERT INTO message_threads (subject, student_id, staff_id, created_by,
    last_message_at)
	SELECT 'Thread ' || md5(i::text), s.id,
	    CASE WHEN i % 4 = 0 THEN NULL ELSE t.id END, s.id,
	    now() - i * interval '1 minute'
	FROM generate_series(1, 3000) AS i
	JOIN s ON s.n = i % 2000 + 1 JOIN t ON t.n = i % 20 + 1;
INSERT INTO messages (thread_id, sender_id, body)
	SELECT th.id, th.student_id, 'Message ' || k || ' ' || md5(th.id::text || k)
	    || ' words about lessons'
	FROM message_threads th CROSS JOIN generate_series(1, 4) AS k
	WHERE th.subject LIKE 'Thread %';
INSERT INTO message_thread_state (thread_id, user_id, last_read_id,
    important, archived)
	SELECT th.id, th.student_id, 0, th.id % 7 = 0, th.id % 11 = 0
	FROM message_threads th WHERE th.subject LIKE 'Thread %';
INSERT INTO tickets (requester_id, subject, body, priority, status,
    assigned_to, closed_at, created_at)
	SELECT s.id, 'Ticket ' || md5(i::text), 'Body ' || md5((i * 7)::text),
	    (ARRAY['low', 'normal', 'high', 'urgent'])[i % 4 + 1],
	    (ARRAY['open', 'pending', 'resolved', 'closed'])[i % 4 + 1],
	    t.id, CASE WHEN i % 4 = 3 THEN now() END,
	    now() - i * interval '5 minutes'
	FROM generate_series(1, 4000) AS i
	JOIN s ON s.n = i % 2000 + 1 JOIN t ON t.n = i % 20 + 1;
-- A handful of words in a few rows, for searches that find little.
UPDATE leads SET message = message || ' kingfisher'
	WHERE id IN (SELECT id FROM leads ORDER BY id DESC LIMIT 3);
UPDATE messages SET body = body || ' kingfisher'
	WHERE id IN (SELECT id FROM messages ORDER BY id DESC LIMIT 3);

SELECT gin_clean_pending_list(i::regclass) FROM unnest(ARRAY[
	'leads_search_idx', 'message_threads_search_idx',
	'messages_search_idx', 'tickets_search_idx']) AS i \g /dev/null
ANALYZE users;
ANALYZE leads;
ANALYZE message_threads;
ANALYZE messages;
ANALYZE message_thread_state;
ANALYZE tickets;

SELECT
	(SELECT id FROM s WHERE n = 17) AS student_id,
	(SELECT id FROM t WHERE n = 3) AS teacher_id,
	(SELECT max(id) FROM message_threads WHERE subject LIKE 'Thread %')
	    AS thread_id
\gset

SELECT ok((SELECT count(*) FROM leads) >= 5000
	AND (SELECT count(*) FROM messages) >= 12000
	AND (SELECT count(*) FROM tickets) >= 4000,
	'the tables hold thousands of rows');

-- POST /api/leads: the open lead of a contact within 24 hours.
SELECT matches(lectern_test_plan(
	'SELECT id FROM leads WHERE status NOT IN (''converted'', ''lost'')'
	' AND last_submitted_at > now() - interval ''24 hours'''
	' AND (email = ''lead42@crmidx.test'' OR phone = ''+91 9000000042'')'
	' ORDER BY last_submitted_at DESC, id DESC LIMIT 1'),
	'leads_email_open_idx', 'the form''s dedupe reads leads_email_open_idx');
SELECT matches(lectern_test_plan(
	'SELECT id FROM leads WHERE status NOT IN (''converted'', ''lost'')'
	' AND last_submitted_at > now() - interval ''24 hours'''
	' AND (email = ''lead42@crmidx.test'' OR phone = ''+91 9000000042'')'
	' ORDER BY last_submitted_at DESC, id DESC LIMIT 1'),
	'leads_phone_open_idx', '...and leads_phone_open_idx');

-- GET /api/admin/leads: newest first, filters, full text.
SELECT matches(lectern_test_plan(
	'SELECT id FROM leads ORDER BY created_at DESC, id DESC LIMIT 20'),
	'leads_created_idx', 'the lead list reads leads_created_idx');
-- A fifth of the leads have each status: walking leads_created_idx may
-- then be as cheap as leads_status_idx, but never the table.
SELECT doesnt_match(lectern_test_plan(
	'SELECT id FROM leads WHERE status = ''qualified'''
	' ORDER BY created_at DESC, id DESC LIMIT 20'),
	'Seq Scan', '...?status= has no Seq Scan');
SELECT matches(lectern_test_plan(
	'SELECT count(*) FROM leads WHERE status = ''qualified'''),
	'leads_status_idx', '...and its total reads leads_status_idx');
-- The dashboard's new leads and open tickets (GET /api/admin/stats).
SELECT doesnt_match(lectern_test_plan(
	'SELECT count(*) FROM leads WHERE status = ''new'''),
	'Seq Scan', 'the dashboard''s new leads have no Seq Scan');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT id FROM leads WHERE assigned_to = %s'
	' ORDER BY created_at DESC, id DESC LIMIT 20', :teacher_id)),
	'Seq Scan', '...?assigned_to= has no Seq Scan');
SELECT matches(lectern_test_plan(
	'SELECT id FROM leads WHERE search @@'
	' websearch_to_tsquery(''simple'', ''kingfisher'')'
	' ORDER BY created_at DESC, id DESC LIMIT 20'),
	'Bitmap Index Scan on leads_search_idx',
	'...?q= reads the GIN index leads_search_idx');
SELECT doesnt_match(lectern_test_plan(
	'SELECT count(*) FROM leads WHERE search @@'
	' websearch_to_tsquery(''simple'', ''kingfisher'')'), 'Seq Scan',
	'...and so does its total');

-- GET /api/messages: a user's threads, by student and by staff.
SELECT matches(lectern_test_plan(format(
	'SELECT id FROM message_threads WHERE student_id = %s'
	' ORDER BY last_message_at DESC, id DESC LIMIT 20', :student_id)),
	'message_threads_student_idx',
	'a student''s threads read message_threads_student_idx');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT id FROM message_threads WHERE student_id = %s OR staff_id = %s'
	' ORDER BY last_message_at DESC, id DESC LIMIT 20', :teacher_id,
	:teacher_id)), 'Seq Scan',
	'...a member of staff''s have no Seq Scan');
SELECT matches(lectern_test_plan(
	'SELECT id FROM message_threads WHERE staff_id IS NULL'
	' ORDER BY last_message_at DESC, id DESC LIMIT 20'),
	'message_threads_inbox_idx', '...the staff inbox reads its index');
-- The unread count of a thread for a reader, and its messages.
SELECT matches(lectern_test_plan(format(
	'SELECT count(*) FROM messages m WHERE m.thread_id = %s'
	' AND m.id > 5 AND m.sender_id IS DISTINCT FROM %s', :thread_id,
	:student_id)), 'messages_thread_idx',
	'the unread count reads messages_thread_idx');
SELECT matches(lectern_test_plan(format(
	'SELECT id, body FROM messages WHERE thread_id = %s ORDER BY id',
	:thread_id)), 'messages_thread_idx',
	'...and so do a thread''s messages');
-- Reader state: own row, important, archived.
SELECT matches(lectern_test_plan(format(
	'SELECT thread_id FROM message_thread_state WHERE user_id = %s',
	:student_id)), 'message_thread_state',
	'a reader''s state reads an index of message_thread_state');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT thread_id FROM message_thread_state WHERE user_id = %s'
	' AND important', :student_id)), 'Seq Scan',
	'...important threads have no Seq Scan');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT thread_id FROM message_thread_state WHERE user_id = %s'
	' AND archived', :student_id)), 'Seq Scan',
	'...nor archived ones');

-- GET /api/admin/messages/search: both GIN indexes.
SELECT matches(lectern_test_plan(
	'SELECT thread_id FROM messages WHERE search @@'
	' websearch_to_tsquery(''english'', ''kingfisher'')'),
	'Bitmap Index Scan on messages_search_idx',
	'the message search reads messages_search_idx');
SELECT matches(lectern_test_plan(
	'SELECT id FROM message_threads WHERE search @@'
	' websearch_to_tsquery(''english'', ''kingfisher'')'),
	'Bitmap Index Scan on message_threads_search_idx',
	'...and message_threads_search_idx for subjects');
SELECT doesnt_match(lectern_test_plan(
	'WITH q AS (SELECT websearch_to_tsquery(''english'', ''kingfisher'') AS q)'
	' SELECT t.id FROM message_threads t, q WHERE t.search @@ q.q'
	' UNION SELECT m.thread_id FROM messages m, q WHERE m.search @@ q.q'),
	'Seq Scan on messages', '...the search''s union has no Seq Scan on messages');

-- GET /api/tickets.
SELECT matches(lectern_test_plan(format(
	'SELECT id FROM tickets WHERE requester_id = %s'
	' ORDER BY created_at DESC, id DESC LIMIT 20', :student_id)),
	'tickets_requester_idx', 'a requester''s tickets read tickets_requester_idx');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT id FROM tickets WHERE requester_id = %s OR assigned_to = %s'
	' ORDER BY created_at DESC, id DESC LIMIT 20', :teacher_id,
	:teacher_id)), 'Seq Scan', '...mine (requested or assigned) has no Seq Scan');
SELECT matches(lectern_test_plan(
	'SELECT id FROM tickets ORDER BY created_at DESC, id DESC LIMIT 20'),
	'tickets_created_idx', 'the admin''s list reads tickets_created_idx');
SELECT matches(lectern_test_plan(
	'SELECT id FROM tickets WHERE status = ''pending'''
	' ORDER BY created_at DESC, id DESC LIMIT 20'),
	'tickets_status_idx', '...?status= reads tickets_status_idx');
SELECT matches(lectern_test_plan(
	'SELECT id FROM tickets WHERE priority = ''urgent'''
	' ORDER BY created_at DESC, id DESC LIMIT 20'),
	'tickets_priority_idx', '...?priority= reads tickets_priority_idx');
SELECT matches(lectern_test_plan(
	'SELECT id FROM tickets WHERE search @@'
	' websearch_to_tsquery(''english'', ''nothingmatches'')'),
	'tickets_search_idx', '...?q= reads tickets_search_idx');

-- As the application role, with the policies in the plan.
SET LOCAL ROLE lectern_app;
SELECT set_config('lectern.user_id', :'student_id', true),
	set_config('lectern.role', 'student', true) \g /dev/null
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT id FROM message_threads WHERE student_id = %s OR staff_id = %s'
	' ORDER BY last_message_at DESC, id DESC LIMIT 20', :student_id,
	:student_id)), 'Seq Scan',
	'a student''s threads under row-level security have no Seq Scan');
SELECT doesnt_match(lectern_test_plan(format(
	'SELECT id FROM tickets WHERE requester_id = %s OR assigned_to = %s'
	' ORDER BY created_at DESC, id DESC LIMIT 20', :student_id,
	:student_id)), 'Seq Scan',
	'...nor their tickets');
RESET ROLE;

-- A school's tickets are mostly closed: then the dashboard's count of
-- open ones reads tickets_status_idx, not the table.
UPDATE tickets SET status = 'closed', closed_at = now() WHERE id % 20 <> 0;
ANALYZE tickets;
SELECT doesnt_match(lectern_test_plan(
	'SELECT count(*) FROM tickets WHERE status IN (''open'', ''pending'')'),
	'Seq Scan', 'the dashboard''s open tickets have no Seq Scan');

SELECT * FROM finish();
ROLLBACK;

-- lectern 010: the education CRM: admin requests, leads, staff–student
-- message threads and support tickets (SPEC §3, §6.2–6.4, §10).
--
-- Every table a person owns rows of has row-level security: a student
-- sees their own requests, threads and tickets; staff see what they
-- take part in; admins and the system (work no person asked for, such
-- as the public enquiry form) see all.  Lists and searches have the
-- indexes t/schema/150-crm-indexes.sql checks with EXPLAIN.

-- Whether the caller is staff (teacher, instructor or admin).
CREATE FUNCTION lectern_is_staff() RETURNS boolean
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, public
AS $$
	SELECT lectern_role() IN ('teacher', 'instructor', 'admin', 'system')
$$;

---------------------------------------------------------------------------
-- Admin requests: a user asks to become an admin, proves the address by
-- a mailed single-use token (kept as its SHA-256 until used), and an
-- admin approves or rejects.  One pending request per user.
CREATE TABLE admin_requests (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	reason		text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
	phone		text CHECK (length(phone) BETWEEN 3 AND 32),
	status		text NOT NULL DEFAULT 'pending'
			CHECK (status IN ('pending', 'approved', 'rejected')),
	email_verified	boolean NOT NULL DEFAULT false,
	token_hash	text UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	token_expires_at timestamptz,
	verified_at	timestamptz,
	decided_by	bigint REFERENCES users (id) ON DELETE SET NULL,
	decided_at	timestamptz,
	note		text CHECK (length(note) <= 2000),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (email_verified = (verified_at IS NOT NULL)),
	CHECK ((status = 'pending') = (decided_at IS NULL)),
	CHECK (status <> 'approved' OR email_verified)
);
CREATE UNIQUE INDEX admin_requests_pending_key ON admin_requests (user_id)
	WHERE status = 'pending';
CREATE INDEX admin_requests_status_idx ON admin_requests
	(status, created_at DESC, id DESC);
CREATE INDEX admin_requests_created_idx ON admin_requests
	(created_at DESC, id DESC);
CREATE TRIGGER admin_requests_touch BEFORE UPDATE ON admin_requests
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

ALTER TABLE admin_requests ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin_requests_read ON admin_requests FOR SELECT
	USING (user_id = lectern_uid()
	    OR lectern_role() IN ('admin', 'system'));
CREATE POLICY admin_requests_write ON admin_requests FOR INSERT
	WITH CHECK (user_id = lectern_uid() AND status = 'pending'
	    AND NOT email_verified);
CREATE POLICY admin_requests_change ON admin_requests FOR UPDATE
	USING (lectern_role() IN ('admin', 'system'))
	WITH CHECK (lectern_role() IN ('admin', 'system'));

---------------------------------------------------------------------------
-- Leads: enquiries from the public form.  Nobody owns them but the
-- office: only admins and the system read or write them.  "search" is
-- what GET /api/admin/leads?q= matches ('simple': names and addresses
-- are not English words to stem).
CREATE TABLE leads (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	email		text CHECK (email = lower(email)
			    AND length(email) BETWEEN 3 AND 254),
	phone		text CHECK (length(phone) BETWEEN 3 AND 32),
	course_id	bigint REFERENCES courses (id) ON DELETE SET NULL,
	message		text CHECK (length(message) <= 5000),
	source		text CHECK (length(source) <= 64),
	consent		boolean NOT NULL CHECK (consent),
	status		text NOT NULL DEFAULT 'new'
			CHECK (status IN ('new', 'contacted', 'qualified',
			    'converted', 'lost')),
	assigned_to	bigint REFERENCES users (id) ON DELETE SET NULL,
	notes		text CHECK (length(notes) <= 5000),
	user_id		bigint REFERENCES users (id) ON DELETE SET NULL,
	submissions	integer NOT NULL DEFAULT 1 CHECK (submissions >= 1),
	ip		text CHECK (length(ip) <= 64),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	last_submitted_at timestamptz NOT NULL DEFAULT now(),
	search		tsvector GENERATED ALWAYS AS (to_tsvector('simple',
			    coalesce(name, '') || ' ' || coalesce(email, '')
			    || ' ' || coalesce(phone, '') || ' '
			    || coalesce(message, ''))) STORED,
	CHECK (email IS NOT NULL OR phone IS NOT NULL)
);
-- The form's dedupe: an open lead with this email or phone.
CREATE INDEX leads_email_open_idx ON leads (email, last_submitted_at)
	WHERE status NOT IN ('converted', 'lost');
CREATE INDEX leads_phone_open_idx ON leads (phone, last_submitted_at)
	WHERE status NOT IN ('converted', 'lost');
CREATE INDEX leads_created_idx ON leads (created_at DESC, id DESC);
CREATE INDEX leads_status_idx ON leads (status, created_at DESC, id DESC);
CREATE INDEX leads_assigned_idx ON leads
	(assigned_to, created_at DESC, id DESC);
CREATE INDEX leads_source_idx ON leads (source, created_at DESC, id DESC);
CREATE INDEX leads_course_idx ON leads (course_id, created_at DESC, id DESC);
CREATE INDEX leads_search_idx ON leads USING gin (search);
CREATE TRIGGER leads_touch BEFORE UPDATE ON leads
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
CREATE POLICY leads_office ON leads
	USING (lectern_role() IN ('admin', 'system'))
	WITH CHECK (lectern_role() IN ('admin', 'system'));

---------------------------------------------------------------------------
-- Message threads between one student and the staff: staff_id is the
-- member of staff who wrote first, or NULL for the school's staff inbox
-- (which every admin reads).  Per-reader state lives in
-- message_thread_state: the last message read (unread counts are the
-- messages after it from someone else), important and archived.
CREATE TABLE message_threads (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	subject		text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
	student_id	bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	staff_id	bigint REFERENCES users (id) ON DELETE SET NULL,
	created_by	bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_message_at	timestamptz NOT NULL DEFAULT now(),
	search		tsvector GENERATED ALWAYS AS
			    (to_tsvector('english', subject)) STORED
);
CREATE INDEX message_threads_student_idx ON message_threads
	(student_id, last_message_at DESC, id DESC);
CREATE INDEX message_threads_staff_idx ON message_threads
	(staff_id, last_message_at DESC, id DESC);
CREATE INDEX message_threads_inbox_idx ON message_threads
	(last_message_at DESC, id DESC) WHERE staff_id IS NULL;
CREATE INDEX message_threads_search_idx ON message_threads USING gin (search);

CREATE TABLE messages (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	thread_id	bigint NOT NULL REFERENCES message_threads (id)
			    ON DELETE CASCADE,
	sender_id	bigint REFERENCES users (id) ON DELETE SET NULL,
	body		text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
	created_at	timestamptz NOT NULL DEFAULT now(),
	search		tsvector GENERATED ALWAYS AS
			    (to_tsvector('english', body)) STORED
);
CREATE INDEX messages_thread_idx ON messages (thread_id, id);
CREATE INDEX messages_search_idx ON messages USING gin (search);

CREATE TABLE message_thread_state (
	thread_id	bigint NOT NULL REFERENCES message_threads (id)
			    ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	last_read_id	bigint NOT NULL DEFAULT 0,
	important	boolean NOT NULL DEFAULT false,
	archived	boolean NOT NULL DEFAULT false,
	PRIMARY KEY (thread_id, user_id)
);
CREATE INDEX message_thread_state_user_idx ON message_thread_state
	(user_id, thread_id);
CREATE INDEX message_thread_state_important_idx ON message_thread_state
	(user_id) WHERE important;
CREATE INDEX message_thread_state_archived_idx ON message_thread_state
	(user_id) WHERE archived;

-- Whether the caller may read thread t (definer: the policies of
-- messages and the state rows ask it without recursing into RLS).
CREATE FUNCTION lectern_thread_visible(t bigint) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, public
AS $$
	SELECT lectern_role() IN ('admin', 'system') OR EXISTS (SELECT 1
		FROM public.message_threads th WHERE th.id = t
		AND (th.student_id = lectern_uid()
		    OR th.staff_id = lectern_uid()))
$$;
REVOKE ALL ON FUNCTION lectern_thread_visible(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lectern_thread_visible(bigint) TO lectern_app;

ALTER TABLE message_threads ENABLE ROW LEVEL SECURITY;
CREATE POLICY message_threads_read ON message_threads FOR SELECT
	USING (student_id = lectern_uid() OR staff_id = lectern_uid()
	    OR lectern_role() IN ('admin', 'system'));
CREATE POLICY message_threads_write ON message_threads FOR INSERT
	WITH CHECK (created_by = lectern_uid()
	    AND (student_id = lectern_uid() OR staff_id = lectern_uid()));
CREATE POLICY message_threads_change ON message_threads FOR UPDATE
	USING (student_id = lectern_uid() OR staff_id = lectern_uid()
	    OR lectern_role() IN ('admin', 'system'));
ALTER TABLE messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY messages_read ON messages FOR SELECT
	USING (lectern_thread_visible(thread_id));
CREATE POLICY messages_write ON messages FOR INSERT
	WITH CHECK (sender_id = lectern_uid()
	    AND lectern_thread_visible(thread_id));
ALTER TABLE message_thread_state ENABLE ROW LEVEL SECURITY;
CREATE POLICY message_thread_state_own ON message_thread_state
	USING (user_id = lectern_uid())
	WITH CHECK (user_id = lectern_uid()
	    AND lectern_thread_visible(thread_id));

---------------------------------------------------------------------------
-- Support tickets, numbered T-000042 from their own sequence.  Closed is
-- final: the trigger refuses any change of a closed ticket's status.
CREATE SEQUENCE ticket_number_seq;
CREATE TABLE tickets (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	number		bigint NOT NULL UNIQUE
			    DEFAULT nextval('ticket_number_seq'),
	requester_id	bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	subject		text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
	body		text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
	priority	text NOT NULL DEFAULT 'normal'
			CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
	status		text NOT NULL DEFAULT 'open'
			CHECK (status IN ('open', 'pending', 'resolved',
			    'closed')),
	assigned_to	bigint REFERENCES users (id) ON DELETE SET NULL,
	course_id	bigint REFERENCES courses (id) ON DELETE SET NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	closed_at	timestamptz,
	search		tsvector GENERATED ALWAYS AS (to_tsvector('english',
			    subject || ' ' || body)) STORED,
	CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
ALTER SEQUENCE ticket_number_seq OWNED BY tickets.number;
CREATE INDEX tickets_requester_idx ON tickets
	(requester_id, created_at DESC, id DESC);
CREATE INDEX tickets_assigned_idx ON tickets
	(assigned_to, created_at DESC, id DESC);
CREATE INDEX tickets_status_idx ON tickets (status, created_at DESC, id DESC);
CREATE INDEX tickets_priority_idx ON tickets
	(priority, created_at DESC, id DESC);
CREATE INDEX tickets_created_idx ON tickets (created_at DESC, id DESC);
CREATE INDEX tickets_search_idx ON tickets USING gin (search);
CREATE TRIGGER tickets_touch BEFORE UPDATE ON tickets
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

CREATE FUNCTION lectern_ticket_final() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, public
AS $$
BEGIN
	IF OLD.status = 'closed' AND NEW.status <> 'closed' THEN
		RAISE EXCEPTION 'ticket % is closed', OLD.id
			USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER tickets_final BEFORE UPDATE ON tickets
	FOR EACH ROW EXECUTE FUNCTION lectern_ticket_final();

CREATE TABLE ticket_replies (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	ticket_id	bigint NOT NULL REFERENCES tickets (id)
			    ON DELETE CASCADE,
	author_id	bigint REFERENCES users (id) ON DELETE SET NULL,
	body		text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
	internal	boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ticket_replies_ticket_idx ON ticket_replies (ticket_id, id);

-- Whether the caller may read ticket t (definer, as for threads).
CREATE FUNCTION lectern_ticket_visible(t bigint) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, public
AS $$
	SELECT lectern_role() IN ('admin', 'system') OR EXISTS (SELECT 1
		FROM public.tickets k WHERE k.id = t
		AND (k.requester_id = lectern_uid()
		    OR k.assigned_to = lectern_uid()))
$$;
REVOKE ALL ON FUNCTION lectern_ticket_visible(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lectern_ticket_visible(bigint) TO lectern_app;

ALTER TABLE tickets ENABLE ROW LEVEL SECURITY;
CREATE POLICY tickets_read ON tickets FOR SELECT
	USING (requester_id = lectern_uid() OR assigned_to = lectern_uid()
	    OR lectern_role() IN ('admin', 'system'));
CREATE POLICY tickets_write ON tickets FOR INSERT
	WITH CHECK (requester_id = lectern_uid());
CREATE POLICY tickets_change ON tickets FOR UPDATE
	USING (requester_id = lectern_uid() OR assigned_to = lectern_uid()
	    OR lectern_role() IN ('admin', 'system'));
-- Internal notes are for staff only, whatever the query asks.
ALTER TABLE ticket_replies ENABLE ROW LEVEL SECURITY;
CREATE POLICY ticket_replies_read ON ticket_replies FOR SELECT
	USING (lectern_ticket_visible(ticket_id)
	    AND (NOT internal OR lectern_is_staff()));
CREATE POLICY ticket_replies_write ON ticket_replies FOR INSERT
	WITH CHECK (author_id = lectern_uid()
	    AND lectern_ticket_visible(ticket_id)
	    AND (NOT internal OR lectern_is_staff()));

GRANT EXECUTE ON FUNCTION lectern_is_staff() TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON admin_requests TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON leads TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON message_threads TO lectern_app;
GRANT SELECT, INSERT ON messages TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON message_thread_state TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON tickets TO lectern_app;
GRANT SELECT, INSERT ON ticket_replies TO lectern_app;
GRANT USAGE ON SEQUENCE ticket_number_seq TO lectern_app;

-- lectern 008: live sessions with attendance and reminders, certificates
-- (SPEC §6.5, §6.6), and the indexes the admin dashboard reads.

-- A live class of a course.  Cancelling keeps the row (status
-- 'cancelled'), so calendar feeds can tell subscribers.  sequence is the
-- iCalendar SEQUENCE: it goes up with every change a calendar must see.
CREATE TABLE live_sessions (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	course_id	bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	description	text NOT NULL DEFAULT ''
			CHECK (length(description) <= 5000),
	starts_at	timestamptz NOT NULL,
	duration_minutes integer NOT NULL
			CHECK (duration_minutes BETWEEN 5 AND 600),
	meeting_url	text NOT NULL CHECK (meeting_url ~ '^https://'
			    AND length(meeting_url) <= 2000),
	status		text NOT NULL DEFAULT 'scheduled'
			CHECK (status IN ('scheduled', 'cancelled')),
	cancelled_at	timestamptz,
	sequence	integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
	created_by	bigint REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
-- A course's sessions (list, feed); the reminder run's window.
CREATE INDEX live_sessions_course_idx ON live_sessions (course_id, starts_at);
CREATE INDEX live_sessions_upcoming_idx ON live_sessions (starts_at)
	WHERE status = 'scheduled';
CREATE TRIGGER live_sessions_touch BEFORE UPDATE ON live_sessions
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

-- Who was there: by self check-in (POST /join) or set by the teacher.
CREATE TABLE session_attendance (
	session_id	bigint NOT NULL REFERENCES live_sessions (id)
			ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id),
	source		text NOT NULL CHECK (source IN ('join', 'teacher')),
	joined_at	timestamptz,	-- the first self check-in
	marked_by	bigint REFERENCES users (id),
	created_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_attendance_user_idx ON session_attendance (user_id);

-- Reminders queued by lectern-admin remind: one per session, learner,
-- kind and start time.  Two runs at once both try the insert; the key
-- lets exactly one of them through, and only that one queues the mail.
-- A session moved to another time is a new start, so it is reminded of
-- again.
CREATE TABLE session_reminders (
	session_id	bigint NOT NULL REFERENCES live_sessions (id)
			ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id),
	kind		text NOT NULL CHECK (kind IN ('24h', '1h')),
	starts_at	timestamptz NOT NULL,
	queued_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (session_id, user_id, kind, starts_at)
);
CREATE INDEX session_reminders_user_idx ON session_reminders (user_id);

-- Certificates.  code is 60 random bits in Crockford base32, stored as
-- its 12 upper-case characters without dashes.  The name and course
-- title are frozen at issue time; an erased account's name is replaced
-- (below).
CREATE TABLE certificates (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	code		text NOT NULL UNIQUE
			CHECK (code ~ '^[0-9A-HJKMNP-TV-Z]{12}$'),
	user_id		bigint NOT NULL REFERENCES users (id),
	course_id	bigint NOT NULL REFERENCES courses (id),
	student_name	text NOT NULL CHECK (length(student_name) BETWEEN 1 AND 200),
	course_title	text NOT NULL CHECK (length(course_title) BETWEEN 1 AND 200),
	issued_at	timestamptz NOT NULL DEFAULT now(),
	issued_by	bigint REFERENCES users (id),	-- NULL: on completion
	revoked_at	timestamptz,
	revoked_reason	text CHECK (length(revoked_reason) BETWEEN 1 AND 500),
	revoked_by	bigint REFERENCES users (id),
	CONSTRAINT certificates_user_course_key UNIQUE (user_id, course_id),
	CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX certificates_course_idx ON certificates (course_id)
	WHERE revoked_at IS NULL;

-- Whether user has completed every lesson of course (which has one).
CREATE FUNCTION lectern_course_done(course bigint, learner bigint)
	RETURNS boolean
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, public
AS $$
	SELECT EXISTS (SELECT 1 FROM public.lessons WHERE course_id = course)
	    AND NOT EXISTS (SELECT 1 FROM public.lessons l
		WHERE l.course_id = course AND NOT EXISTS (SELECT 1
		    FROM public.lesson_progress p
		    WHERE p.lesson_id = l.id AND p.user_id = learner))
$$;

-- An erased account (DELETE /api/auth/me, or an admin's erasure) keeps
-- its certificates for accounting, but they no longer name the person.
CREATE FUNCTION lectern_certificates_erase() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, public
AS $$
BEGIN
	UPDATE public.certificates SET student_name = NEW.name
		WHERE user_id = NEW.id;
	RETURN NEW;
END
$$;
REVOKE ALL ON FUNCTION lectern_certificates_erase() FROM PUBLIC;
CREATE TRIGGER users_erase_certificates AFTER UPDATE OF email ON users
	FOR EACH ROW
	WHEN (NEW.email LIKE 'deleted-%@invalid.invalid'
	    AND OLD.email IS DISTINCT FROM NEW.email)
	EXECUTE FUNCTION lectern_certificates_erase();

-- The public verification: one certificate by its code, to anyone,
-- without opening the table to anonymous callers.
CREATE FUNCTION lectern_certificate_by_code(want text)
	RETURNS TABLE (code text, student_name text, course_title text,
	    course_id bigint, issued_at timestamptz, revoked_at timestamptz,
	    revoked_reason text)
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, public
AS $$
	SELECT c.code, c.student_name, c.course_title, c.course_id,
	    c.issued_at, c.revoked_at, c.revoked_reason
	FROM public.certificates c WHERE c.code = want
$$;
REVOKE ALL ON FUNCTION lectern_certificate_by_code(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lectern_certificate_by_code(text) TO lectern_app;

-- Row-level security, the second wall.  Attendance belongs to the
-- learner; the course's author and admins see and set it.  A learner
-- may add their own certificate only when every lesson is done.
ALTER TABLE session_attendance ENABLE ROW LEVEL SECURITY;
CREATE POLICY session_attendance_read ON session_attendance FOR SELECT
	USING (user_id = lectern_uid() OR lectern_role() IN ('admin', 'system')
	    OR lectern_teaches((SELECT s.course_id FROM live_sessions s
		WHERE s.id = session_id)));
CREATE POLICY session_attendance_write ON session_attendance FOR INSERT
	WITH CHECK ((user_id = lectern_uid() AND source = 'join')
	    OR lectern_role() = 'admin'
	    OR lectern_teaches((SELECT s.course_id FROM live_sessions s
		WHERE s.id = session_id)));
CREATE POLICY session_attendance_change ON session_attendance FOR UPDATE
	USING (user_id = lectern_uid() OR lectern_role() = 'admin'
	    OR lectern_teaches((SELECT s.course_id FROM live_sessions s
		WHERE s.id = session_id)));
CREATE POLICY session_attendance_remove ON session_attendance FOR DELETE
	USING (lectern_role() = 'admin'
	    OR lectern_teaches((SELECT s.course_id FROM live_sessions s
		WHERE s.id = session_id)));

ALTER TABLE certificates ENABLE ROW LEVEL SECURITY;
CREATE POLICY certificates_read ON certificates FOR SELECT
	USING (user_id = lectern_uid() OR lectern_role() IN ('admin', 'system')
	    OR lectern_teaches(course_id));
CREATE POLICY certificates_write ON certificates FOR INSERT
	WITH CHECK ((user_id = lectern_uid() AND issued_by IS NULL
	    AND lectern_course_done(course_id, user_id))
	    OR lectern_role() = 'admin' OR lectern_teaches(course_id));
CREATE POLICY certificates_revoke ON certificates FOR UPDATE
	USING (lectern_role() = 'admin') WITH CHECK (lectern_role() = 'admin');

-- The dashboard (GET /api/admin/stats): revenue by month reads the paid
-- payments of a time range; active enrollments are counted by course.
CREATE INDEX payments_paid_idx ON payments (paid_at) WHERE status = 'paid';
CREATE INDEX enrollments_active_idx ON enrollments (course_id)
	WHERE status = 'active';

GRANT SELECT, INSERT, UPDATE ON live_sessions TO lectern_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON session_attendance TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON certificates TO lectern_app;

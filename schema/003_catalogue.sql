-- lectern 003: courses, lessons, classwork and submissions, enrollments,
-- progress, and row-level security on what belongs to one user.

-- pg_trgm is a trusted extension: the database owner may create it.  It
-- lets the title search (ILIKE '%q%') use an index.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Who the current transaction acts for (db_begin sets these with
-- set_config(..., true), so they end with the transaction).  'system' is
-- the role of work no person asked for (payment webhooks, reconciliation).
CREATE FUNCTION lectern_uid() RETURNS bigint
	LANGUAGE sql STABLE
	SET search_path = pg_catalog
AS $$
	SELECT nullif(current_setting('lectern.user_id', true), '')::bigint
$$;

CREATE FUNCTION lectern_role() RETURNS text
	LANGUAGE sql STABLE
	SET search_path = pg_catalog
AS $$
	SELECT coalesce(nullif(current_setting('lectern.role', true), ''),
		'anonymous')
$$;

CREATE TABLE courses (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	instructor_id	bigint NOT NULL REFERENCES users (id),
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	description	text NOT NULL DEFAULT ''
			CHECK (length(description) <= 20000),
	price_minor	bigint NOT NULL DEFAULT 0
			CHECK (price_minor BETWEEN 0 AND 1000000000),
	currency	text NOT NULL DEFAULT 'INR' CHECK (currency ~ '^[A-Z]{3}$'),
	published	boolean NOT NULL DEFAULT false,
	archived	boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX courses_public_idx ON courses (id)
	WHERE published AND NOT archived;
CREATE INDEX courses_instructor_idx ON courses (instructor_id, id);
CREATE INDEX courses_title_trgm_idx ON courses USING gin (lower(title) gin_trgm_ops);
CREATE TRIGGER courses_touch BEFORE UPDATE ON courses
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

-- Whether the caller is the course's author.
CREATE FUNCTION lectern_teaches(course bigint) RETURNS boolean
	LANGUAGE sql STABLE
	SET search_path = pg_catalog, public
AS $$
	SELECT EXISTS (SELECT 1 FROM public.courses c
		WHERE c.id = course AND c.instructor_id = lectern_uid())
$$;

CREATE TABLE lessons (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	course_id	bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	content		text NOT NULL DEFAULT '' CHECK (length(content) <= 200000),
	position	integer NOT NULL CHECK (position >= 1),
	video_url	text CHECK (video_url ~ '^https://' AND length(video_url) <= 2000),
	is_preview	boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	-- Dense, unique positions; deferred so a move can shift rows.
	CONSTRAINT lessons_position_key UNIQUE (course_id, position)
		DEFERRABLE INITIALLY DEFERRED
);
CREATE TRIGGER lessons_touch BEFORE UPDATE ON lessons
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

CREATE TABLE enrollments (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id),
	course_id	bigint NOT NULL REFERENCES courses (id),
	status		text NOT NULL DEFAULT 'active'
			CHECK (status IN ('active', 'revoked')),
	source		text NOT NULL DEFAULT 'free'
			CHECK (source IN ('free', 'payment', 'manual')),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT enrollments_user_course_key UNIQUE (user_id, course_id)
);
CREATE INDEX enrollments_course_idx ON enrollments (course_id, id);
CREATE TRIGGER enrollments_touch BEFORE UPDATE ON enrollments
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

CREATE TABLE lesson_progress (
	user_id		bigint NOT NULL REFERENCES users (id),
	lesson_id	bigint NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
	completed_at	timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (user_id, lesson_id)
);
CREATE INDEX lesson_progress_lesson_idx ON lesson_progress (lesson_id);

CREATE TABLE classwork (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	course_id	bigint NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	instructions	text NOT NULL DEFAULT ''
			CHECK (length(instructions) <= 20000),
	due_at		timestamptz,
	max_points	integer NOT NULL DEFAULT 100
			CHECK (max_points BETWEEN 0 AND 100000),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX classwork_course_idx ON classwork (course_id, id);
CREATE TRIGGER classwork_touch BEFORE UPDATE ON classwork
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

CREATE TABLE submissions (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	classwork_id	bigint NOT NULL REFERENCES classwork (id) ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id),
	content		text NOT NULL CHECK (length(content) BETWEEN 1 AND 100000),
	submitted_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	grade		integer CHECK (grade >= 0),
	feedback	text CHECK (length(feedback) <= 20000),
	graded_at	timestamptz,
	graded_by	bigint REFERENCES users (id),
	CONSTRAINT submissions_classwork_user_key UNIQUE (classwork_id, user_id)
);
CREATE INDEX submissions_user_idx ON submissions (user_id);

-- A grade never exceeds the classwork's max_points, and only the
-- course's author or an admin sets one.
CREATE FUNCTION lectern_check_grade() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, public
AS $$
DECLARE
	course	bigint;
BEGIN
	SELECT course_id INTO course FROM public.classwork
		WHERE id = NEW.classwork_id;
	IF (TG_OP = 'INSERT' AND (NEW.grade IS NOT NULL OR NEW.feedback IS NOT NULL))
	    OR (TG_OP = 'UPDATE' AND (NEW.grade IS DISTINCT FROM OLD.grade
		OR NEW.feedback IS DISTINCT FROM OLD.feedback
		OR NEW.graded_by IS DISTINCT FROM OLD.graded_by)) THEN
		IF current_user = 'lectern_app'
		    AND NOT (lectern_role() = 'admin' OR lectern_teaches(course)) THEN
			RAISE EXCEPTION 'only the author or an admin grades'
				USING ERRCODE = 'insufficient_privilege';
		END IF;
	END IF;
	IF NEW.grade IS NOT NULL AND NEW.grade > (SELECT max_points
	    FROM public.classwork WHERE id = NEW.classwork_id) THEN
		RAISE EXCEPTION 'grade exceeds max_points'
			USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER submissions_grade BEFORE INSERT OR UPDATE ON submissions
	FOR EACH ROW EXECUTE FUNCTION lectern_check_grade();

-- Row-level security: the second wall behind the CGIs' own checks.  A
-- user sees their own rows; the author of a course sees its rows; admins
-- and the system see all.  The application role is not the owner and
-- has no BYPASSRLS, so these apply to every query it runs.
ALTER TABLE enrollments ENABLE ROW LEVEL SECURITY;
CREATE POLICY enrollments_read ON enrollments FOR SELECT
	USING (user_id = lectern_uid() OR lectern_role() IN ('admin', 'system')
	    OR lectern_teaches(course_id));
CREATE POLICY enrollments_write ON enrollments FOR INSERT
	WITH CHECK (user_id = lectern_uid() OR lectern_role() IN ('admin', 'system'));
CREATE POLICY enrollments_change ON enrollments FOR UPDATE
	USING (lectern_role() IN ('admin', 'system') OR lectern_teaches(course_id))
	WITH CHECK (lectern_role() IN ('admin', 'system') OR lectern_teaches(course_id));

ALTER TABLE lesson_progress ENABLE ROW LEVEL SECURITY;
CREATE POLICY lesson_progress_read ON lesson_progress FOR SELECT
	USING (user_id = lectern_uid() OR lectern_role() = 'admin'
	    OR lectern_teaches((SELECT course_id FROM lessons l
		WHERE l.id = lesson_id)));
CREATE POLICY lesson_progress_write ON lesson_progress FOR INSERT
	WITH CHECK (user_id = lectern_uid());

ALTER TABLE submissions ENABLE ROW LEVEL SECURITY;
CREATE POLICY submissions_read ON submissions FOR SELECT
	USING (user_id = lectern_uid() OR lectern_role() = 'admin'
	    OR lectern_teaches((SELECT course_id FROM classwork c
		WHERE c.id = classwork_id)));
CREATE POLICY submissions_write ON submissions FOR INSERT
	WITH CHECK (user_id = lectern_uid());
CREATE POLICY submissions_change ON submissions FOR UPDATE
	USING (user_id = lectern_uid() OR lectern_role() = 'admin'
	    OR lectern_teaches((SELECT course_id FROM classwork c
		WHERE c.id = classwork_id)));

GRANT SELECT, INSERT, UPDATE, DELETE ON courses TO lectern_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON lessons TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON enrollments TO lectern_app;
GRANT SELECT, INSERT ON lesson_progress TO lectern_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON classwork TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON submissions TO lectern_app;

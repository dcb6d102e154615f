-- lectern 012: uploads (SPEC §6.1): files for lessons, submissions,
-- tickets, messages and avatars, and the attachment lists that name them.
--
-- A row is made pending by POST /api/uploads/sign, becomes 'uploading'
-- while one PUT streams its bytes (a second PUT meanwhile is refused),
-- and ready when the whole file is in place.  'deleted' rows name files
-- still to be removed from the store (lectern-admin cleanup removes
-- them, and the rows); nobody sees them otherwise.  The stored object
-- is named by storage_key alone, never by the client's filename.
CREATE TABLE uploads (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint REFERENCES users (id) ON DELETE SET NULL,
	filename	text NOT NULL
			CHECK (octet_length(filename) BETWEEN 1 AND 255),
	content_type	text NOT NULL CHECK (length(content_type) <= 100),
	size		bigint NOT NULL CHECK (size >= 0),
	purpose		text NOT NULL CHECK (purpose IN ('lesson',
			    'submission', 'ticket', 'message', 'avatar')),
	target_id	bigint,
	status		text NOT NULL DEFAULT 'pending'
			CHECK (status IN ('pending', 'uploading', 'ready',
			    'deleted')),
	backend		text NOT NULL CHECK (backend IN ('local', 's3')),
	storage_key	text NOT NULL UNIQUE
			CHECK (storage_key ~ '^[0-9a-f]{32}$'),
	sha256		text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now(),
	ready_at	timestamptz,
	CHECK ((purpose = 'avatar') = (target_id IS NULL)),
	CHECK (status <> 'ready' OR ready_at IS NOT NULL)
);
CREATE INDEX uploads_user_idx ON uploads (user_id, status);
CREATE INDEX uploads_target_idx ON uploads (purpose, target_id);
CREATE INDEX uploads_status_idx ON uploads (status, created_at);
CREATE TRIGGER uploads_touch BEFORE UPDATE ON uploads
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

-- What the uploads are attached to.
ALTER TABLE lessons ADD COLUMN attachments bigint[] NOT NULL DEFAULT '{}'
	CHECK (cardinality(attachments) <= 20);
ALTER TABLE submissions ADD COLUMN attachment_ids bigint[] NOT NULL
	DEFAULT '{}' CHECK (cardinality(attachment_ids) <= 20);

-- Whether the caller may read lesson les's content: its author, admins,
-- the actively enrolled, and anyone who may see the published course
-- when the lesson is a preview (lesson.h says the same in C).
CREATE FUNCTION lectern_lesson_open(les bigint) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, public
AS $$
	SELECT lectern_role() IN ('admin', 'system') OR EXISTS (SELECT 1
		FROM public.lessons l JOIN public.courses c
		    ON c.id = l.course_id
		WHERE l.id = les AND (c.instructor_id = lectern_uid()
		    OR (l.is_preview AND c.published AND NOT c.archived)
		    OR EXISTS (SELECT 1 FROM public.enrollments e
			WHERE e.course_id = c.id AND e.user_id = lectern_uid()
			AND e.status = 'active')))
$$;
REVOKE ALL ON FUNCTION lectern_lesson_open(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lectern_lesson_open(bigint) TO lectern_app;

-- Whether the caller may read upload u through what it is attached to:
-- a lesson's files go to its content readers; a submission's to its
-- student, the course's author and admins.  The owner and admins see
-- their rows through the policy below.
CREATE FUNCTION lectern_upload_visible(u bigint) RETURNS boolean
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, public
AS $$
	SELECT lectern_role() IN ('admin', 'system') OR EXISTS (SELECT 1
		FROM public.uploads p WHERE p.id = u AND p.status = 'ready'
		AND (p.user_id = lectern_uid()
		    OR (p.purpose = 'lesson' AND EXISTS (SELECT 1
			FROM public.lessons l WHERE l.id = p.target_id
			AND p.id = ANY (l.attachments)
			AND lectern_lesson_open(l.id)))
		    OR (p.purpose = 'submission' AND EXISTS (SELECT 1
			FROM public.submissions s
			JOIN public.classwork w ON w.id = s.classwork_id
			WHERE s.classwork_id = p.target_id
			AND p.id = ANY (s.attachment_ids)
			AND (s.user_id = lectern_uid()
			    OR lectern_teaches(w.course_id))))))
$$;
REVOKE ALL ON FUNCTION lectern_upload_visible(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lectern_upload_visible(bigint) TO lectern_app;

-- A deleted lesson's files go with it; so do an erased person's.
CREATE FUNCTION lectern_lesson_files_gone() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, public
AS $$
BEGIN
	UPDATE public.uploads SET status = 'deleted'
		WHERE purpose = 'lesson' AND target_id = OLD.id
		AND status <> 'deleted';
	RETURN OLD;
END
$$;
CREATE TRIGGER lessons_files_gone AFTER DELETE ON lessons
	FOR EACH ROW EXECUTE FUNCTION lectern_lesson_files_gone();

CREATE OR REPLACE FUNCTION lectern_erase_work(uid bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
	UPDATE submissions SET content = '(erased)', feedback = NULL,
	    attachment_ids = '{}'
	    WHERE user_id = uid
	    AND (uid = lectern_uid() OR lectern_role() = 'admin');
	UPDATE enrollments SET status = 'revoked'
	    WHERE user_id = uid AND status = 'active'
	    AND (uid = lectern_uid() OR lectern_role() = 'admin');
	UPDATE uploads SET status = 'deleted'
	    WHERE user_id = uid AND status <> 'deleted'
	    AND (uid = lectern_uid() OR lectern_role() = 'admin');
$$;

-- Row-level security: the owner and admins (and the system: a signed
-- URL's holder is checked by its signature, not by who they are); a
-- ready file also to whoever may see what it is attached to.
ALTER TABLE uploads ENABLE ROW LEVEL SECURITY;
CREATE POLICY uploads_read ON uploads FOR SELECT
	USING (user_id = lectern_uid() OR lectern_role() IN ('admin', 'system')
	    OR (status = 'ready' AND purpose IN ('lesson', 'submission')
		AND lectern_upload_visible(id)));
CREATE POLICY uploads_write ON uploads FOR INSERT
	WITH CHECK (user_id = lectern_uid());
CREATE POLICY uploads_change ON uploads FOR UPDATE
	USING (user_id = lectern_uid() OR lectern_role() IN ('admin', 'system'));
CREATE POLICY uploads_remove ON uploads FOR DELETE
	USING (lectern_role() = 'system');

GRANT SELECT, INSERT, UPDATE, DELETE ON uploads TO lectern_app;

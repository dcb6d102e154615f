-- lectern 009: the AI tutor (SPEC §6.7): conversations, their messages
-- with the model's token usage, and the per-user daily message quota.
--
-- Conversations belong to their user: row-level security shows a
-- student only their own; an admin may read any (the endpoint audits
-- that read), and only the owner writes or deletes.

CREATE TABLE tutor_conversations (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	course_id	bigint REFERENCES courses (id) ON DELETE SET NULL,
	lesson_id	bigint REFERENCES lessons (id) ON DELETE SET NULL,
	title		text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tutor_conversations_user_idx
	ON tutor_conversations (user_id, updated_at DESC, id DESC);
CREATE INDEX tutor_conversations_lesson_idx ON tutor_conversations (lesson_id);
CREATE INDEX tutor_conversations_course_idx ON tutor_conversations (course_id);
CREATE TRIGGER tutor_conversations_touch BEFORE UPDATE ON tutor_conversations
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

-- One turn.  An assistant message carries the usage the provider
-- reported, and incomplete when the reply stopped short (the provider
-- or the client dropped): its content is what arrived.
CREATE TABLE tutor_messages (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	conversation_id	bigint NOT NULL
			REFERENCES tutor_conversations (id) ON DELETE CASCADE,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role		text NOT NULL CHECK (role IN ('user', 'assistant')),
	content		text NOT NULL CHECK (length(content) <= 100000),
	prompt_tokens	integer CHECK (prompt_tokens >= 0),
	completion_tokens integer CHECK (completion_tokens >= 0),
	model		text CHECK (length(model) <= 200),
	incomplete	boolean NOT NULL DEFAULT false,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CHECK (role = 'assistant' OR (prompt_tokens IS NULL AND
	    completion_tokens IS NULL AND NOT incomplete))
);
CREATE INDEX tutor_messages_conversation_idx
	ON tutor_messages (conversation_id, id);
CREATE INDEX tutor_messages_usage_idx ON tutor_messages (created_at)
	WHERE role = 'assistant';

-- Messages sent per user and UTC day.  One row a day, counted with
-- INSERT ... ON CONFLICT DO UPDATE ... WHERE used < limit, so parallel
-- sends are serialised on the row and never pass the limit.
CREATE TABLE tutor_quota (
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	day		date NOT NULL,
	used		integer NOT NULL CHECK (used >= 0),
	PRIMARY KEY (user_id, day)
);

ALTER TABLE tutor_conversations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tutor_conversations_read ON tutor_conversations FOR SELECT
	USING (user_id = lectern_uid() OR lectern_role() = 'admin');
CREATE POLICY tutor_conversations_insert ON tutor_conversations FOR INSERT
	WITH CHECK (user_id = lectern_uid());
CREATE POLICY tutor_conversations_update ON tutor_conversations FOR UPDATE
	USING (user_id = lectern_uid()) WITH CHECK (user_id = lectern_uid());
CREATE POLICY tutor_conversations_delete ON tutor_conversations FOR DELETE
	USING (user_id = lectern_uid());

ALTER TABLE tutor_messages ENABLE ROW LEVEL SECURITY;
CREATE POLICY tutor_messages_read ON tutor_messages FOR SELECT
	USING (user_id = lectern_uid() OR lectern_role() = 'admin');
CREATE POLICY tutor_messages_insert ON tutor_messages FOR INSERT
	WITH CHECK (user_id = lectern_uid() AND EXISTS (SELECT 1
	    FROM tutor_conversations c WHERE c.id = conversation_id
	    AND c.user_id = lectern_uid()));

ALTER TABLE tutor_quota ENABLE ROW LEVEL SECURITY;
CREATE POLICY tutor_quota_read ON tutor_quota FOR SELECT
	USING (user_id = lectern_uid() OR lectern_role() = 'admin');
CREATE POLICY tutor_quota_insert ON tutor_quota FOR INSERT
	WITH CHECK (user_id = lectern_uid());
CREATE POLICY tutor_quota_update ON tutor_quota FOR UPDATE
	USING (user_id = lectern_uid()) WITH CHECK (user_id = lectern_uid());

GRANT SELECT, INSERT, UPDATE, DELETE ON tutor_conversations TO lectern_app;
GRANT SELECT, INSERT ON tutor_messages TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON tutor_quota TO lectern_app;

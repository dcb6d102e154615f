-- lectern 002: sessions, revocations, rate limits, audit and error logs,
-- password resets and the email outbox (SPEC §3, §8).

-- A session is one sign-in.  Its refresh tokens form a family: each use
-- spends the token and adds its successor.  Access tokens name their
-- session (the "sid" claim), so revoking a session (logout, a password
-- change elsewhere, refresh-token reuse) ends its access tokens at once.
CREATE TABLE sessions (
	id		text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{16,64}$'),
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,	-- absolute end of the session
	revoked_at	timestamptz,
	revoked_reason	text CHECK (revoked_reason IN ('logout', 'password_change',
			    'password_reset', 'reuse_detected', 'erased',
			    'admin')),
	CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX sessions_user_idx ON sessions (user_id) WHERE revoked_at IS NULL;
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- Refresh tokens: opaque to the client, stored as SHA-256 only.
CREATE TABLE refresh_tokens (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	session_id	text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	token_hash	text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	idle_expires_at	timestamptz NOT NULL,	-- lapses when unused this long
	spent_at	timestamptz
);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);

-- Access-token ids revoked before they expire (logout); rows may go once
-- the token would have expired anyway (lectern-admin cleanup).
CREATE TABLE revoked_tokens (
	jti		text PRIMARY KEY CHECK (length(jti) BETWEEN 1 AND 64),
	user_id		bigint REFERENCES users (id) ON DELETE CASCADE,
	expires_at	timestamptz NOT NULL,
	revoked_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revoked_tokens_expires_idx ON revoked_tokens (expires_at);

-- Fixed-window counters shared by every Apache process and web node.
CREATE TABLE rate_limits (
	key		text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
	window_start	timestamptz NOT NULL,
	count		integer NOT NULL CHECK (count >= 0)
);
CREATE INDEX rate_limits_window_idx ON rate_limits (window_start);

-- Append-only: the application role may insert and read, never change.
CREATE TABLE audit_logs (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	actor_user_id	bigint REFERENCES users (id) ON DELETE SET NULL,
	action		text NOT NULL CHECK (action ~ '^[a-z][a-z0-9_.]{1,63}$'),
	target_type	text CHECK (length(target_type) <= 64),
	target_id	text CHECK (length(target_id) <= 64),
	details		jsonb NOT NULL DEFAULT '{}'::jsonb,
	ip		text CHECK (length(ip) <= 64),
	request_id	text CHECK (length(request_id) <= 64),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_logs_created_idx ON audit_logs (created_at DESC, id DESC);
CREATE INDEX audit_logs_action_idx ON audit_logs (action, created_at DESC);
CREATE INDEX audit_logs_actor_idx ON audit_logs (actor_user_id, created_at DESC);

CREATE FUNCTION lectern_append_only() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, public
AS $$
BEGIN
	RAISE EXCEPTION '% is append-only', TG_TABLE_NAME
		USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_logs_append_only BEFORE UPDATE OR DELETE ON audit_logs
	FOR EACH ROW EXECUTE FUNCTION lectern_append_only();
CREATE TRIGGER audit_logs_no_truncate BEFORE TRUNCATE ON audit_logs
	FOR EACH STATEMENT EXECUTE FUNCTION lectern_append_only();

-- Every 5xx and upstream failure, for GET /api/admin/error-logs.
CREATE TABLE error_logs (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	request_id	text CHECK (length(request_id) <= 64),
	status		integer NOT NULL CHECK (status BETWEEN 400 AND 599),
	code		text NOT NULL CHECK (length(code) <= 64),
	method		text CHECK (length(method) <= 16),
	path		text CHECK (length(path) <= 512),
	message		text CHECK (length(message) <= 1000),
	created_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX error_logs_created_idx ON error_logs (created_at DESC, id DESC);

-- Single-use password reset tokens, stored as SHA-256 only.
CREATE TABLE password_resets (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id		bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	token_hash	text NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	used_at		timestamptz
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);

-- Mail is queued in the same transaction as the event that sends it and
-- delivered by lectern-mailer.
CREATE TABLE email_outbox (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	to_address	text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
	subject		text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
	body		text NOT NULL CHECK (length(body) <= 100000),
	status		text NOT NULL DEFAULT 'pending'
			CHECK (status IN ('pending', 'sent', 'failed')),
	attempts	integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at	timestamptz NOT NULL DEFAULT now(),
	last_error	text CHECK (length(last_error) <= 1000),
	created_at	timestamptz NOT NULL DEFAULT now(),
	sent_at		timestamptz,
	CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX email_outbox_pending_idx ON email_outbox (next_attempt_at)
	WHERE status = 'pending';

GRANT SELECT, INSERT, UPDATE ON sessions TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON refresh_tokens TO lectern_app;
GRANT SELECT, INSERT ON revoked_tokens TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON rate_limits TO lectern_app;
GRANT SELECT, INSERT ON audit_logs TO lectern_app;
GRANT SELECT, INSERT ON error_logs TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON password_resets TO lectern_app;
GRANT SELECT, INSERT, UPDATE ON email_outbox TO lectern_app;

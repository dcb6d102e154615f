-- lectern 001: the application role, the migration ledger's guard, users.
--
-- scripts/migrate runs each file in one transaction and records it in
-- schema_migrations; files are never edited once applied.

-- The role the CGIs connect as.  Deployments create it with LOGIN and a
-- password (scripts/run does); this only makes sure it exists.
DO $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'lectern_app') THEN
		CREATE ROLE lectern_app NOLOGIN;
	END IF;
END
$$;

-- Nobody but the owner creates objects; the app role only uses them.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO lectern_app;
REVOKE ALL ON TABLE schema_migrations FROM PUBLIC;

-- /health and /ready learn the schema through this function, so the app
-- role needs no privilege on the ledger itself.
CREATE FUNCTION lectern_schema_version() RETURNS text
	LANGUAGE sql STABLE SECURITY DEFINER
	SET search_path = pg_catalog, public
AS $$
	SELECT version FROM public.schema_migrations
	ORDER BY version DESC LIMIT 1
$$;
REVOKE ALL ON FUNCTION lectern_schema_version() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lectern_schema_version() TO lectern_app;

-- Keeps updated_at honest on every UPDATE.
CREATE FUNCTION lectern_touch_updated_at() RETURNS trigger
	LANGUAGE plpgsql
	SET search_path = pg_catalog, public
AS $$
BEGIN
	NEW.updated_at := now();
	RETURN NEW;
END
$$;

CREATE TABLE users (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email		text NOT NULL
			CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
	name		text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
	password_hash	text NOT NULL,
	role		text NOT NULL DEFAULT 'student'
			CHECK (role IN ('student', 'teacher', 'instructor', 'admin')),
	is_active	boolean NOT NULL DEFAULT true,
	created_at	timestamptz NOT NULL DEFAULT now(),
	updated_at	timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
CREATE INDEX users_role_idx ON users (role);
CREATE TRIGGER users_touch BEFORE UPDATE ON users
	FOR EACH ROW EXECUTE FUNCTION lectern_touch_updated_at();

GRANT SELECT, INSERT, UPDATE ON TABLE users TO lectern_app;

-- lectern 015: a version of the public catalogue, so that a FastCGI
-- worker can keep pages of GET /api/courses and ask one row whether
-- they still hold (shared/list.c).
--
-- v is the id of the last transaction that changed what the catalogue
-- shows (a course, or the name of a user, who may be its instructor).
-- Each transaction sets its own id, so a value is never reused for
-- other content, even after a restore from backup brings an old one
-- back with its data.  The row is written by a deferred trigger, at
-- commit: the last lock a transaction takes, so it cannot join a
-- deadlock, and held only while that commit finishes.
CREATE TABLE catalogue_version (
	one	boolean PRIMARY KEY DEFAULT true CHECK (one),
	v	bigint NOT NULL
);
INSERT INTO catalogue_version (v) VALUES (txid_current());

CREATE FUNCTION lectern_catalogue_changed() RETURNS trigger
	LANGUAGE plpgsql SECURITY DEFINER
	SET search_path = pg_catalog, public
AS $$
BEGIN
	UPDATE public.catalogue_version SET v = txid_current()
		WHERE v <> txid_current();
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION lectern_catalogue_changed() FROM PUBLIC;

CREATE CONSTRAINT TRIGGER courses_catalogue
	AFTER INSERT OR UPDATE OR DELETE ON courses
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION lectern_catalogue_changed();
CREATE CONSTRAINT TRIGGER users_catalogue_name
	AFTER UPDATE OF name ON users
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
	EXECUTE FUNCTION lectern_catalogue_changed();
CREATE CONSTRAINT TRIGGER users_catalogue_gone
	AFTER DELETE ON users
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION lectern_catalogue_changed();
CREATE TRIGGER courses_catalogue_truncate AFTER TRUNCATE ON courses
	FOR EACH STATEMENT EXECUTE FUNCTION lectern_catalogue_changed();

GRANT SELECT ON catalogue_version TO lectern_app;

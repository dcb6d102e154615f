-- lectern 005: indexes for list filters that had none (issue item 8).
--
-- t/schema/130-indexes.sql checks with EXPLAIN that every list query of
-- the API reads an index rather than the whole table; these are the
-- filters that failed it.  pg_trgm came with 003.

-- GET /api/admin/users?q=: a case-insensitive substring of the name or
-- the email (name ILIKE '%q%' OR email ILIKE '%q%').  Trigram indexes
-- answer ILIKE directly; the OR becomes a BitmapOr of the two.
CREATE INDEX users_name_trgm_idx ON users USING gin (name gin_trgm_ops);
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);

-- GET /api/admin/audit-logs?target_type=&target_id= (what happened to
-- one user or course, newest first), and the export's "entries about
-- me" (actor or target).
CREATE INDEX audit_logs_target_idx ON audit_logs
	(target_type, target_id, created_at DESC, id DESC);

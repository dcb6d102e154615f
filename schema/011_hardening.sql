-- lectern 011: what hardening needs of the schema.
--
-- The outbox keeps no usable secret once a message is done with: the
-- mailer now drops the body of every message it delivers or abandons;
-- this clears the bodies of those it handled before.
UPDATE email_outbox SET body = '(not kept after delivery)'
	WHERE status IN ('sent', 'failed');

-- Erasure takes what the person wrote and ends their enrollments, so a
-- teacher no longer reads the essay nor sees them on the roster as a
-- student.  The person (or an admin) may do this to their own rows
-- only; enrollments are otherwise changed by staff alone, hence a
-- function of the owner's.
CREATE FUNCTION lectern_erase_work(uid bigint) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
	UPDATE submissions SET content = '(erased)', feedback = NULL
	    WHERE user_id = uid
	    AND (uid = lectern_uid() OR lectern_role() = 'admin');
	UPDATE enrollments SET status = 'revoked'
	    WHERE user_id = uid AND status = 'active'
	    AND (uid = lectern_uid() OR lectern_role() = 'admin');
$$;
REVOKE ALL ON FUNCTION lectern_erase_work(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lectern_erase_work(bigint) TO lectern_app;

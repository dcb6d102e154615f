-- lectern 011: what hardening needs of the schema.
--
-- The outbox keeps no usable secret once a message is done with: the
-- mailer now drops the body of every message it delivers or abandons;
-- this clears the bodies of those it handled before.
UPDATE email_outbox SET body = '(not kept after delivery)'
	WHERE status IN ('sent', 'failed');

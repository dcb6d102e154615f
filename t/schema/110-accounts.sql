-- lectern — pgTAP: sessions, tokens, limits, audit and error logs.
BEGIN;
SELECT plan(16);

SELECT has_table(t) FROM unnest(ARRAY['sessions', 'refresh_tokens',
	'revoked_tokens', 'rate_limits', 'audit_logs', 'error_logs',
	'password_resets', 'email_outbox']) AS t;

-- Only hashes of refresh and reset tokens fit the columns.
INSERT INTO users (email, name, password_hash)
	VALUES ('pgtap-acct@example.com', 'P', 'x');
INSERT INTO sessions (id, user_id, expires_at)
	SELECT 'pgtapsession0000001', id, now() + interval '1 day'
	FROM users WHERE email = 'pgtap-acct@example.com';
SELECT throws_ok(
	$$INSERT INTO refresh_tokens (session_id, token_hash, idle_expires_at)
	  VALUES ('pgtapsession0000001', 'not-a-hash', now())$$,
	'23514', NULL, 'a refresh token that is not a SHA-256 hex is refused');

-- The audit log is append-only, for the app role by privilege and for
-- everyone by trigger.
SELECT ok(has_table_privilege('lectern_app', 'audit_logs', 'INSERT')
	AND has_table_privilege('lectern_app', 'audit_logs', 'SELECT'),
	'the app role may insert and read audit_logs');
SELECT ok(NOT has_table_privilege('lectern_app', 'audit_logs', 'UPDATE')
	AND NOT has_table_privilege('lectern_app', 'audit_logs', 'DELETE')
	AND NOT has_table_privilege('lectern_app', 'audit_logs', 'TRUNCATE'),
	'the app role may not update, delete or truncate audit_logs');
INSERT INTO audit_logs (action, details) VALUES ('test.pgtap', '{}');
SELECT throws_ok($$UPDATE audit_logs SET action = 'x.y' WHERE action = 'test.pgtap'$$,
	'42501', NULL, 'not even the owner may update an audit entry');
SELECT throws_ok($$DELETE FROM audit_logs WHERE action = 'test.pgtap'$$,
	'42501', NULL, '...or delete one');

SET LOCAL ROLE lectern_app;
SELECT throws_ok($$UPDATE audit_logs SET action = 'x.y'$$, '42501', NULL,
	'the app role cannot update audit_logs');
SELECT throws_ok($$DELETE FROM error_logs$$, '42501', NULL,
	'the app role cannot delete error_logs');
SELECT lives_ok($$INSERT INTO audit_logs (action) VALUES ('test.app_insert')$$,
	'the app role can append to audit_logs');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;

-- lectern — pgTAP: user_identities, the Google and Firebase identities.
BEGIN;
SELECT plan(8);

SELECT has_table('user_identities');
SELECT col_is_unique('user_identities', ARRAY['provider', 'subject'],
	'an identity is (provider, subject), once');

INSERT INTO users (email, name, password_hash)
	VALUES ('pgtap-ident@example.com', 'P', 'x');
INSERT INTO user_identities (user_id, provider, subject, email)
	SELECT id, 'google', '1234', email FROM users
	WHERE email = 'pgtap-ident@example.com';
SELECT throws_ok(
	$$INSERT INTO user_identities (user_id, provider, subject)
	  SELECT id, 'google', '1234' FROM users
	  WHERE email = 'pgtap-ident@example.com'$$,
	'23505', NULL, 'the same (provider, subject) twice is refused');
SELECT lives_ok(
	$$INSERT INTO user_identities (user_id, provider, subject)
	  SELECT id, 'firebase', '1234' FROM users
	  WHERE email = 'pgtap-ident@example.com'$$,
	'the same subject at another provider is another identity');
SELECT throws_ok(
	$$INSERT INTO user_identities (user_id, provider, subject)
	  SELECT id, 'facebook', '1' FROM users
	  WHERE email = 'pgtap-ident@example.com'$$,
	'23514', NULL, 'an unknown provider is refused');
SELECT throws_ok(
	$$INSERT INTO user_identities (user_id, provider, subject)
	  SELECT id, 'google', '' FROM users
	  WHERE email = 'pgtap-ident@example.com'$$,
	'23514', NULL, 'an empty subject is refused');

SELECT ok(has_table_privilege('lectern_app', 'user_identities', 'SELECT')
	AND has_table_privilege('lectern_app', 'user_identities', 'INSERT')
	AND has_table_privilege('lectern_app', 'user_identities', 'UPDATE')
	AND has_table_privilege('lectern_app', 'user_identities', 'DELETE'),
	'the app role may read, link, touch and remove identities');

DELETE FROM users WHERE email = 'pgtap-ident@example.com';
SELECT is((SELECT count(*) FROM user_identities WHERE subject = '1234'),
	0::bigint, 'identities go with their user');

SELECT * FROM finish();
ROLLBACK;

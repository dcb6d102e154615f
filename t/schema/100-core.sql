-- lectern — pgTAP: the core schema and the application role's limits.
BEGIN;
SELECT plan(22);

SELECT has_table('schema_migrations');
SELECT has_table('users');
SELECT col_is_pk('users', 'id');
SELECT has_index('users', 'users_email_key');
SELECT index_is_unique('users', 'users_email_key');

-- Roles are a closed set; emails are stored lower-case.
SELECT throws_ok(
	$$INSERT INTO users (email, name, password_hash, role)
	  VALUES ('a@example.com', 'A', 'x', 'superuser')$$,
	'23514', NULL, 'an unknown role is refused');
SELECT throws_ok(
	$$INSERT INTO users (email, name, password_hash)
	  VALUES ('Mixed@Example.com', 'A', 'x')$$,
	'23514', NULL, 'an email that is not lower-case is refused');
SELECT lives_ok(
	$$INSERT INTO users (email, name, password_hash)
	  VALUES ('pgtap-core@example.com', 'A', 'x')$$,
	'a plain student row is accepted');
SELECT throws_ok(
	$$INSERT INTO users (email, name, password_hash)
	  VALUES ('pgtap-core@example.com', 'B', 'y')$$,
	'23505', NULL, 'the same email twice is refused');
SELECT is(
	(SELECT role FROM users WHERE email = 'pgtap-core@example.com'),
	'student', 'the default role is student');

-- The application role: not the owner, not super, no BYPASSRLS.
SELECT isnt((SELECT tableowner FROM pg_tables WHERE tablename = 'users'),
	'lectern_app', 'the app role does not own users');
SELECT is((SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb
	FROM pg_roles WHERE rolname = 'lectern_app'), false,
	'the app role has no superuser, BYPASSRLS, CREATEROLE or CREATEDB');
SELECT ok(NOT has_table_privilege('lectern_app', 'schema_migrations', 'SELECT'),
	'the app role cannot read schema_migrations');
SELECT ok(NOT has_table_privilege('lectern_app', 'schema_migrations', 'INSERT')
	AND NOT has_table_privilege('lectern_app', 'schema_migrations', 'UPDATE')
	AND NOT has_table_privilege('lectern_app', 'schema_migrations', 'DELETE'),
	'the app role cannot change schema_migrations');
SELECT ok(NOT has_table_privilege('lectern_app', 'users', 'DELETE'),
	'the app role cannot delete users (erasure anonymises)');
SELECT ok(NOT has_schema_privilege('lectern_app', 'public', 'CREATE'),
	'the app role cannot create objects in public');
SELECT ok(has_function_privilege('lectern_app', 'lectern_schema_version()',
	'EXECUTE'), 'the app role may ask for the schema version');

-- What the app role can and cannot do, as the app role.
SET LOCAL ROLE lectern_app;
SELECT throws_ok('CREATE TABLE app_made (i int)', '42501', NULL,
	'the app role cannot run DDL');
SELECT throws_ok('DROP TABLE users', '42501', NULL,
	'the app role cannot drop tables');
SELECT throws_ok('DELETE FROM schema_migrations', '42501', NULL,
	'the app role cannot touch schema_migrations');
SELECT matches(lectern_schema_version(), '^[0-9]{3}_[a-z0-9_]+$',
	'lectern_schema_version() answers for the app role');
RESET ROLE;

SELECT cmp_ok(
	(SELECT count(*) FROM schema_migrations)::int, '>=', 1,
	'the ledger records the applied migrations');

SELECT * FROM finish();
ROLLBACK;

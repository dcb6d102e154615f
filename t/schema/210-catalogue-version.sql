-- lectern — pgTAP: the catalogue's version (schema/015) changes with
-- every change the public catalogue shows, at commit, and with nothing
-- else; the application role reads it and cannot write it.
--
-- One transaction, rolled back at the end: the deferred triggers are
-- fired by SET CONSTRAINTS ALL IMMEDIATE, and v is set back to 0 by
-- the superuser between the checks.
BEGIN;
SELECT plan(16);

INSERT INTO users (email, name, password_hash, role) VALUES
	('cv-t@pgtap.test', 'CV Teacher', 'x', 'teacher'),
	('cv-s@pgtap.test', 'CV Student', 'x', 'student');
SELECT (SELECT id FROM users WHERE email = 'cv-t@pgtap.test') AS t_id,
	(SELECT id FROM users WHERE email = 'cv-s@pgtap.test') AS s_id \gset
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;

SELECT is((SELECT count(*) FROM catalogue_version), 1::bigint,
	'the version is one row');

UPDATE catalogue_version SET v = 0;
INSERT INTO courses (instructor_id, title, published)
	VALUES (:t_id, 'CV course', true) RETURNING id AS c_id \gset
SELECT is((SELECT v FROM catalogue_version), 0::bigint,
	'a new course does not move the version before commit');
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT is((SELECT v FROM catalogue_version), txid_current(),
	'...and at commit sets it to the transaction''s id');

-- The version after statement q, from 0, once the deferred triggers
-- have fired.
CREATE FUNCTION pg_temp.version_after(q text) RETURNS bigint
	LANGUAGE plpgsql
AS $$
BEGIN
	UPDATE catalogue_version SET v = 0;
	EXECUTE q;
	SET CONSTRAINTS ALL IMMEDIATE;
	SET CONSTRAINTS ALL DEFERRED;
	RETURN (SELECT v FROM catalogue_version);
END
$$;

SELECT is(pg_temp.version_after(format(
	'UPDATE courses SET title = %L WHERE id = %s', 'CV renamed', :c_id)),
	txid_current(), 'a course changed sets it');
SELECT is(pg_temp.version_after(format(
	'UPDATE users SET email = %L WHERE id = %s', 'cv-t2@pgtap.test',
	:t_id)), 0::bigint, 'a user''s e-mail leaves it');
SELECT is(pg_temp.version_after(format(
	'UPDATE users SET name = %L WHERE id = %s', 'CV Teacher', :t_id)),
	0::bigint, '...and so does a name set to itself');
SELECT is(pg_temp.version_after(format(
	'UPDATE users SET name = %L WHERE id = %s', 'CV Renamed', :t_id)),
	txid_current(),
	'a user''s new name (an instructor''s, shown with the course) sets it');
SELECT is(pg_temp.version_after(format(
	'DELETE FROM courses WHERE id = %s', :c_id)),
	txid_current(), 'a course deleted sets it');
SELECT is(pg_temp.version_after(format(
	'DELETE FROM users WHERE id = %s', :s_id)),
	txid_current(), 'a user deleted sets it');
SELECT is(pg_temp.version_after('TRUNCATE courses CASCADE'),
	txid_current(), 'emptying the courses sets it');

SELECT ok(has_table_privilege('lectern_app', 'catalogue_version', 'SELECT'),
	'the application role reads the version');
SELECT ok(NOT has_table_privilege('lectern_app', 'catalogue_version',
	'INSERT') AND NOT has_table_privilege('lectern_app',
	'catalogue_version', 'UPDATE') AND NOT has_table_privilege(
	'lectern_app', 'catalogue_version', 'DELETE'),
	'...and cannot write it');
SELECT ok(NOT has_function_privilege('lectern_app',
	'lectern_catalogue_changed()', 'EXECUTE'),
	'...nor call the trigger function');

-- As the application role: a course it writes still moves the version
-- (the trigger function writes as its owner).
UPDATE catalogue_version SET v = 0;
SET LOCAL ROLE lectern_app;
SELECT set_config('lectern.user_id', :'t_id', true),
	set_config('lectern.role', 'teacher', true) \g /dev/null
INSERT INTO courses (instructor_id, title) VALUES (:t_id, 'CV draft');
SET CONSTRAINTS ALL IMMEDIATE;
SET CONSTRAINTS ALL DEFERRED;
SELECT is((SELECT v FROM catalogue_version), txid_current(),
	'a course the application role writes sets it');
SELECT throws_ok('UPDATE catalogue_version SET v = 1', '42501', NULL,
	'the application role''s own UPDATE is refused');
RESET ROLE;

SELECT is((SELECT count(*) FROM pg_trigger
	WHERE tgname IN ('courses_catalogue', 'users_catalogue_name',
	    'users_catalogue_gone') AND tgdeferrable AND tginitdeferred),
	3::bigint, 'the three row triggers are deferred to commit');

SELECT * FROM finish();
ROLLBACK;

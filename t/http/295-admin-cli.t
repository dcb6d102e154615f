#!/usr/bin/perl
# lectern — bin/lectern-admin: create-admin, import-users, cleanup, and
# the API seeing what they did.
use strict;
use warnings;
use File::Temp ();
use Test::More;
use Lectern::Test;

base_url();

my $bin = builddir() . '/bin/lectern-admin';
ok(-x $bin, 'bin/lectern-admin is built') or BAIL_OUT("no $bin");
my $dburl = $ENV{LECTERN_TEST_DATABASE_URL}
    or BAIL_OUT('LECTERN_TEST_DATABASE_URL is not set');

# run($stdin, \%env, @args): exit status, standard output and error.
sub run {
	my ($input, $env, @args) = @_;
	my $in = File::Temp->new;
	print $in $input // '';
	close($in);
	my $out = File::Temp->new;
	my $err = File::Temp->new;
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		delete $ENV{LECTERN_DATABASE_URL};
		$ENV{DATABASE_URL} = $dburl;
		@ENV{keys %$env} = values %$env;
		for (grep { !defined $env->{$_} } keys %$env) {
			delete $ENV{$_};
		}
		open(STDIN, '<', $in->filename) or die;
		open(STDOUT, '>', $out->filename) or die;
		open(STDERR, '>', $err->filename) or die;
		exec($bin, @args) or exit(127);
	}
	waitpid($pid, 0);
	my $rc = $? >> 8;
	local $/;
	open(my $fh, '<', $out->filename) or die;
	my $o = <$fh>;
	open($fh, '<', $err->filename) or die;
	my $e = <$fh>;
	return ($rc, $o, $e);
}

sub users_with { sql_one("SELECT count(*) FROM users WHERE email = :'p1'", @_) }

# Help and usage.
my ($rc, $out, $err) = run('', {}, '--help');
is($rc, 0, '--help exits 0');
like($out, qr/create-admin.*import-users.*cleanup/s, '...and lists the commands');
($rc, $out, $err) = run('', {});
is($rc, 2, 'no command exits 2');
like($err, qr/usage:/, '...with the usage');
($rc, undef, $err) = run('', {}, 'frobnicate');
is($rc, 2, 'an unknown command exits 2');
($rc, undef, $err) = run('', {}, 'create-admin', '--email', 'a@example.com');
is($rc, 2, 'create-admin without --name exits 2');
($rc, undef, $err) = run('', {}, 'create-admin', '--email', 'not-an-email',
    '--name', 'X');
is($rc, 2, 'create-admin with a bad email exits 2');
like($err, qr/--email must be a valid email address/, '...saying why');

# An unreachable database: a clear error, and never the URL.
my $secret = 'Sup3r-s3cret-dbpass';
($rc, $out, $err) = run('', { DATABASE_URL =>
    "postgresql://lectern:$secret\@127.0.0.1:1/lectern?connect_timeout=2" },
    'cleanup');
is($rc, 1, 'cleanup with an unreachable database exits 1');
like($err, qr/cannot connect to the database/, '...saying so');
unlike($out . $err, qr/\Q$secret\E/, '...without the password');
($rc, undef, $err) = run('', { DATABASE_URL => undef }, 'cleanup');
is($rc, 1, 'no DATABASE_URL exits 1');
like($err, qr/DATABASE_URL is not set/, '...saying so');

# create-admin with the password on standard input.
my $email = unique_email('cli-admin');
my $pw = strong_password();
($rc, $out, $err) = run("$pw\n", {}, 'create-admin', '--email', uc($email),
    '--name', 'First Admin');
is($rc, 0, 'create-admin with the password on stdin exits 0')
    or diag($err);
like($out, qr/created admin \Q$email\E/, '...and says so');
unlike($out . $err, qr/\Q$pw\E/, '...without echoing the password');
my ($row) = sql("SELECT id, role, is_active, name, password_hash FROM users"
    . " WHERE email = :'p1'", $email);
ok($row, 'the admin exists, the email lower-cased');
is_deeply([@$row[1 .. 3]], ['admin', 't', 'First Admin'], '...active admin');
like($row->[4], qr/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
    '...with an Argon2id hash');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.create_admin'"
    . " AND actor_user_id IS NULL AND target_type = 'user'"
    . " AND target_id = :'p1' AND details = '{\"via\": \"lectern-admin\"}'",
    $row->[0]), 1, '...audited as user.create_admin by nobody, via lectern-admin');
my $r = login_user($email, $pw);
is($r->{status}, 200, 'the new admin signs in through the API');
my $atok = json_body($r)->{access_token};
is(api(GET => '/api/admin/users', token => $atok)->{status}, 200,
    '...and may list the users');

($rc, undef, $err) = run(strong_password() . "\n", {}, 'create-admin',
    '--email', $email, '--name', 'Again');
is($rc, 1, 'create-admin with an existing email exits 1');
like($err, qr/already exists/, '...saying so');
is(sql_one("SELECT name FROM users WHERE email = :'p1'", $email),
    'First Admin', '...and changes nothing');

for my $case (['a dictionary password', 'password1234'],
    ['a short one', 'Zx-81-qv'], ['an empty line', ''],
    ['one equal to the email', undef]) {
	my $e = unique_email('cli-weak');
	($rc, undef, $err) = run(($case->[1] // $e) . "\n", {}, 'create-admin',
	    '--email', $e, '--name', 'Weak');
	isnt($rc, 0, "create-admin with $case->[0] fails");
	is(users_with($e), 0, '...and creates no user');
}
my $e2 = unique_email('cli-min');
($rc, undef, $err) = run("Tidal-otter-9137-quark\n",
    { LECTERN_PASSWORD_MIN => 30 }, 'create-admin', '--email', $e2,
    '--name', 'Min');
is($rc, 1, 'LECTERN_PASSWORD_MIN=30 refuses a 22-character password');
like($err, qr/too short/, '...as too short');
is(users_with($e2), 0, '...and creates no user');
($rc) = run("Tidal-otter-9137-quark\n", {}, 'create-admin', '--email', $e2,
    '--name', 'Min');
is($rc, 0, '...which the default minimum accepts');

# import-users: Werkzeug hashes from the Flask app.
my %old = (
	pbkdf2 => ['Imported-pbkdf2-Walrus-Tide-4417',
	    'pbkdf2:sha256:600000$v9IWuhnwtDOnrmO4$c6c97ee535a4814f57ce1bfa9dcc9'
	    . '5b2b64a716bc7607e9d8ae7e2b6031221b1'],
	scrypt => ['Imported-scrypt-Heron-Canyon-2291',
	    'scrypt:32768:8:1$LOvTi5aRGP3eb2Vx$25a9fdbe55f8191686887542dfc5196d'
	    . '43e717803fd38626201f821c7b44dee34c411d315a83591416ea2a5fcc4baed'
	    . '20b04c65b1cdd5aa2b7d30a170ab88989'],
);
my %imp = map { $_ => unique_email("cli-imp-$_") } keys %old;
my $dup = unique_email('cli-imp-dup');
my $off = unique_email('cli-imp-off');
my $file = File::Temp->new(SUFFIX => '.jsonl');
print $file join("\n",
    qq({"email": "\U$imp{pbkdf2}\E", "name": "Old Pbkdf2", "role": "student",)
    . qq( "password_hash": "$old{pbkdf2}[1]"}),
    '',
    qq({"email": "$imp{scrypt}", "name": "Old Scrypt", "role": "teacher",)
    . qq( "password_hash": "$old{scrypt}[1]", "is_active": true}),
    qq({"email": "$email", "name": "Clash", "role": "student",)
    . qq( "password_hash": "$old{pbkdf2}[1]"}),
    qq({"email": "$dup", "name": "Dup One", "role": "student",)
    . qq( "password_hash": "$old{pbkdf2}[1]"}),
    qq({"email": "$dup", "name": "Dup Two", "role": "student",)
    . qq( "password_hash": "$old{pbkdf2}[1]"}),
    qq({"email": "$off", "name": "Gone", "role": "instructor",)
    . qq( "password_hash": "$old{scrypt}[1]", "is_active": false}),
), "\n";
close($file);
($rc, $out, $err) = run('', {}, 'import-users', $file->filename);
is($rc, 0, 'import-users exits 0') or diag($err);
like($out, qr/imported 4, skipped 2 \(exists\), rejected 0/,
    '...and reports imported, skipped and rejected');
unlike($out . $err, qr/\$v9IWuhnwtDOnrmO4\$|LOvTi5aRGP3eb2Vx/,
    '...without printing a hash');
is(sql_one("SELECT role FROM users WHERE email = :'p1'", $imp{scrypt}),
    'teacher', 'the imported users keep their role');
is(users_with(lc $imp{pbkdf2}), 1, '...their email lower-cased');
is(sql_one("SELECT name FROM users WHERE email = :'p1'", $email),
    'First Admin', 'an existing email is left alone');
is(sql_one("SELECT name FROM users WHERE email = :'p1'", $dup), 'Dup One',
    '...and the first of two equal emails wins');
is(sql_one("SELECT is_active FROM users WHERE email = :'p1'", $off), 'f',
    'is_active false is kept');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.import'"
    . " AND actor_user_id IS NULL AND details->>'imported' = '4'"), 1,
    'the import is audited');
is(sql_one("SELECT a.details->>'role' FROM audit_logs a JOIN users u"
    . " ON a.target_type = 'user' AND a.target_id = u.id::text"
    . " WHERE a.action = 'user.import' AND u.email = :'p1'"
    . " AND a.details->>'email' = u.email", $imp{scrypt}), 'teacher',
    '...and each imported account by its email and role');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.import'"
    . " AND details->>'email' = :'p1'", $email), 0,
    '...but not an existing email it skipped');
for my $k (sort keys %old) {
	$r = login_user($imp{$k}, $old{$k}[0]);
	is($r->{status}, 200, "the $k user signs in with the old password");
	like(sql_one("SELECT password_hash FROM users WHERE email = :'p1'",
	    $imp{$k}), qr/^\$argon2id\$/, '...and is re-hashed to Argon2id');
	is(login_user($imp{$k}, $old{$k}[0])->{status}, 200,
	    '...which still takes the same password');
}
error_ok(login_user($off, $old{scrypt}[0]), 403, 'account_disabled',
    'the inactive imported user is inactive');

# A file with one bad line imports nothing.
my @fresh = map { unique_email("cli-all-$_") } 1 .. 2;
my @bad = (
	qq({"email": "not-an-email", "name": "X", "role": "student", "password_hash": "$old{pbkdf2}[1]"}),
	qq({"email": "$fresh[0]", "name": "X", "role": "superuser", "password_hash": "$old{pbkdf2}[1]"}),
	qq({"email": "$fresh[0]", "name": "X", "role": "student", "password_hash": "md5\$abc"}),
	qq({"email": "$fresh[0]", "name": "X", "role": "student", "password_hash": "plaintext"}),
	qq({"email": "$fresh[0]", "name": "", "role": "student", "password_hash": "$old{pbkdf2}[1]"}),
	qq({"email": "$fresh[0]", "name": "X", "role": "student", "password_hash": "$old{pbkdf2}[1]", "admin": true}),
	qq({"email": "$fresh[0]", "name": "X", "role": "student"}),
	qq({"email": "$fresh[0]", "name": "X", "role": "student", "password_hash": "pbkdf2:sha256:1000\$salt\$ABC"}),
	qq(not json at all),
	qq(["an", "array"]),
);
for my $i (0 .. $#bad) {
	my $f = File::Temp->new(SUFFIX => '.jsonl');
	print $f qq({"email": "$fresh[1]", "name": "Good", "role": "student",)
	    . qq( "password_hash": "$old{scrypt}[1]"}\n);
	print $f "$bad[$i]\n";
	close($f);
	($rc, $out, $err) = run('', {}, 'import-users', $f->filename);
	is($rc, 1, "a file with a bad line ($i) exits 1");
	like($err, qr/line 2 rejected/, '...naming the line');
	is(users_with($fresh[1]), 0, '...and imports nothing');
}
like($out, qr/imported 0, skipped 0 \(exists\), rejected 1/,
    'the report counts the rejected line');
($rc, $out) = run(qq({"email": "$fresh[1]", "name": "Piped", "role":)
    . qq( "student", "password_hash": "$old{scrypt}[1]"}\n), {},
    'import-users', '-');
is($rc, 0, 'import-users - reads standard input');
is(users_with($fresh[1]), 1, '...and imports');
($rc, undef, $err) = run('', {}, 'import-users', '/nonexistent/file');
is($rc, 1, 'import-users with a missing file exits 1');
($rc) = run('', {}, 'import-users');
is($rc, 2, 'import-users without a file exits 2');

# cleanup.
my $u = register_user(tag => 'cli-clean');
my $uid = $u->{user}{id};
sql("INSERT INTO sessions (id, user_id, expires_at) VALUES"
    . " ('cleanup-expired-' || :'p1', :'p1', now() - interval '1 minute'),"
    . " ('cleanup-live-000' || :'p1', :'p1', now() + interval '1 day')", $uid);
sql("INSERT INTO refresh_tokens (session_id, token_hash, idle_expires_at)"
    . " VALUES ('cleanup-expired-' || :'p1', repeat('a', 60) || lpad(:'p1', 4,"
    . " '0'), now())", $uid);
sql("INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES"
    . " ('cleanup-old-' || :'p1', :'p1', now() - interval '1 minute'),"
    . " ('cleanup-new-' || :'p1', :'p1', now() + interval '1 hour')", $uid);
sql("INSERT INTO password_resets (user_id, token_hash, expires_at, used_at)"
    . " VALUES (:'p1', repeat('b', 60) || lpad(:'p1', 4, '0'),"
    . " now() - interval '1 minute', NULL),"
    . " (:'p1', repeat('c', 60) || lpad(:'p1', 4, '0'),"
    . " now() + interval '1 hour', now() - interval '2 days'),"
    . " (:'p1', repeat('d', 60) || lpad(:'p1', 4, '0'),"
    . " now() + interval '1 hour', now() - interval '1 hour'),"
    . " (:'p1', repeat('e', 60) || lpad(:'p1', 4, '0'),"
    . " now() + interval '1 hour', NULL)", $uid);
sql("INSERT INTO rate_limits (key, window_start, count) VALUES"
    . " ('cleanup:old:' || :'p1', now() - interval '3 days', 1),"
    . " ('cleanup:new:' || :'p1', now() - interval '1 minute', 1)", $uid);
($rc, $out, $err) = run('', {}, 'cleanup');
is($rc, 0, 'cleanup exits 0') or diag($err);
like($out, qr/^revoked_tokens: \d+ deleted$/m, '...and prints counts')
    or diag($out);
like($out, qr/^rate_limits: \d+ deleted$/m, '...for each table');
is(sql_one("SELECT string_agg(jti, ',' ORDER BY jti) FROM revoked_tokens"
    . " WHERE user_id = :'p1'", $uid), "cleanup-new-$uid",
    'expired revoked tokens are gone, live ones stay');
is(sql_one("SELECT string_agg(id, ',') FROM sessions WHERE user_id = :'p1'"
    . " AND id LIKE 'cleanup%'", $uid), "cleanup-live-000$uid",
    'expired sessions are gone');
is(sql_one("SELECT count(*) FROM refresh_tokens WHERE session_id ="
    . " 'cleanup-expired-' || :'p1'", $uid), 0, '...with their refresh tokens');
is(sql_one("SELECT string_agg(left(token_hash, 1), '' ORDER BY token_hash)"
    . " FROM password_resets WHERE user_id = :'p1'", $uid), 'de',
    'expired resets and those used over a day ago are gone');
is(sql_one("SELECT string_agg(key, ',') FROM rate_limits WHERE key LIKE"
    . " 'cleanup:%' || :'p1'", $uid), "cleanup:new:$uid",
    'old rate-limit windows are gone');
is(login_user($u->{email}, $u->{password})->{status}, 200,
    'the user is untouched');

done_testing();

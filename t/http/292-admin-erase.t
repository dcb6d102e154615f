#!/usr/bin/perl
# lectern — GET /api/admin/users/{id}/export and DELETE
# /api/admin/users/{id}: an admin exports and erases a user's data on
# their behalf, without their password; both are audited, the erasure is
# the user's own (sign-in identities gone, essay text gone, roster entry
# ended, sessions revoked), and the last active admin cannot be erased.
use strict;
use warnings;
use JSON::PP;
use Test::More;
use Lectern::Test;

base_url();
my $admin = user_with_role('admin', tag => 'er-a');
my $atok = $admin->{access_token};
my $teacher = user_with_role('teacher', tag => 'er-t');
my $ttok = $teacher->{access_token};
my $stu = register_user(tag => 'er-s');
my ($stok, $sid) = ($stu->{access_token}, $stu->{user}{id});

my $course = json_body(api(POST => '/api/courses', token => $ttok,
    json => { title => 'Erasure course', price => '0.00',
    published => JSON::PP::true }))->{id};
defined $course or BAIL_OUT('the teacher could not create a course');
my $r = api(POST => "/api/courses/$course/enroll", token => $stok);
is($r->{status}, 201, 'the student enrolls') or diag($r->{content});
my $cw = json_body(api(POST => "/api/courses/$course/classwork",
    token => $ttok, json => { title => 'Essay',
    instructions => 'Write about yourself' }))->{id};
$r = api(POST => "/api/classwork/$cw/submissions", token => $stok,
    json => { content => 'I am Meera from Lake Road' });
is($r->{status}, 201, 'and hands in an essay') or diag($r->{content});
my $subject = 'er-subject-' . $$ . '-' . time;
sql("INSERT INTO user_identities (user_id, provider, subject, email)"
    . " VALUES (:'p1', 'google', :'p2', :'p3')", $sid, $subject,
    $stu->{email});

# Export on the user's behalf.
$r = api(GET => "/api/admin/users/$sid/export", token => $stok);
error_ok($r, 403, 'forbidden', 'a student cannot export another account');
$r = api(GET => "/api/admin/users/$sid/export", token => $atok);
is($r->{status}, 200, 'the admin exports the student') or diag($r->{content});
my $doc = json_body($r);
is($doc->{user}{id}, $sid, '...the right user');
is($doc->{user}{email}, $stu->{email}, '...with their email');
is(scalar @{ $doc->{enrollments} }, 1, '...their enrollment');
is($doc->{submissions}[0]{content}, 'I am Meera from Lake Road',
    '...their essay');
is($doc->{identities}[0]{subject}, $subject, '...their sign-in identity');
ok(!grep({ $_->{current} } @{ $doc->{sessions} }),
    '...and no session is marked current (it is not theirs)');
unlike($r->{content}, qr/password_hash|token_hash|\$argon2/,
    '...and no secret');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.export'"
    . " AND actor_user_id = :'p1' AND target_id = :'p2'",
    $admin->{user}{id}, $sid), 1, 'the export is audited');
$r = api(GET => '/api/admin/users/999999999/export', token => $atok);
error_ok($r, 404, 'not_found', 'an unknown user: 404');

# Erasure on the user's behalf.
$r = api(DELETE => "/api/admin/users/$sid", token => $stok);
error_ok($r, 403, 'forbidden', 'a student cannot erase an account');
$r = api(DELETE => "/api/admin/users/$sid", token => $atok,
    json => { password => 'x' });
error_ok($r, 400, 'validation_failed',
    'a body is refused (no password is asked)');
is(sql_one("SELECT name FROM users WHERE id = :'p1'", $sid),
    $stu->{user}{name}, '...and nothing was erased');
$r = api(DELETE => "/api/admin/users/$sid", token => $atok);
is($r->{status}, 204, 'the admin erases the student') or diag($r->{content});
is(sql_one("SELECT name || ' ' || email || ' ' || is_active FROM users"
    . " WHERE id = :'p1'", $sid),
    "Deleted user deleted-$sid\@invalid.invalid false",
    'name and email are gone, the account inactive');
is(sql_one("SELECT count(*) FROM user_identities WHERE user_id = :'p1'",
    $sid), 0, 'the Google identity is removed');
is(sql_one("SELECT content FROM submissions WHERE user_id = :'p1'", $sid),
    '(erased)', 'the essay text is erased');
is(sql_one("SELECT status FROM enrollments WHERE user_id = :'p1'", $sid),
    'revoked', 'the roster entry is ended');
error_ok(api(GET => '/api/auth/me', token => $stok), 401, 'unauthorized',
    "the student's session is revoked");
is(login_user($stu->{email}, $stu->{password})->{status}, 401,
    'the old password no longer signs in');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.erase'"
    . " AND actor_user_id = :'p1' AND target_id = :'p2'",
    $admin->{user}{id}, $sid), 1, 'the erasure is audited with the admin');
$r = api(DELETE => "/api/admin/users/$sid", token => $atok);
is($r->{status}, 204, 'erasing again is harmless');
$r = api(DELETE => '/api/admin/users/999999999', token => $atok);
error_ok($r, 404, 'not_found', 'an unknown user: 404');

# The last active admin.
my $solo = user_with_role('admin', tag => 'er-solo');
my $soloid = $solo->{user}{id};
my @last = as_last_admin($soloid, sub {
	(api(DELETE => "/api/admin/users/$soloid",
	    token => $solo->{access_token}),
	 api(DELETE => '/api/auth/me', token => $solo->{access_token},
	    json => { password => $solo->{password} }));
});
error_ok($last[0], 409, 'conflict', 'the last active admin cannot be erased');
like(json_body($last[0])->{error}{message}, qr/last active admin/,
    '...with a clear message');
error_ok($last[1], 409, 'conflict', '...not even by themselves');
is(sql_one("SELECT is_active FROM users WHERE id = :'p1'", $soloid), 't',
    '...and nothing changed');
$r = api(DELETE => "/api/admin/users/$soloid", token => $atok);
is($r->{status}, 204, 'with another admin about, an admin can be erased');

done_testing();

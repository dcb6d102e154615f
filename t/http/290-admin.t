#!/usr/bin/perl
# lectern — the admin API: POST /api/auth/admin/create-teacher,
# GET /api/admin/users, GET and PATCH /api/admin/users/{id} (with the
# last-admin rule), GET /api/admin/audit-logs and /api/admin/error-logs.
use strict;
use warnings;
use utf8;
use Test::More;
use Lectern::Test;

base_url();

# A query string from pairs, percent-encoded.
sub qs {
	my @kv = @_;
	my @out;
	while (my ($k, $v) = splice(@kv, 0, 2)) {
		(my $e = $v) =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord($1))/ge;
		push @out, "$k=$e";
	}
	return '?' . join('&', @out);
}

sub field_error {
	my ($r, $field, $what) = @_;
	error_ok($r, 400, 'validation_failed', $what);
	ok(json_body($r)->{error}{fields}{$field}, "...names $field");
}

my $ts_re = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
my $admin = user_with_role('admin', tag => 'adm');
my $atok = $admin->{access_token};
my $aid = $admin->{user}{id};
my $student = register_user(tag => 'adm-stu');
my $sid = $student->{user}{id};
my $teacher = user_with_role('teacher', tag => 'adm-tch');

sub as_admin { my ($m, $p, %o) = @_; api($m, $p, token => $atok, %o) }

# Who may call: admins only.
my $refused = unique_email('adm-refused');
my @calls = (
	[POST => '/api/auth/admin/create-teacher', { name => 'T',
	    email => $refused, password => strong_password() }],
	[GET => '/api/admin/users'],
	[GET => "/api/admin/users/$sid"],
	[PATCH => "/api/admin/users/$sid", { name => 'Renamed' }],
	[GET => '/api/admin/audit-logs'],
	[GET => '/api/admin/error-logs'],
);
for my $c (@calls) {
	my ($m, $p, $body) = @$c;
	my %j = $body ? (json => $body) : ();
	error_ok(api($m, $p, %j, token => $student->{access_token}), 403,
	    'forbidden', "$m $p as a student");
	error_ok(api($m, $p, %j, token => $teacher->{access_token}), 403,
	    'forbidden', "$m $p as a teacher");
	my $r = api($m, $p, %j);
	error_ok($r, 401, 'unauthorized', "$m $p without a token");
	is($r->{headers}{'www-authenticate'}, 'Bearer',
	    '...with WWW-Authenticate: Bearer');
}
is(sql_one("SELECT name FROM users WHERE id = :'p1'", $sid), 'Test User',
    'the refused PATCH changed nothing');
is(sql_one("SELECT count(*) FROM users WHERE email = :'p1'", $refused), 0,
    '...nor did the refused create-teacher');

# The list: filters and paging.
my $tag = "zq$$" . time();
my @mine = map { register_user(tag => "$tag-$_", name => "Lister $tag $_") }
    1 .. 5;
my $r = as_admin(GET => '/api/admin/users' . qs(q => uc($tag), per_page => 2));
is($r->{status}, 200, 'the user list answers 200');
my $j = json_body($r);
is($j->{total}, 5, '...with q matching five users, case-insensitively');
is($j->{total_pages}, 3, '...on three pages of two');
is($j->{page}, 1, '...page 1');
is($j->{per_page}, 2, '...per_page 2');
ok($j->{has_next} && !$j->{has_prev}, '...has_next and not has_prev');
is_deeply([map { $_->{id} } @{ $j->{items} }],
    [map { $_->{user}{id} } @mine[0, 1]], '...the first two, by id');
is_deeply([sort keys %{ $j->{items}[0] }],
    [qw(created_at email id is_active name role updated_at)],
    '...as user objects without the password hash');
like($r->{headers}{link} // '',
    qr/<[^>]*\?q=\Q${\ uc($tag)}\E&page=2&per_page=2>; rel="next"/,
    '...and a Link rel="next" that keeps q');
unlike($r->{headers}{link} // '', qr/rel="prev"/, '...and no rel="prev"');
is($r->{headers}{'cache-control'}, 'no-store', '...not cached');

$r = as_admin(GET => '/api/admin/users' . qs(q => $tag, per_page => 2,
    page => 3));
$j = json_body($r);
is(scalar @{ $j->{items} }, 1, 'the last page holds the fifth');
ok(!$j->{has_next} && $j->{has_prev}, '...has_prev and not has_next');
like($r->{headers}{link} // '', qr/page=2&per_page=2>; rel="prev"/,
    '...and Link rel="prev"');
$r = as_admin(GET => '/api/admin/users' . qs(q => $tag, page => 9));
$j = json_body($r);
is($r->{status}, 200, 'a page past the end answers 200');
is_deeply($j->{items}, [], '...with no items');
is($j->{total}, 5, '...and the total still right');

$r = as_admin(GET => '/api/admin/users' . qs(q => $teacher->{email},
    role => 'teacher'));
$j = json_body($r);
is($j->{total}, 1, 'role=teacher with q finds the teacher');
is($j->{items}[0]{id}, $teacher->{user}{id}, '...by id');
$r = as_admin(GET => '/api/admin/users' . qs(q => $teacher->{email},
    role => 'student'));
is(json_body($r)->{total}, 0, '...and role=student does not');
$r = as_admin(GET => '/api/admin/users' . qs(role => 'admin',
    per_page => 100));
ok(!grep({ $_->{role} ne 'admin' } @{ json_body($r)->{items} }),
    'role=admin lists only admins');
ok(grep({ $_->{id} == $aid } @{ json_body($r)->{items} }),
    '...this one among them');

my $lit = register_user(tag => "$tag-lit", name => "Lit a%b_c\\d $tag");
$r = as_admin(GET => '/api/admin/users' . qs(q => 'A%B_C\\D'));
ok(grep({ $_->{id} == $lit->{user}{id} } @{ json_body($r)->{items} }),
    'q with %, _ and \\ finds them literally');
for my $q ('a_b', 'a%c', 'b\\_c') {
	$r = as_admin(GET => '/api/admin/users' . qs(q => $q));
	ok(!grep({ $_->{id} == $lit->{user}{id} } @{ json_body($r)->{items} }),
	    "...and q=$q is no wildcard");
}

field_error(as_admin(GET => '/api/admin/users?role=superuser'), 'role',
    'role=superuser');
field_error(as_admin(GET => '/api/admin/users?is_active=yes'), 'is_active',
    'is_active=yes');
field_error(as_admin(GET => '/api/admin/users' . qs(q => 'x' x 101)), 'q',
    'q of 101 characters');
is(as_admin(GET => '/api/admin/users' . qs(q => 'x' x 100))->{status}, 200,
    '...while 100 are fine');
for my $bad ('per_page=0', 'per_page=101', 'page=0', 'page=abc',
    'per_page=abc', 'page=-1') {
	my ($f) = $bad =~ /^(\w+)=/;
	field_error(as_admin(GET => "/api/admin/users?$bad"), $f, $bad);
}
error_ok(as_admin(GET => '/api/admin/users?page=1&page=2'), 400,
    'validation_failed', 'page given twice');

# GET one.
$r = as_admin(GET => "/api/admin/users/$sid");
is($r->{status}, 200, 'GET /api/admin/users/{id} answers 200');
$j = json_body($r);
is($j->{id}, $sid, '...with the user');
is($j->{email}, $student->{email}, '...their email');
is($j->{role}, 'student', '...their role');
like($j->{created_at} // '', $ts_re, '...and RFC 3339 times');
ok(!exists $j->{password_hash}, '...and no password hash');
my $none = sql_one('SELECT coalesce(max(id), 0) + 1000 FROM users');
error_ok(as_admin(GET => "/api/admin/users/$none"), 404, 'not_found',
    'an unknown id');
for my $bad ('0', '007', '99999999999999999999', 'abc') {
	error_ok(as_admin(GET => "/api/admin/users/$bad"), 404, 'not_found',
	    "a malformed id ($bad)");
}

# PATCH.
$r = as_admin(PATCH => "/api/admin/users/$sid", json => { name => ' Ravi K ' });
is($r->{status}, 200, 'PATCH name answers 200');
is(json_body($r)->{name}, 'Ravi K', '...with the name trimmed');
my $rid = $r->{headers}{'x-request-id'};
my ($row) = sql("SELECT actor_user_id, target_type,"
    . " details->'before'->>'name', details->'after'->>'name',"
    . " details ? 'role', request_id FROM audit_logs"
    . " WHERE action = 'user.update' AND target_id = :'p1'"
    . " ORDER BY id DESC LIMIT 1", $sid);
is_deeply($row, [$aid, 'user', 'Test User', 'Ravi K', 'f', $rid],
    '...audited as user.update with before and after of the name only');

field_error(as_admin(PATCH => "/api/admin/users/$sid",
    json => { email => 'x@example.com' }), 'email', 'PATCH email');
field_error(as_admin(PATCH => "/api/admin/users/$sid",
    json => { role => 'superuser' }), 'role', 'PATCH role=superuser');
field_error(as_admin(PATCH => "/api/admin/users/$sid",
    json => { is_active => 'no' }), 'is_active', 'PATCH is_active="no"');
field_error(as_admin(PATCH => "/api/admin/users/$sid", json => {}), 'body',
    'PATCH with nothing to change');
error_ok(as_admin(PATCH => "/api/admin/users/$none", json => { name => 'X' }),
    404, 'not_found', 'PATCH of an unknown id');
error_ok(as_admin(PATCH => '/api/admin/users/0', json => { name => 'X' }),
    404, 'not_found', 'PATCH of a malformed id');

my $audits = sql_one("SELECT count(*) FROM audit_logs WHERE target_id = :'p1'",
    $sid);
$r = as_admin(PATCH => "/api/admin/users/$sid", json => { name => 'Ravi K' });
is($r->{status}, 200, 'a PATCH that changes nothing answers 200');
is(sql_one("SELECT count(*) FROM audit_logs WHERE target_id = :'p1'", $sid),
    $audits, '...and audits nothing');

# Promote and demote.
$r = as_admin(PATCH => "/api/admin/users/$sid", json => { role => 'admin' });
is(json_body($r)->{role}, 'admin', 'promoting a student to admin');
is(api(GET => '/api/admin/users', token => $student->{access_token})->{status},
    200, '...whose token then works on the admin API at once');
$r = as_admin(PATCH => "/api/admin/users/$sid", json => { role => 'teacher' });
is(json_body($r)->{role}, 'teacher', 'demoting them to teacher');
error_ok(api(GET => '/api/admin/users', token => $student->{access_token}),
    403, 'forbidden', '...takes the admin API away at once');
is_deeply([map { "$_->[0]>$_->[1]" } sql("SELECT details->>'from',"
    . " details->>'to' FROM audit_logs WHERE action = 'user.role_change'"
    . " AND target_id = :'p1' AND actor_user_id = :'p2' ORDER BY id",
    $sid, $aid)], ['student>admin', 'admin>teacher'],
    'both role changes are audited as user.role_change');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.update'"
    . " AND target_id = :'p1' AND details->'before'->>'role' = 'admin'"
    . " AND details->'after'->>'role' = 'teacher'", $sid), 1,
    '...and as user.update with the role before and after');

# Deactivate.
my $s2 = json_body(login_user($student->{email}, $student->{password}));
$r = as_admin(PATCH => "/api/admin/users/$sid",
    json => { is_active => JSON::PP::false });
is($r->{status}, 200, 'deactivating a user answers 200');
ok(!json_body($r)->{is_active}, '...with is_active false');
is(sql_one("SELECT count(*) FROM sessions WHERE user_id = :'p1'"
    . " AND revoked_at IS NULL", $sid), 0, 'every session is revoked');
ok(sql_one("SELECT count(*) FROM sessions WHERE user_id = :'p1'"
    . " AND revoked_reason = 'admin'", $sid) >= 2,
    '...with the reason admin');
# The session went with the deactivation, so the token is simply no
# longer valid (401); a token whose session were still live would get
# 403 account_disabled (t/http/260-tokens.t).
for my $t ($student->{access_token}, $s2->{access_token}) {
	error_ok(api(GET => '/api/auth/me', token => $t), 401, 'unauthorized',
	    'the deactivated user\'s token');
}
error_ok(api(POST => '/api/auth/refresh',
    json => { refresh_token => $s2->{refresh_token} }), 401, 'unauthorized',
    '...and their refresh token');
error_ok(login_user($student->{email}, $student->{password}), 403,
    'account_disabled', '...and their login says account_disabled');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.update'"
    . " AND target_id = :'p1' AND details->'before'->>'is_active' = 'true'"
    . " AND details->'after'->>'is_active' = 'false'", $sid), 1,
    'the deactivation is audited');
$r = as_admin(GET => '/api/admin/users' . qs(is_active => 'false',
    q => $student->{email}));
is(json_body($r)->{total}, 1, 'is_active=false lists them');
$r = as_admin(GET => '/api/admin/users' . qs(is_active => 'true',
    q => $student->{email}));
is(json_body($r)->{total}, 0, '...and is_active=true does not');
$r = as_admin(PATCH => "/api/admin/users/$sid",
    json => { is_active => JSON::PP::true });
ok(json_body($r)->{is_active}, 'reactivating them');
is(login_user($student->{email}, $student->{password})->{status}, 200,
    '...lets them sign in again');

# The last active admin.
my $solo = user_with_role('admin', tag => 'adm-solo');
my $soloid = $solo->{user}{id};
my @others = map { $_->[0] } sql("SELECT id FROM users WHERE role = 'admin'"
    . " AND is_active AND id <> :'p1'", $soloid);
my @last = as_last_admin($soloid, sub {
	(api(PATCH => "/api/admin/users/$soloid", token => $solo->{access_token},
	    json => { role => 'student' }),
	 api(PATCH => "/api/admin/users/$soloid", token => $solo->{access_token},
	    json => { is_active => JSON::PP::false }),
	 api(PATCH => "/api/admin/users/$soloid", token => $solo->{access_token},
	    json => { name => 'Solo', role => 'admin' }));
});
error_ok($last[0], 409, 'conflict', 'the only active admin demoting itself');
like(json_body($last[0])->{error}{message}, qr/last active admin/,
    '...with a clear message');
error_ok($last[1], 409, 'conflict', '...or deactivating itself');
is(sql_one("SELECT role || '/' || is_active FROM users WHERE id = :'p1'",
    $soloid), 'admin/true', '...changes nothing');
is($last[2]->{status}, 200, '...while renaming itself is fine');
$r = api(PATCH => "/api/admin/users/$soloid", token => $solo->{access_token},
    json => { role => 'teacher' });
is($r->{status}, 200, 'with the other admins back, it may step down');
is(sql_one("SELECT count(*) FROM users WHERE role = 'admin' AND is_active"
    . " AND id = ANY(:'p1'::bigint[])", '{' . join(',', @others) . '}'),
    scalar @others, '...and the other admins are as they were');

# create-teacher.
my $temail = unique_email('adm-teacher');
my $tpw = strong_password();
$r = as_admin(POST => '/api/auth/admin/create-teacher',
    json => { name => 'Meera T', email => uc($temail), password => $tpw });
is($r->{status}, 201, 'create-teacher answers 201');
$j = json_body($r);
is($j->{role}, 'teacher', '...with a teacher');
is($j->{email}, $temail, '...the email lower-cased');
ok(!exists $j->{access_token} && !exists $j->{refresh_token},
    '...and no tokens');
is($r->{headers}{location}, "/api/admin/users/$j->{id}",
    '...and Location /api/admin/users/<id>');
like(sql_one("SELECT password_hash FROM users WHERE id = :'p1'", $j->{id}),
    qr/^\$argon2id\$/, 'the password is stored as Argon2id');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action ="
    . " 'user.create_teacher' AND actor_user_id = :'p1' AND target_id = :'p2'"
    . " AND details::text NOT LIKE '%' || :'p3' || '%'", $aid, $j->{id}, $tpw),
    1, '...audited as user.create_teacher, without the password');
$r = login_user($temail, $tpw);
is($r->{status}, 200, 'the teacher can sign in');
is(json_body($r)->{user}{role}, 'teacher', '...as a teacher');
error_ok(as_admin(POST => '/api/auth/admin/create-teacher',
    json => { name => 'Again', email => $temail, password => strong_password() }),
    409, 'email_taken', 'create-teacher with a taken email');
field_error(as_admin(POST => '/api/auth/admin/create-teacher',
    json => { name => 'W', email => unique_email('adm-weak'),
    password => 'password1234' }), 'password', 'a weak password');
field_error(as_admin(POST => '/api/auth/admin/create-teacher',
    json => { name => 'W', email => unique_email('adm-role'),
    password => strong_password(), role => 'admin' }), 'role',
    'create-teacher with a role');
field_error(as_admin(POST => '/api/auth/admin/create-teacher',
    json => { name => 'W', password => strong_password() }), 'email',
    'create-teacher without an email');

# The audit log.
$r = as_admin(GET => '/api/admin/audit-logs' . qs(action => 'user.role_change',
    target_id => $sid));
is($r->{status}, 200, 'the audit log answers 200');
$j = json_body($r);
is($j->{total}, 2, '...with the two role changes of the user');
is_deeply([map { $_->{details}{to} } @{ $j->{items} }], ['teacher', 'admin'],
    '...newest first, details as objects');
my $e = $j->{items}[0];
is_deeply([sort keys %$e], [qw(action actor_user_id created_at details id ip
    request_id target_id target_type)], '...each with the documented fields');
is($e->{actor_user_id}, $aid, '...the actor');
is($e->{target_type}, 'user', '...the target type');
is($e->{target_id}, "$sid", '...the target id as a string');
like($e->{created_at}, $ts_re, '...an RFC 3339 time');
ok(length($e->{ip} // '') && length($e->{request_id} // ''),
    '...the address and the request id');
$r = as_admin(GET => '/api/admin/audit-logs' . qs(actor_user_id => $aid,
    target_type => 'user', per_page => 100));
$j = json_body($r);
ok($j->{total} >= 8, 'actor_user_id finds this admin\'s entries');
ok(!grep({ ($_->{actor_user_id} // 0) != $aid } @{ $j->{items} }),
    '...and only those');
my @ids = map { $_->{id} } @{ $j->{items} };
is_deeply(\@ids, [sort { $b <=> $a } @ids], '...newest first');
$r = as_admin(GET => '/api/admin/audit-logs' . qs(target_id => $sid,
    from => '2000-01-01T00:00:00Z', to => '2999-01-01T00:00:00+05:30'));
ok(json_body($r)->{total} >= 5, 'from and to around now find them');
$r = as_admin(GET => '/api/admin/audit-logs' . qs(target_id => $sid,
    from => '2999-01-01T00:00:00.5Z'));
is(json_body($r)->{total}, 0, '...from in the future finds none');
$r = as_admin(GET => '/api/admin/audit-logs' . qs(target_id => $sid,
    to => '2000-01-01t00:00:00z'));
is(json_body($r)->{total}, 0, '...nor to in the past');
$r = as_admin(GET => '/api/admin/audit-logs' . qs(action => 'user.update',
    target_id => $sid, per_page => 1));
like($r->{headers}{link} // '', qr/rel="next"/, 'the audit log pages with Link');
for my $bad (['from', 'yesterday'], ['from', '2026-02-30T00:00:00Z'],
    ['to', '2026-01-01 00:00:00'], ['to', '2026-01-01T00:00:00'],
    ['from', '2026-01-01T24:00:00Z'], ['to', '2026-01-01T00:00:00+5:30'],
    ['from', '2026-01-01T00:00:00+16:00'],
    ['actor_user_id', 'abc'], ['actor_user_id', '0'],
    ['action', 'x' x 65], ['per_page', '0']) {
	field_error(as_admin(GET => '/api/admin/audit-logs' . qs(@$bad)),
	    $bad->[0], "audit logs with $bad->[0]=$bad->[1]");
}

# The error log.
my $etag = "errtest-$$-" . time();
sql("INSERT INTO error_logs (request_id, status, code, method, path, message,"
    . " created_at) VALUES (:'p1' || '-old', 502, 'upstream_error', 'POST',"
    . " '/api/payments/create-order', 'gateway timed out',"
    . " now() - interval '1 hour'), (:'p1', 500, 'internal', 'GET',"
    . " '/api/courses', 'internal error', now())", $etag);
$r = as_admin(GET => '/api/admin/error-logs' . qs(per_page => 100));
is($r->{status}, 200, 'the error log answers 200');
my @errs = grep { ($_->{request_id} // '') =~ /^\Q$etag\E/ }
    @{ json_body($r)->{items} };
is_deeply([map { $_->{request_id} } @errs], [$etag, "$etag-old"],
    '...with both rows, newest first');
is_deeply([sort keys %{ $errs[0] }], [qw(code created_at id message method
    path request_id status)], '...each with its fields');
is($errs[1]{status}, 502, '...the status as a number');
like($errs[1]{created_at}, $ts_re, '...an RFC 3339 time');
$r = as_admin(GET => '/api/admin/error-logs' . qs(status => 502,
    code => 'upstream_error', per_page => 100));
@errs = @{ json_body($r)->{items} };
ok(@errs && !grep({ $_->{status} != 502 || $_->{code} ne 'upstream_error' }
    @errs), 'status and code filter');
ok(grep({ $_->{request_id} eq "$etag-old" } @errs), '...and find the row');
$r = as_admin(GET => '/api/admin/error-logs' . qs(status => 500,
    from => '2999-01-01T00:00:00Z'));
is(json_body($r)->{total}, 0, '...as does from');
for my $bad (['status', 'abc'], ['status', '200'], ['status', '5000'],
    ['from', 'now'], ['to', '2026-13-01T00:00:00Z'], ['page', 'abc']) {
	field_error(as_admin(GET => '/api/admin/error-logs' . qs(@$bad)),
	    $bad->[0], "error logs with $bad->[0]=$bad->[1]");
}

done_testing();

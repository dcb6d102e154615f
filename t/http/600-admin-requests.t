#!/usr/bin/perl
# lectern — admin requests (SPEC §3): a user asks, proves the address
# with the mailed single-use token, an admin approves (the user becomes
# an admin) or rejects; every step audited; students cannot list or
# decide; one pending request per user.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();

my $admin = user_with_role('admin', tag => 'ar-adm');
my $atok = $admin->{access_token};
my $u = register_user(tag => 'ar-user', name => 'Hopeful Admin');
my $uid = $u->{user}{id};
my $tok = $u->{access_token};

# The verification token of the newest admin-request mail to email.
sub mailed_token {
	my ($email) = @_;
	my $body = sql_one("SELECT replace(body, E'\\n', ' ') FROM email_outbox"
	    . " WHERE to_address = :'p1' AND subject LIKE '%admin request%'"
	    . " ORDER BY id DESC LIMIT 1", $email) // '';
	return $body =~ /token=([A-Za-z0-9_-]+)/ ? $1 : undef;
}

sub audit_count {
	my ($action, $id) = @_;
	return sql_one("SELECT count(*) FROM audit_logs WHERE action = :'p1'"
	    . " AND target_type = 'admin_request' AND target_id = :'p2'",
	    $action, $id);
}

# Validation and sign-in.
my $r = api(POST => '/api/admin-requests', json => { reason => 'x' });
error_ok($r, 401, 'unauthorized', 'asking without signing in');
$r = api(POST => '/api/admin-requests', token => $tok, json => {});
error_ok($r, 400, 'validation_failed', 'asking without a reason');
$r = api(POST => '/api/admin-requests', token => $tok,
    json => { reason => 'r', extra => 1 });
error_ok($r, 400, 'validation_failed', 'an unknown field');

# 1. Ask: pending, not verified, a mail with a token stored hashed.
$r = api(POST => '/api/admin-requests', token => $tok,
    json => { reason => "I run the\nevening classes", phone => '+91 98450 12345' });
is($r->{status}, 201, 'a user asks to become an admin: 201')
    or diag($r->{content});
my $q = json_body($r);
my $qid = $q->{id};
is_deeply([@$q{qw(status email_verified reason phone)}],
    ['pending', JSON::PP::false, "I run the\nevening classes",
    '+91 98450 12345'], '...pending, unverified, with reason and phone');
is($q->{user}{id}, $uid, '...for the user');
my $token = mailed_token($u->{email});
ok($token, 'a verification mail with a token is queued');
is(sql_one("SELECT count(*) FROM admin_requests WHERE id = :'p1'"
    . " AND token_hash IS NOT NULL AND token_hash <> :'p2'"
    . " AND token_expires_at BETWEEN now() + interval '23 hours'"
    . " AND now() + interval '25 hours'", $qid, $token // ''), 1,
    '...stored only as a hash, valid 24 hours');
is(audit_count('admin_request.create', $qid), 1, '...and the request is audited');

# One pending request per user.
$r = api(POST => '/api/admin-requests', token => $tok,
    json => { reason => 'again' });
error_ok($r, 409, 'conflict', 'a second pending request');

# A student cannot list or decide.
$r = api(GET => '/api/admin/admin-requests', token => $tok);
error_ok($r, 403, 'forbidden', 'a student listing requests');
$r = api(POST => "/api/admin/admin-requests/$qid/approve", token => $tok,
    json => {});
error_ok($r, 403, 'forbidden', 'a student approving');

# 2. Approving an unverified request is 409.
$r = api(POST => "/api/admin/admin-requests/$qid/approve", token => $atok);
error_ok($r, 409, 'conflict', 'approving before the email is verified');

# 3. Verify with a wrong token, then the right one, then again.
$r = api(POST => '/api/admin-requests/verify', json => { token => 'nope' . ('x' x 40) });
error_ok($r, 400, 'validation_failed', 'a wrong token');
$r = api(POST => '/api/admin-requests/verify', json => { token => $token });
is($r->{status}, 200, 'the mailed token verifies the request')
    or diag($r->{content});
is(json_body($r)->{email_verified}, JSON::PP::true, '...email_verified');
is(audit_count('admin_request.verify', $qid), 1, '...audited');
$r = api(POST => '/api/admin-requests/verify', json => { token => $token });
error_ok($r, 400, 'validation_failed', 'the token is single-use');

# The admin's list, filtered.
$r = api(GET => '/api/admin/admin-requests?status=pending&per_page=100',
    token => $atok);
is($r->{status}, 200, 'an admin lists pending requests');
ok((grep { $_->{id} == $qid } @{ json_body($r)->{items} || [] }),
    '...ours is among them');
$r = api(GET => '/api/admin/admin-requests?status=maybe', token => $atok);
error_ok($r, 400, 'validation_failed', 'an unknown status filter');

# 4. Approve: the user becomes an admin.
$r = api(POST => "/api/admin/admin-requests/$qid/approve", token => $atok,
    json => { note => 'Welcome aboard' });
is($r->{status}, 200, 'an admin approves the verified request')
    or diag($r->{content});
is(json_body($r)->{status}, 'approved', '...approved');
is(sql_one("SELECT role FROM users WHERE id = :'p1'", $uid), 'admin',
    '...and the user is an admin now');
is(audit_count('admin_request.approve', $qid), 1, '...audited');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.role_change'"
    . " AND target_id = :'p1'", $qid), 1, '...with the role change');
$r = api(GET => '/api/admin/admin-requests?status=approved&per_page=100',
    token => $tok);
is($r->{status}, 200, 'the new admin may list requests at once');
$r = api(POST => "/api/admin/admin-requests/$qid/reject", token => $atok);
error_ok($r, 409, 'conflict', 'deciding again');

# 5. Reject with a note; then the user may ask again.
my $v = register_user(tag => 'ar-rej');
$r = api(POST => '/api/admin-requests', token => $v->{access_token},
    json => { reason => 'Please' });
my $vid = json_body($r)->{id};
$r = api(POST => "/api/admin/admin-requests/$vid/reject", token => $atok,
    json => { note => 'Not now' });
is($r->{status}, 200, 'an admin rejects a request');
is_deeply([@{ json_body($r) }{qw(status note)}], ['rejected', 'Not now'],
    '...rejected, with the note');
is(sql_one("SELECT role FROM users WHERE id = :'p1'", $v->{user}{id}),
    'student', '...the user stays a student');
is(audit_count('admin_request.reject', $vid), 1, '...audited');
$r = api(POST => '/api/admin-requests', token => $v->{access_token},
    json => { reason => 'Please, again' });
is($r->{status}, 201, 'after a rejection a new request may be made');
$r = api(POST => '/api/admin/admin-requests/999999999/approve', token => $atok);
error_ok($r, 404, 'not_found', 'an unknown request');

# An expired token does not verify.
my $w = register_user(tag => 'ar-exp');
api(POST => '/api/admin-requests', token => $w->{access_token},
    json => { reason => 'Late' });
my $late = mailed_token($w->{email});
sql("UPDATE admin_requests SET token_expires_at = now() - interval '1 second'"
    . " WHERE user_id = :'p1'", $w->{user}{id});
$r = api(POST => '/api/admin-requests/verify', json => { token => $late });
error_ok($r, 400, 'validation_failed', 'an expired token');

done_testing();

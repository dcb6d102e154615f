#!/usr/bin/perl
# lectern — GET, PATCH, DELETE /api/auth/me and GET /api/auth/me/export.
use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use Digest::SHA qw(sha256_hex);
use Encode qw(encode_utf8);
use MIME::Base64 qw(decode_base64url);
use Lectern::Test;

base_url();

my $json = JSON::PP->new->utf8->canonical;
sub claims_of {
	my (undef, $p) = split /\./, $_[0];
	return $json->decode(decode_base64url($p));
}

my $u = register_user(tag => 'me', name => 'Meera Iyer');
my $uid = $u->{user}{id};
my $tok = $u->{access_token};

# GET.
my $r = api(GET => '/api/auth/me', token => $tok);
is($r->{status}, 200, 'GET /api/auth/me answers 200');
my $b = json_body($r);
is($b->{id}, $uid, '...with the caller');
is($b->{email}, $u->{email}, '...the email');
is($b->{name}, 'Meera Iyer', '...the name');
is($b->{role}, 'student', '...the role');
ok($b->{is_active}, '...active');
like($b->{created_at} // '', qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    '...created_at in RFC 3339 UTC');
ok(!exists $b->{password_hash}, '...and no password hash');
is($r->{headers}{'cache-control'}, 'no-store', '...not cached');
error_ok(api(GET => '/api/auth/me'), 401, 'unauthorized', 'GET without a token');
$r = api(PUT => '/api/auth/me', token => $tok, json => { name => 'x' });
error_ok($r, 405, 'method_not_allowed', 'PUT');
like($r->{headers}{allow} // '', qr/GET.*PATCH.*DELETE/, '...with Allow');

# PATCH.
$r = api(PATCH => '/api/auth/me', token => $tok,
    json => { name => '  Meera Iyer-Rao  ' });
is($r->{status}, 200, 'PATCH {name} answers 200');
is(json_body($r)->{name}, 'Meera Iyer-Rao', '...with the name trimmed');
is(json_body($r)->{id}, $uid, '...for the caller');
is(sql_one("SELECT name FROM users WHERE id = :'p1'", $uid), 'Meera Iyer-Rao',
    '...and stored');
$r = api(PATCH => '/api/auth/me', token => $tok, json => { name => 'मीरा' });
is(json_body($r)->{name}, 'मीरा', 'a name in Devanagari');

$r = api(PATCH => '/api/auth/me', token => $tok, json => { role => 'admin' });
error_ok($r, 400, 'validation_failed', 'PATCH {role: admin}');
ok(json_body($r)->{error}{fields}{role}, '...names the role field');
is(sql_one("SELECT role FROM users WHERE id = :'p1'", $uid), 'student',
    '...and the role is unchanged');
$r = api(PATCH => '/api/auth/me', token => $tok,
    json => { name => 'Sneaky', role => 'admin' });
error_ok($r, 400, 'validation_failed', 'PATCH {name, role}');
is(sql_one("SELECT name || '/' || role FROM users WHERE id = :'p1'", $uid),
    encode_utf8('मीरा') . '/student', '...changes nothing at all');
for my $f (['email', unique_email('me-new')], ['is_active', JSON::PP::false],
    ['id', 1], ['password_hash', 'x']) {
	$r = api(PATCH => '/api/auth/me', token => $tok,
	    json => { $f->[0] => $f->[1] });
	error_ok($r, 400, 'validation_failed', "PATCH {$f->[0]}");
}
is(sql_one("SELECT email || '/' || is_active FROM users WHERE id = :'p1'",
    $uid), "$u->{email}/true", '...and nothing changed');
$r = api(PATCH => '/api/auth/me', token => $tok, json => { name => '' });
error_ok($r, 400, 'validation_failed', 'PATCH {name: ""}');
ok(json_body($r)->{error}{fields}{name}, '...names the name field');
$r = api(PATCH => '/api/auth/me', token => $tok, json => { name => '   ' });
error_ok($r, 400, 'validation_failed', 'PATCH {name: "   "}');
$r = api(PATCH => '/api/auth/me', token => $tok, json => { name => 'x' x 101 });
error_ok($r, 400, 'validation_failed', 'a name of 101 characters');
$r = api(PATCH => '/api/auth/me', token => $tok, json => { name => "a\x01b" });
error_ok($r, 400, 'validation_failed', 'a name with a control character');
error_ok(api(PATCH => '/api/auth/me', token => $tok, json => {}), 400,
    'validation_failed', 'PATCH {}');
error_ok(api(PATCH => '/api/auth/me', token => $tok, body => '{"name":',
    type => 'application/json'), 400, 'invalid_json', 'PATCH with broken JSON');
error_ok(api(PATCH => '/api/auth/me', json => { name => 'x' }), 401,
    'unauthorized', 'PATCH without a token');

# A reuse in another session, so the export has an audit entry.
my $s2 = json_body(login_user($u->{email}, $u->{password}));
api(POST => '/api/auth/refresh', json => { refresh_token => $s2->{refresh_token} });
$r = api(POST => '/api/auth/refresh',
    json => { refresh_token => $s2->{refresh_token} });
is($r->{status}, 401, 'a reused refresh token in a second session');

# Export.
$r = api(GET => '/api/auth/me/export', token => $tok);
is($r->{status}, 200, 'GET /api/auth/me/export answers 200');
is($r->{headers}{'cache-control'}, 'no-store', '...not cached');
my $x = json_body($r);
is($x->{user}{id}, $uid, '...with the user');
is($x->{user}{email}, $u->{email}, '...and the email');
like($x->{exported_at} // '', qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    '...and when it was made');
is(ref $x->{sessions}, 'ARRAY', '...the sessions');
is(scalar @{ $x->{sessions} || [] }, 2, '...both of them');
is(scalar(grep { $_->{current} } @{ $x->{sessions} || [] }), 1,
    '...one marked current');
is(scalar(grep { ($_->{revoked_reason} // '') eq 'reuse_detected' }
    @{ $x->{sessions} || [] }), 1, '...one revoked for reuse');
ok(!grep({ exists $_->{id} || exists $_->{session_id} }
    @{ $x->{sessions} || [] }), '...without session ids');
is(ref $x->{audit_logs}, 'ARRAY', '...the audit entries');
ok(grep({ $_->{action} eq 'session.reuse_detected' }
    @{ $x->{audit_logs} || [] }), '...with the reuse about the user');
is(ref $x->{password_resets}, 'ARRAY', '...and the password resets');
my $text = $r->{content} // '';
unlike($text, qr/password_hash|token_hash|\$argon2/, 'the export holds no hash');
my $sid = claims_of($tok)->{sid};
unlike($text, qr/\Q$sid\E/, '...no session id');
for my $t ($u->{refresh_token}, $s2->{refresh_token}) {
	unlike($text, qr/\Q$t\E|${\ sha256_hex($t)}/,
	    '...and no refresh token nor its hash');
}
error_ok(api(GET => '/api/auth/me/export'), 401, 'unauthorized',
    'export without a token');

# The export of another user is that user's.
my $o = register_user(tag => 'me-other');
$x = json_body(api(GET => '/api/auth/me/export', token => $o->{access_token}));
is($x->{user}{id}, $o->{user}{id}, 'another user exports their own data');
is(scalar @{ $x->{sessions} || [] }, 1, '...with only their session');
is(scalar @{ $x->{audit_logs} || [] }, 0, '...and none of the audit entries');

# DELETE.
$r = api(DELETE => '/api/auth/me', token => $tok,
    json => { password => $u->{password} . 'x' });
error_ok($r, 401, 'invalid_credentials', 'DELETE with a wrong password');
is(sql_one("SELECT is_active FROM users WHERE id = :'p1'", $uid), 't',
    '...leaves the account alone');
error_ok(api(DELETE => '/api/auth/me', token => $tok, json => {}), 400,
    'validation_failed', 'DELETE without a password');
error_ok(api(DELETE => '/api/auth/me', json => { password => $u->{password} }),
    401, 'unauthorized', 'DELETE without a token');
my $s3 = json_body(login_user($u->{email}, $u->{password}));
$r = api(DELETE => '/api/auth/me', token => $tok,
    json => { password => $u->{password} });
is($r->{status}, 204, 'DELETE with the password answers 204');
is($r->{content} // '', '', '...with no body');
my ($row) = sql("SELECT name, email, is_active, password_hash FROM users"
    . " WHERE id = :'p1'", $uid);
is($row->[0], 'Deleted user', 'the name is erased');
is($row->[1], "deleted-$uid\@invalid.invalid", '...the email replaced');
is($row->[2], 'f', '...the account deactivated');
like($row->[3], qr/^!unusable!/, '...and the password made unusable');
is(sql_one("SELECT count(*) FROM sessions WHERE user_id = :'p1'"
    . " AND revoked_at IS NULL", $uid), 0, 'every session is revoked');
is(sql_one("SELECT count(*) FROM sessions WHERE user_id = :'p1'"
    . " AND revoked_reason = 'erased'", $uid), 2,
    '...the live ones as erased');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.erase'"
    . " AND actor_user_id = :'p1' AND target_id = :'p1'", $uid), 1,
    'the erasure is audited');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.erase'"
    . " AND target_id = :'p1' AND details::text ILIKE '%' || :'p2' || '%'",
    $uid, $u->{email}), 0, '...without the old address');
# A token of an erased account: 401 (session revoked) or 403
# account_disabled (the account is inactive), never the data.
for my $t (['the access token after erasure', $tok],
    ['another session\'s access token', $s3->{access_token}]) {
	$r = api(GET => '/api/auth/me', token => $t->[1]);
	ok($r->{status} == 401 || ($r->{status} == 403 &&
	    json_body($r)->{error}{code} eq 'account_disabled'),
	    "$t->[0] no longer works") or diag($r->{content});
}
error_ok(api(POST => '/api/auth/refresh',
    json => { refresh_token => $s3->{refresh_token} }), 401, 'unauthorized',
    '...and its refresh token');
error_ok(login_user($u->{email}, $u->{password}), 401, 'invalid_credentials',
    'login with the old email and password');
error_ok(login_user("deleted-$uid\@invalid.invalid", $u->{password}), 401,
    'invalid_credentials', 'login with the replacement email');
$r = register_user(email => $u->{email});
ok($r->{user}{id} && $r->{user}{id} != $uid,
    'the address is free for a new account');
is(api(GET => '/api/auth/me', token => $o->{access_token})->{status}, 200,
    'other users are not affected');

done_testing();

#!/usr/bin/perl
# lectern — POST /api/auth/password: change the password, end the other
# sessions, keep the caller's.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use MIME::Base64 qw(decode_base64url);
use Lectern::Test;

base_url();

my $json = JSON::PP->new->utf8->canonical;
sub claims_of {
	my (undef, $p) = split /\./, $_[0];
	return $json->decode(decode_base64url($p));
}
sub change {
	my ($tok, %body) = @_;
	return api(POST => '/api/auth/password', token => $tok, json => \%body);
}
sub me { api(GET => '/api/auth/me', token => $_[0]) }
sub refresh {
	api(POST => '/api/auth/refresh', json => { refresh_token => $_[0] });
}

my $u = register_user(tag => 'passwd');
my $uid = $u->{user}{id};
my $old = $u->{password};
my $mine = $u->{access_token};
my $other = json_body(login_user($u->{email}, $old));
ok($other->{access_token}, 'a second session signs in before the change');
my $new = strong_password();

error_ok(change($mine, current_password => $old . 'x', new_password => $new),
    401, 'invalid_credentials', 'a wrong current password');
my $r = change($mine, current_password => $old, new_password => 'password1234');
error_ok($r, 400, 'validation_failed', 'a common new password');
ok(json_body($r)->{error}{fields}{new_password},
    '...names new_password in the fields');
$r = change($mine, current_password => $old, new_password => 'short');
error_ok($r, 400, 'validation_failed', 'a short new password');
ok(json_body($r)->{error}{fields}{new_password}, '...names new_password');
$r = change($mine, current_password => $old, new_password => $u->{email});
error_ok($r, 400, 'validation_failed', 'the email as new password');
error_ok(change($mine, current_password => $old), 400, 'validation_failed',
    'no new password');
error_ok(change($mine, new_password => $new), 400, 'validation_failed',
    'no current password');
error_ok(change($mine, current_password => $old, new_password => $new,
    role => 'admin'), 400, 'validation_failed', 'an unknown field');
error_ok(api(POST => '/api/auth/password',
    json => { current_password => $old, new_password => $new }), 401,
    'unauthorized', 'no token');
is(me($other->{access_token})->{status}, 200,
    'failed changes leave the other session alone');
ok(login_user($u->{email}, $old)->{status} == 200,
    '...and the old password');

my $before = sql_one("SELECT password_hash FROM users WHERE id = :'p1'", $uid);
$r = change($mine, current_password => $old, new_password => $new);
is($r->{status}, 204, 'the right current password and a good new one: 204');
is($r->{content} // '', '', '...with no body');
my $after = sql_one("SELECT password_hash FROM users WHERE id = :'p1'", $uid);
isnt($after, $before, 'the stored hash changed');
like($after, qr/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, '...to Argon2id');

error_ok(login_user($u->{email}, $old), 401, 'invalid_credentials',
    'the old password no longer signs in');
$r = login_user($u->{email}, $new);
is($r->{status}, 200, 'the new one does');

error_ok(me($other->{access_token}), 401, 'unauthorized',
    'the other session\'s access token is dead');
error_ok(refresh($other->{refresh_token}), 401, 'unauthorized',
    '...and its refresh token');
is(sql_one("SELECT revoked_reason FROM sessions WHERE id = :'p1'",
    claims_of($other->{access_token})->{sid}), 'password_change',
    '...revoked as password_change');
is(me($mine)->{status}, 200, 'the caller\'s access token still works');
is(sql_one("SELECT revoked_at IS NULL FROM sessions WHERE id = :'p1'",
    claims_of($mine)->{sid}), 't', '...and its session lives');
$r = refresh($u->{refresh_token});
is($r->{status}, 200, '...as does its refresh token');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action ="
    . " 'user.password_change' AND actor_user_id = :'p1'"
    . " AND target_id = :'p1'", $uid), 1, 'the change is audited');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action ="
    . " 'user.password_change' AND target_id = :'p1'"
    . " AND (details::text LIKE '%' || :'p2' || '%'"
    . " OR details::text LIKE '%' || :'p3' || '%')", $uid, $old, $new), 0,
    '...without either password');

# The caller's session goes on: it can change the password again.
my $newer = strong_password();
$r = change(json_body($r)->{access_token}, current_password => $new,
    new_password => $newer);
is($r->{status}, 204, 'a second change from the refreshed session works');
is(login_user($u->{email}, $newer)->{status}, 200,
    '...and the newest password signs in');

done_testing();

#!/usr/bin/perl
# lectern — POST /api/auth/login.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();

my $u = register_user(tag => 'login');
my $r = login_user(uc($u->{email}), $u->{password});
is($r->{status}, 200, 'login with the right password answers 200');
my $b = json_body($r);
is($b->{user}{id}, $u->{user}{id}, '...as the same user');
ok($b->{access_token} && $b->{refresh_token}, '...with both tokens');
isnt($b->{refresh_token}, $u->{refresh_token}, '...in a new session');

my $me = api(GET => '/api/auth/me', token => $b->{access_token});
is($me->{status}, 200, 'the new access token works on /api/auth/me');
is(json_body($me)->{id}, $u->{user}{id},
    '...as the same user');

my $wrong = login_user($u->{email}, $u->{password} . 'x');
my $unknown = login_user(unique_email('nobody'), $u->{password});
error_ok($wrong, 401, 'invalid_credentials', 'a wrong password');
error_ok($unknown, 401, 'invalid_credentials', 'an unknown email');
is(json_body($wrong)->{error}{message}, json_body($unknown)->{error}{message},
    'wrong password and unknown email say the same thing');

sql("UPDATE users SET is_active = false WHERE id = :'p1'", $u->{user}{id});
$r = login_user($u->{email}, $u->{password});
error_ok($r, 403, 'account_disabled', 'an inactive user with the right password');
$r = login_user($u->{email}, 'wrong-' . $u->{password});
error_ok($r, 401, 'invalid_credentials',
    'an inactive user with a wrong password learns nothing more');
sql("UPDATE users SET is_active = true WHERE id = :'p1'", $u->{user}{id});

$r = api(POST => '/api/auth/login', json => { email => $u->{email} });
error_ok($r, 400, 'validation_failed', 'a missing password');

done_testing();

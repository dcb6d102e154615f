#!/usr/bin/perl
# lectern — POST /api/auth/register.
use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP;
use Lectern::Test;

base_url();

my $email = unique_email('Reg');
my $pw = strong_password();
my $r = api(POST => '/api/auth/register', json => {
	name => '  Asha Rao  ', email => '  ' . uc($email) . ' ', password => $pw,
});
is($r->{status}, 201, 'register answers 201');
my $b = json_body($r);
is($b->{user}{email}, lc($email), '...with the email trimmed and lower-cased');
is($b->{user}{name}, 'Asha Rao', '...and the name trimmed');
is($b->{user}{role}, 'student', '...as a student');
ok($b->{user}{id} > 0, '...with a numeric id');
like($b->{access_token} // '', qr/^[\w-]+\.[\w-]+\.[\w-]+$/, '...an access token');
like($b->{refresh_token} // '', qr/^[\w-]{43}$/, '...a 256-bit refresh token');
is($b->{token_type}, 'Bearer', '...of type Bearer');
is($b->{expires_in}, 900, '...expiring in 15 minutes');
is($r->{headers}{location}, '/api/auth/me', '...with a Location');
is($r->{headers}{'cache-control'}, 'no-store', '...and not cached');
ok(!exists $b->{user}{password_hash}, '...and no password hash');
like(sql_one("SELECT password_hash FROM users WHERE id = :'p1'", $b->{user}{id}),
    qr/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'the password is stored as Argon2id');
is(sql_one("SELECT count(*) FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id WHERE s.user_id = :'p1' AND rt.token_hash = encode(sha256(convert_to(:'p2', 'UTF8')), 'hex')",
    $b->{user}{id}, $b->{refresh_token}), 1,
    'the refresh token is stored only as its SHA-256');

$r = api(POST => '/api/auth/register', json => {
	name => 'Other', email => uc($email), password => strong_password() });
error_ok($r, 409, 'email_taken', 'the same email in another case');

$r = api(POST => '/api/auth/register', json => {
	name => 'Boss', email => unique_email('adm'), password => strong_password(),
	role => 'admin' });
error_ok($r, 400, 'validation_failed', 'signing up as admin');
ok(json_body($r)->{error}{fields}{role}, '...names the role field');

for my $case (['short', 'Abc-123-xyz'], ['dictionary', 'password1234'],
    ['over 128 characters', 'x9' x 65], ['the email itself', undef]) {
	my $e = unique_email('pw');
	$r = api(POST => '/api/auth/register', json => {
		name => 'P', email => $e, password => $case->[1] // $e });
	error_ok($r, 400, 'validation_failed', "a $case->[0] password");
	ok(json_body($r)->{error}{fields}{password}, '...names the password field');
}

my $long = '正しい馬のバッテリー留め金です、とても長い合言葉';
$r = api(POST => '/api/auth/register', json => {
	name => 'Uni', email => unique_email('uni'), password => $long });
is($r->{status}, 201, 'a long Unicode password works');

$r = api(POST => '/api/auth/register', json => {
	name => 'X', email => unique_email('x'), password => strong_password(),
	nickname => 'typo' });
error_ok($r, 400, 'validation_failed', 'an unknown field');
is(json_body($r)->{error}{fields}{nickname}, 'is not a known field',
    '...names it');

$r = api(POST => '/api/auth/register', body => '{"name":"x"}',
    type => 'text/plain');
error_ok($r, 415, 'unsupported_media_type', 'a body that is not JSON');

$r = api(POST => '/api/auth/register', body => '{"name": "x",',
    type => 'application/json');
error_ok($r, 400, 'invalid_json', 'broken JSON');

$r = api(POST => '/api/auth/register', body => '[1,2]',
    type => 'application/json');
error_ok($r, 400, 'invalid_json', 'a JSON array');

$r = api(POST => '/api/auth/register', body =>
    '{"name":"a\u0000b","email":"' . unique_email('nul') . '","password":"' . strong_password() . '"}',
    type => 'application/json');
error_ok($r, 400, 'validation_failed', 'a NUL character in a string');

$r = api(POST => '/api/auth/register', json => {
	name => "line\x01break", email => unique_email('ctl'), password => strong_password() });
error_ok($r, 400, 'validation_failed', 'a control character in the name');

$r = api(POST => '/api/auth/register', json => {
	name => 'Y', email => 'not-an-email', password => strong_password() });
error_ok($r, 400, 'validation_failed', 'a malformed email');
is(json_body($r)->{error}{fields}{email}, 'must be a valid email address',
    '...says why');

$r = api(POST => '/api/auth/register', json => { name => '   ' });
error_ok($r, 400, 'validation_failed', 'missing fields');
my $f = json_body($r)->{error}{fields} || {};
is_deeply([sort keys %$f], [qw(email name password)],
    '...names each missing field (a blank name counts as missing)');

done_testing();

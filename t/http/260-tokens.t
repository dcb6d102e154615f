#!/usr/bin/perl
# lectern — access tokens: forged, malformed, misplaced and outdated
# tokens are all 401 (never 500), and the user's state in the database
# wins over what a live token says.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Digest::SHA qw(hmac_sha256 hmac_sha512);
use MIME::Base64 qw(encode_base64 encode_base64url decode_base64url);
use Lectern::Test;

base_url();

my $secret = $ENV{LECTERN_JWT_SECRET};
BAIL_OUT('LECTERN_JWT_SECRET is not set') unless defined $secret;
my $issuer = $ENV{LECTERN_JWT_ISSUER} || 'lectern';
my $json = JSON::PP->new->utf8->canonical;

# A compact JWS of header and payload, signed with HMAC-SHA256 under key
# (the server's secret unless given); sign => a code ref for another MAC.
sub jwt {
	my ($hdr, $payload, %o) = @_;
	my $h = ref $hdr ? encode_base64url($json->encode($hdr)) : $hdr;
	my $p = ref $payload ? encode_base64url($json->encode($payload))
	    : $payload;
	my $si = "$h.$p";
	my $mac = $o{sign} || \&hmac_sha256;
	return "$si." . encode_base64url($mac->($si, $o{key} // $secret));
}

sub claims_of {
	my ($tok) = @_;
	my (undef, $p) = split /\./, $tok;
	return $json->decode(decode_base64url($p));
}

my $u = register_user(tag => 'tokens');
my $other = register_user(tag => 'tokens-other');
my $real = claims_of($u->{access_token});
my $now = time();
my %good = (
	iss => $issuer, sub => "$u->{user}{id}", role => 'student',
	jti => 'forged-' . int(rand(1e9)), sid => $real->{sid},
	typ => 'access', iat => $now, nbf => $now, exp => $now + 600,
);
my %hs256 = (alg => 'HS256', typ => 'JWT');

# The harness itself: a token made here with the real secret works, so
# every rejection below is for the one defect it carries.
my $r = api(GET => '/api/auth/me', token => jwt(\%hs256, \%good));
is($r->{status}, 200, 'a token signed here with the real secret works')
    or diag($r->{content});
$r = api(GET => '/api/auth/me',
    token => jwt(\%hs256, { %good, exp => $now - 10 }));
is($r->{status}, 200, '...and so does one expired within the 30 s leeway');

my @bad = (
	['alg none, no signature',
	    encode_base64url($json->encode({ alg => 'none', typ => 'JWT' }))
	    . '.' . encode_base64url($json->encode(\%good)) . '.'],
	['alg none, with a signature',
	    jwt({ alg => 'none', typ => 'JWT' }, \%good)],
	['alg "noNE"', jwt({ alg => 'noNE', typ => 'JWT' }, \%good)],
	['alg "hs256"', jwt({ alg => 'hs256', typ => 'JWT' }, \%good)],
	['alg HS512 signed with HMAC-SHA512',
	    jwt({ alg => 'HS512', typ => 'JWT' }, \%good,
	    sign => \&hmac_sha512)],
	['alg HS512 signed with HMAC-SHA256',
	    jwt({ alg => 'HS512', typ => 'JWT' }, \%good)],
	['alg RS256', jwt({ alg => 'RS256', typ => 'JWT' }, \%good)],
	['no alg', jwt({ typ => 'JWT' }, \%good)],
	['a wrong secret', jwt(\%hs256, \%good, key => "x$secret")],
	['an empty secret', jwt(\%hs256, \%good, key => '')],
	['expired beyond the leeway',
	    jwt(\%hs256, { %good, exp => $now - 120 })],
	['not valid before a minute from now',
	    jwt(\%hs256, { %good, nbf => $now + 120 })],
	['no exp', jwt(\%hs256, { map { $_ => $good{$_} }
	    grep { $_ ne 'exp' } keys %good })],
	['a string exp', jwt(\%hs256, { %good, exp => '' . ($now + 600) })],
	['a fractional exp', jwt(\%hs256, { %good, exp => $now + 600.5 })],
	['another issuer', jwt(\%hs256, { %good, iss => "$issuer-other" })],
	['no issuer', jwt(\%hs256, { map { $_ => $good{$_} }
	    grep { $_ ne 'iss' } keys %good })],
	['typ "refresh"', jwt(\%hs256, { %good, typ => 'refresh' })],
	['no typ', jwt(\%hs256, { map { $_ => $good{$_} }
	    grep { $_ ne 'typ' } keys %good })],
	['two segments', join('.', (split /\./,
	    jwt(\%hs256, \%good))[0, 1])],
	['four segments', jwt(\%hs256, \%good) . '.e30'],
	['garbage', 'not-a-token-at-all'],
	['non-base64url characters', jwt(\%hs256, \%good) . '!'],
	['a header that is not an object', jwt('WzFd', \%good)],
	['a payload that is not JSON', jwt(\%hs256, 'bm90IGpzb24')],
	['a user id that does not exist',
	    jwt(\%hs256, { %good, sub => '987654321012' })],
	['a user id that is not a number',
	    jwt(\%hs256, { %good, sub => 'admin' })],
	['the session of another user', jwt(\%hs256,
	    { %good, sid => claims_of($other->{access_token})->{sid} })],
	['no sid', jwt(\%hs256, { map { $_ => $good{$_} }
	    grep { $_ ne 'sid' } keys %good })],
	['an unknown sid', jwt(\%hs256, { %good, sid => 'A' x 22 })],
	['an oversized token', 'a' x 5000 . '.' . 'b' x 10 . '.' . 'c' x 43],
);

for my $b (@bad) {
	my ($what, $tok) = @$b;
	$r = api(GET => '/api/auth/me', token => $tok);
	error_ok($r, 401, 'unauthorized', "a token with $what");
	like($r->{headers}{'www-authenticate'} // '',
	    qr/^Bearer\b.*error="invalid_token"/,
	    '...and WWW-Authenticate says invalid_token');
}

# Tokens count only in the Authorization header.
my $tok = $u->{access_token};
$r = api(GET => "/api/auth/me?access_token=$tok");
error_ok($r, 401, 'unauthorized', 'a valid token in the query string');
like($r->{headers}{'www-authenticate'} // '', qr/^Bearer/,
    '...asks for a Bearer token');
# The body is checked before anyone is authenticated: a token there is
# an unknown field, never a credential.
$r = api(PATCH => '/api/auth/me',
    json => { access_token => $tok, name => 'Body Token' });
error_ok($r, 400, 'validation_failed', 'a valid token in the body');
ok(json_body($r)->{error}{fields}{access_token},
    '...is an unknown field, not a credential');
is(sql_one("SELECT name FROM users WHERE id = :'p1'", $u->{user}{id}),
    'Test User', '...and nothing changed');
$r = api(GET => '/api/auth/me', headers => {
    Authorization => 'Basic ' . encode_base64("$u->{email}:$u->{password}",
    '') });
error_ok($r, 401, 'unauthorized', 'Authorization: Basic');
like($r->{headers}{'www-authenticate'} // '', qr/error="invalid_token"/,
    '...says invalid_token');
$r = api(GET => '/api/auth/me', headers => { Authorization => 'Bearer' });
error_ok($r, 401, 'unauthorized', 'Bearer without a token');
$r = api(GET => '/api/auth/me', headers => { Authorization => "Token $tok" });
error_ok($r, 401, 'unauthorized', 'another scheme with a valid token');
$r = api(GET => '/api/auth/me', headers => { Authorization => "bearer $tok" });
is($r->{status}, 200, 'the scheme name is case-insensitive');

# The database decides, at once: deactivation.
$r = api(GET => '/api/auth/me', token => $tok);
is($r->{status}, 200, 'a live token works');
sql("UPDATE users SET is_active = false WHERE id = :'p1'", $u->{user}{id});
$r = api(GET => '/api/auth/me', token => $tok);
error_ok($r, 403, 'account_disabled', 'the same token once the user is inactive');
$r = api(POST => '/api/auth/refresh',
    json => { refresh_token => $u->{refresh_token} });
error_ok($r, 403, 'account_disabled', '...and its refresh token');
sql("UPDATE users SET is_active = true WHERE id = :'p1'", $u->{user}{id});
$r = api(GET => '/api/auth/me', token => $tok);
is($r->{status}, 200, '...and it works again once reactivated');

# The database decides, at once: role changes.
my $admin = user_with_role('admin', tag => 'tokens-admin');
is(claims_of($admin->{access_token})->{role}, 'admin',
    'an admin\'s token says admin');
$r = api(GET => '/api/auth/me', token => $admin->{access_token});
is(json_body($r)->{role}, 'admin', '...and so does /api/auth/me');
sql("UPDATE users SET role = 'student' WHERE id = :'p1'",
    $admin->{user}{id});
$r = api(GET => '/api/auth/me', token => $admin->{access_token});
is($r->{status}, 200, 'the demoted admin\'s token still signs in');
is(json_body($r)->{role}, 'student', '...as a student, at once');
sql("UPDATE users SET role = 'teacher' WHERE id = :'p1'",
    $u->{user}{id});
$r = api(GET => '/api/auth/me', token => $tok);
is(json_body($r)->{role}, 'teacher', 'a promotion shows at once too');

done_testing();

#!/usr/bin/perl
# lectern — the web client's refresh cookie (SPEC §12): HttpOnly,
# SameSite=Strict, scoped to /api/auth, read and set only on requests
# that carry X-Requested-With: lectern and the site's or an allowed
# Origin; API clients keep the token in the JSON body.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

my $base = base_url();
my $self = $base =~ s{/+$}{}r;
my %browser = ('X-Requested-With' => 'lectern', Origin => $self);

sub cookie_of {
	my ($r) = @_;
	my $c = $r->{headers}{'set-cookie'} // '';
	$c = join "\n", @$c if ref $c;
	return $c;
}
sub token_of { (cookie_of($_[0]) =~ /lectern_refresh=([^;]*)/)[0] }
sub refresh_with {
	my ($tok, %h) = @_;
	return api(POST => '/api/auth/refresh',
	    headers => { Cookie => "other=1; lectern_refresh=$tok", %h });
}

my $u = register_user(tag => 'cookie');

# Signing in from the site's own page: the token goes into the cookie.
my $r = api(POST => '/api/auth/login', headers => \%browser,
    json => { email => $u->{email}, password => $u->{password} });
is($r->{status}, 200, 'a cookie-mode sign-in answers 200');
ok(!exists json_body($r)->{refresh_token}, '...without the refresh token in the body');
ok(json_body($r)->{access_token}, '...with the access token');
my $c = cookie_of($r);
like($c, qr/^lectern_refresh=[\w-]{43};/, '...and the refresh token in a cookie');
like($c, qr/; HttpOnly(;|$)/, '...that is HttpOnly');
like($c, qr/; SameSite=Strict(;|$)/, '...SameSite=Strict');
like($c, qr/; Path=\/api\/auth(;|$)/, '...scoped to /api/auth');
like($c, qr/; Max-Age=\d+/, '...lasting as the session does');
unlike($c, qr/Secure/, '...and not Secure over plain HTTP');
my $tok = token_of($r);

# Other clients keep the body.
$r = login_user($u->{email}, $u->{password});
ok(json_body($r)->{refresh_token}, 'an API client gets the token in the body');
is(cookie_of($r), '', '...and no cookie');
$r = api(POST => '/api/auth/login',
    headers => { 'X-Requested-With' => 'lectern', Origin => 'https://evil.example' },
    json => { email => $u->{email}, password => $u->{password} });
ok(json_body($r)->{refresh_token}, 'a foreign Origin gets no cookie mode');
is(cookie_of($r), '', '...and no cookie');

# Another site's page cannot spend the cookie.
error_ok(refresh_with($tok), 403, 'forbidden',
    'the cookie without X-Requested-With');
error_ok(refresh_with($tok, 'X-Requested-With' => 'lectern'), 403,
    'forbidden', 'the cookie without an Origin');
error_ok(refresh_with($tok, 'X-Requested-With' => 'lectern',
    Origin => 'https://evil.example'), 403, 'forbidden',
    'the cookie from a cross-site Origin');
error_ok(refresh_with($tok, 'X-Requested-With' => 'lectern',
    Origin => 'null'), 403, 'forbidden', 'the cookie from Origin null');
error_ok(refresh_with($tok, Origin => $self), 403, 'forbidden',
    'the cookie with the Origin but not the header');

# The site's page can, and gets the successor in the cookie.
$r = refresh_with($tok, %browser);
is($r->{status}, 200, 'the cookie with the header and Origin refreshes');
ok(!exists json_body($r)->{refresh_token}, '...without the token in the body');
my $tok2 = token_of($r);
ok($tok2 && $tok2 ne $tok, '...and a new token in the cookie');
my $access = json_body($r)->{access_token};
error_ok(refresh_with($tok, %browser), 401, 'unauthorized',
    'the spent cookie again (reuse)');
$r = api(POST => '/api/auth/login', headers => \%browser,
    json => { email => $u->{email}, password => $u->{password} });
$tok = token_of($r);
$access = json_body($r)->{access_token};

# An allowed CORS origin is a site of the school's too.
my $cors = $ENV{LECTERN_TEST_CORS_ORIGIN} // 'https://app.example.com';
$r = refresh_with($tok, 'X-Requested-With' => 'lectern', Origin => $cors);
is($r->{status}, 200, 'an Origin of LECTERN_CORS_ORIGINS may refresh');
$tok = token_of($r);
$access = json_body($r)->{access_token};

# Without a cookie.
error_ok(api(POST => '/api/auth/refresh', headers => \%browser), 401,
    'unauthorized', 'a cookie-mode refresh without a cookie');
error_ok(api(POST => '/api/auth/refresh'), 400, 'validation_failed',
    'no body and no cookie');

# Signing out clears the cookie and ends its session.
$r = api(POST => '/api/auth/logout', token => $access, headers => \%browser);
is($r->{status}, 204, 'a cookie-mode sign-out answers 204');
like(cookie_of($r), qr/^lectern_refresh=; Path=\/api\/auth; Max-Age=0; HttpOnly; SameSite=Strict/,
    '...and clears the cookie');
error_ok(refresh_with($tok, %browser), 401, 'unauthorized',
    'the signed-out cookie');

done_testing();

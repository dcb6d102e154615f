#!/usr/bin/perl
# lectern — the API on a shared host: an Apache whose server config the
# customer cannot touch (prefork, mod_cgi, no mod_unique_id; the web root
# with AllowOverride FileInfo Options AuthConfig Limit only, made by
# t/lib/shared-host-conf) serving the endpoints as plain CGIs through the
# .htaccess variant alone (apache/htaccess.in, rendered by
# scripts/lib/shared-hosting).  The same JSON errors, security headers
# and CORS as on the other servers; without mod_unique_id there is no
# request id (docs/shared-hosting.md).
use strict;
use warnings;
use Test::More;
use Lectern::Test;
use Lectern::Curl;

my $url = $ENV{LECTERN_TEST_SHARED_URL};
my $http = $ENV{LECTERN_TEST_SHARED_HTTP_URL};
my $dir = $ENV{LECTERN_TEST_SHARED_DIR};
unless ($url && $http && $dir && $ENV{LECTERN_TEST_TLS_CA}) {
	BAIL_OUT('LECTERN_TEST_SHARED_URL is not set') if $ENV{LECTERN_TEST_STRICT};
	plan(skip_all => 'LECTERN_TEST_SHARED_URL not set (run scripts/test)');
}

# What the customer controls is the .htaccess files; the server config
# names no endpoint, route or LECTERN_* setting.
{
	open(my $fh, '<', "$dir/httpd.conf") or BAIL_OUT("$dir/httpd.conf: $!");
	my $conf = do { local $/; <$fh> };
	close($fh);
	unlike($conf, qr/LECTERN_|lectern-cgi|RewriteRule|ScriptAlias|unique_id/,
	    'the host config knows nothing of lectern and has no mod_unique_id');
	like($conf, qr/AllowOverride FileInfo Options AuthConfig Limit\n/,
	    '...and allows only the usual overrides');
	ok(-f "$dir/home/public_html/.htaccess", 'the web root has the .htaccess');
	my $mode = (stat("$dir/home/public_html/.htaccess"))[2] & 07777;
	ok(!($mode & 0022), '...not writable by others');
}

# The security headers, minus the request id (no mod_unique_id).
sub headers_ok {
	my ($r, $what) = @_;
	my $h = $r->{headers};
	my $ok = ($h->{'x-content-type-options'} // '') eq 'nosniff'
	    && ($h->{'x-frame-options'} // '') eq 'DENY'
	    && ($h->{'referrer-policy'} // '') eq 'no-referrer'
	    && ($h->{'content-security-policy'} // '') eq
	    "default-src 'none'; frame-ancestors 'none'"
	    && ($h->{'strict-transport-security'} // '') =~ /^max-age=\d+/;
	ok($ok, "$what carries the security headers and HSTS")
	    or diag(explain($h));
}

# An error in the API's shape; the request id is there but empty ("" from
# Apache, "-" from an endpoint): there is none without mod_unique_id.
sub shared_error_ok {
	my ($r, $status, $code, $what) = @_;
	my $e = json_body($r)->{error} || {};
	my $ok = $r->{status} == $status && ($e->{code} // '') eq $code
	    && length($e->{message} // '')
	    && ($r->{headers}{'content-type'} // '') =~ m{^application/json};
	ok($ok, "$what: $status $code as JSON")
	    or diag("got $r->{status}: $r->{content}");
}

my $r = curl_req(GET => "$url/live");
is($r->{status}, 200, 'GET /live answers 200 on the shared host');
is(json_body($r)->{status}, 'alive', '...from the endpoint');
headers_ok($r, 'GET /live');
ok(!defined $r->{headers}{'x-request-id'},
    '...and no X-Request-Id (no mod_unique_id)');
$r = curl_req(GET => "$url/health");
is($r->{status}, 200, 'GET /health reaches the database');
is(json_body($r)->{database}, 'connected', '...connected');

# Clear HTTP moves to HTTPS.
$r = curl_req(POST => "$http/api/auth/login", json => {});
is($r->{status}, 308, 'clear HTTP is redirected to HTTPS (308)');
like($r->{headers}{location} // '', qr{^https://[^/]+/api/auth/login$},
    '...to the same path');

# Errors.
$r = curl_req(GET => "$url/no/such/path");
shared_error_ok($r, 404, 'not_found', 'an unknown path');
headers_ok($r, 'the 404');
$r = curl_req(GET => "$url/api/nothing-here");
shared_error_ok($r, 404, 'not_found', 'an unknown API path');
$r = curl_req(GET => "$url/lectern-cgi/live_get");
shared_error_ok($r, 404, 'not_found', 'an endpoint by its file name');
$r = curl_req(GET => "$url/.htaccess");
isnt($r->{status}, 200, 'the .htaccess (with the settings) is not served');
unlike($r->{content}, qr/SetEnv/, '...not a line of it');
$r = curl_req(DELETE => "$url/api/courses");
shared_error_ok($r, 405, 'method_not_allowed', 'a wrong method');
like($r->{headers}{allow} // '', qr/GET/, '...with Allow');
$r = curl_req(POST => "$url/api/auth/login", body => 'x',
    headers => { 'Content-Type' => 'text/plain' });
shared_error_ok($r, 415, 'unsupported_media_type', 'a body that is not JSON');
$r = curl_req(POST => "$url/api/auth/login", body => '{"email":',
    headers => { 'Content-Type' => 'application/json' });
shared_error_ok($r, 400, 'invalid_json', 'malformed JSON');
$r = curl_req(POST => "$url/api/auth/login", body => 'x' x 70000,
    headers => { 'Content-Type' => 'application/json' });
shared_error_ok($r, 413, 'payload_too_large', 'a body over the limit');

# A whole flow through the .htaccess routes: register, sign in (the
# Authorization header reaches the CGI: CGIPassAuth), a path id.
my $email = unique_email('shared');
my $password = strong_password();
$r = curl_req(POST => "$url/api/auth/register",
    json => { name => 'Shared Host', email => $email, password => $password });
is($r->{status}, 201, 'registration answers 201');
$r = curl_req(POST => "$url/api/auth/login",
    json => { email => $email, password => $password });
is($r->{status}, 200, 'sign-in answers 200');
my $token = json_body($r)->{access_token} // '';
$r = curl_req(GET => "$url/api/auth/me",
    headers => { Authorization => "Bearer $token" });
is($r->{status}, 200, 'the bearer token reaches the endpoint');
is(json_body($r)->{email}, $email, '...and reads the account');
$r = curl_req(GET => "$url/api/auth/me");
shared_error_ok($r, 401, 'unauthorized', 'no token');
$r = curl_req(GET => "$url/api/courses");
is($r->{status}, 200, 'the public catalogue answers');
ok(exists json_body($r)->{items}, '...with a list');
$r = curl_req(GET => "$url/api/courses/999999999");
shared_error_ok($r, 404, 'not_found', 'a course that does not exist');
$r = curl_req(GET => "$url/api/courses/12345678901234567");
shared_error_ok($r, 404, 'not_found', 'an id of 17 digits');

# The web client, from public_html/web/ through the .htaccess rules.
$r = curl_req(GET => "$url/");
is($r->{status}, 200, 'GET / serves the web client');
like($r->{headers}{'content-type'} // '', qr{^text/html}, '...as HTML');
like($r->{content}, qr{<script type="module" src="/v/[^"]+/app\.js">},
    '...the page that loads its versioned modules');
my $csp = $r->{headers}{'content-security-policy'} // '';
like($csp, qr/default-src 'self'/, "...with the page's own CSP");
my ($checkout) = ($ENV{LECTERN_RAZORPAY_CHECKOUT_URL}
    // 'https://checkout.razorpay.com/') =~ m{^(https?://[^/]+)};
like($csp, qr/script-src 'self' \Q$checkout\E /, "...Checkout's origin filled in");
unlike($csp, qr/\$\{|sandbox/, '...nothing left unfilled, no sandbox');
like($r->{headers}{'cache-control'} // '', qr/no-cache/, '...not cached');
my ($asset) = $r->{content} =~ m{src="(/v/[^"]+/app\.js)"};
$r = curl_req(GET => $url . ($asset // '/v/0/app.js'));
is($r->{status}, 200, 'a versioned asset is served');
like($r->{headers}{'content-type'} // '', qr{javascript}, '...as JavaScript');
like($r->{headers}{'cache-control'} // '', qr/immutable/, '...cached for long');
$r = curl_req(GET => "$url/reset-password");
is($r->{status}, 200, '/reset-password is the page');
$r = curl_req(GET => "$url/config.json");
is($r->{status}, 200, 'the public settings are served');
ok(eval { exists json_body($r)->{razorpay_checkout} },
    '...as config.json');
$r = curl_req(GET => "$url/web/index.html");
shared_error_ok($r, 404, 'not_found', 'the web directory by its own name');
$r = curl_req(GET => "$url/v/1/.htaccess");
shared_error_ok($r, 404, 'not_found', 'a file under /v/ that is not an asset');

# CORS.
my $origin = $ENV{LECTERN_TEST_CORS_ORIGIN} // 'https://app.example.com';
$r = curl_req(OPTIONS => "$url/api/auth/login",
    headers => { Origin => $origin, 'Access-Control-Request-Method' => 'POST',
    'Access-Control-Request-Headers' => 'content-type' });
is($r->{status}, 204, 'a preflight answers 204');
is($r->{headers}{'access-control-allow-origin'}, $origin,
    '...allowing the configured origin');
like($r->{headers}{'access-control-allow-headers'} // '', qr/Content-Type/,
    '...and Content-Type');
$r = curl_req(GET => "$url/api/courses", headers => { Origin => $origin });
is($r->{headers}{'access-control-allow-origin'}, $origin,
    'a request from the origin may read the answer');
like($r->{headers}{vary} // '', qr/Origin/, '...which varies by Origin');
for my $o ('null', 'https://app.example.com.evil.test', 'https://evil.test') {
	$r = curl_req(GET => "$url/api/courses", headers => { Origin => $o });
	ok(!defined $r->{headers}{'access-control-allow-origin'},
	    "the origin $o gets no CORS headers");
}

done_testing();

#!/usr/bin/perl
# lectern — the production virtual hosts (apache/production.conf.in, as
# scripts/lib/production-conf renders it) under a real Apache with a
# throwaway CA: TLS 1.2 and 1.3 only, no weak suite, HSTS, a stapled OCSP
# response, clear HTTP moved to HTTPS, and the API's JSON errors, headers
# and CORS as on the other servers.  testssl.sh's verdict is
# t/lint/960-testssl.t.
use strict;
use warnings;
use Test::More;
use Lectern::Test;
use Lectern::Curl;

my $url = $ENV{LECTERN_TEST_TLS_URL};
my $http = $ENV{LECTERN_TEST_TLS_HTTP_URL};
my $ca = $ENV{LECTERN_TEST_TLS_CA};
unless ($url && $http && $ca) {
	BAIL_OUT('LECTERN_TEST_TLS_URL is not set') if $ENV{LECTERN_TEST_STRICT};
	plan(skip_all => 'LECTERN_TEST_TLS_URL not set (run scripts/test)');
}
my ($port) = $url =~ m{:(\d+)$};

# openssl s_client against the host: its whole output, and whether the
# handshake finished.  SECLEVEL=0 lets our client offer what the server
# must refuse, so a refusal is the server's.  The protocol and suite are
# read from the "New, TLSv1.3, Cipher is ..." line, which s_client prints
# as soon as the handshake ends: under TLS 1.3 the session block with
# "Protocol :" comes only once a ticket has arrived, and s_client may be
# done before then.
sub negotiated {
	my ($out) = @_;
	my ($proto, $cipher) = $out =~ /^New, (\S+), Cipher is (\S+)/m;
	return (undef, undef) if !$proto || $proto eq '(NONE)';
	return ($proto, $cipher);
}

sub handshake {
	my (@args) = @_;
	my $out = `echo | openssl s_client -connect 127.0.0.1:$port \\
	    -servername localhost -CAfile '$ca' @args 2>&1`;
	my $ok = $out =~ /^\s*Verify return code: 0 \(ok\)/m
	    && defined((negotiated($out))[0])
	    && $out !~ /handshake failure|no protocols available|alert/i;
	return ($ok, $out);
}

# Protocols.
for my $p (['-tls1_2', 'TLSv1.2'], ['-tls1_3', 'TLSv1.3']) {
	my ($ok, $out) = handshake($p->[0]);
	ok($ok && ((negotiated($out))[0] // '') eq $p->[1],
	    "$p->[1] is accepted") or diag($out);
}
for my $p (['-tls1_1', 'TLS 1.1'], ['-tls1', 'TLS 1.0']) {
	my ($ok, $out) = handshake($p->[0], "-cipher 'DEFAULT:\@SECLEVEL=0'");
	ok(!$ok, "$p->[1] is refused") or diag($out);
}

# Suites: TLS 1.2 negotiates a forward-secret AEAD suite, and refuses
# CBC, static-key, export, RC4, 3DES and anonymous ones even when the
# client offers nothing else.
{
	my ($ok, $out) = handshake('-tls1_2');
	my (undef, $c) = negotiated($out);
	like($c // '', qr/^ECDHE-(ECDSA|RSA)-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/,
	    'TLS 1.2 negotiates an ECDHE AEAD suite');
}
for my $weak (qw(ECDHE-ECDSA-AES128-SHA ECDHE-ECDSA-AES256-SHA384
    ECDHE-ECDSA-AES128-SHA256 AES128-GCM-SHA256 AES128-SHA DES-CBC3-SHA
    RC4-SHA ADH-AES128-SHA NULL-SHA EXP-RC4-MD5)) {
	my ($ok, $out) = handshake('-tls1_2', "-cipher '$weak:\@SECLEVEL=0'");
	ok(!$ok, "the weak suite $weak is refused");
}

# OCSP stapling: Apache asks the CA's responder (which scripts/test runs)
# and staples the answer; the first handshake may come before it has one.
{
	my $out = '';
	for (1 .. 20) {
		(undef, $out) = handshake('-status');
		last if $out =~ /OCSP Response Status: successful/;
		select(undef, undef, undef, 0.5);
	}
	like($out, qr/OCSP Response Status: successful/,
	    'the handshake carries a stapled OCSP response');
	like($out, qr/Cert Status: good/, '...saying the certificate is good');
}

# HSTS, the security headers and a JSON answer over TLS.
my $r = curl_req(GET => "$url/live");
is($r->{status}, 200, 'GET /live over TLS answers 200');
like($r->{headers}{'strict-transport-security'} // '',
    qr/^max-age=(\d{8,})(; includeSubDomains)?$/, 'it sends HSTS');
my ($age) = ($r->{headers}{'strict-transport-security'} // '') =~ /max-age=(\d+)/;
ok(($age // 0) >= 31536000, '...for at least a year');
security_headers_ok($r, 'GET /live over TLS');
$r = curl_req(GET => "$url/health");
is($r->{status}, 200, 'GET /health reaches the database through the TLS host');
is(json_body($r)->{database}, 'connected', '...connected');

# Clear HTTP: a permanent redirect to the same path on HTTPS, keeping the
# method (308), with no HSTS (meaningless in clear) and the API untouched.
for my $m (qw(GET POST)) {
	$r = curl_req($m => "$http/api/courses?page=2",
	    ($m eq 'POST' ? (json => {}) : ()));
	is($r->{status}, 308, "$m over clear HTTP is redirected (308)");
	is($r->{headers}{location}, "https://localhost:$port/api/courses?page=2",
	    '...to the same path and query on HTTPS');
	ok(!defined $r->{headers}{'strict-transport-security'},
	    '...without HSTS in clear');
}
$r = curl_req(GET => "$http/.well-known/acme-challenge/missing");
error_ok($r, 404, 'not_found',
    'the ACME challenge directory is served in clear (a missing file)');

# The same JSON errors as everywhere.
$r = curl_req(GET => "$url/no/such/path");
error_ok($r, 404, 'not_found', 'an unknown path over TLS');
security_headers_ok($r, 'the 404');
like($r->{headers}{'content-type'} // '', qr{^application/json}, '...as JSON');
$r = curl_req(DELETE => "$url/api/courses");
error_ok($r, 405, 'method_not_allowed', 'a wrong method over TLS');
ok(defined $r->{headers}{allow}, '...with Allow');
$r = curl_req(POST => "$url/api/auth/login", body => 'x',
    headers => { 'Content-Type' => 'text/plain' });
error_ok($r, 415, 'unsupported_media_type', 'a body that is not JSON');
$r = curl_req(POST => "$url/api/auth/login", body => 'x' x 70000,
    headers => { 'Content-Type' => 'application/json' });
error_ok($r, 413, 'payload_too_large', 'a body over the limit');
$r = curl_req(GET => "$url/lectern-cgi/live_get");
error_ok($r, 404, 'not_found', 'an endpoint by its file name');

# A whole flow: register, sign in, read the account.
my $email = unique_email('tls');
my $password = strong_password();
$r = curl_req(POST => "$url/api/auth/register",
    json => { name => 'Over TLS', email => $email, password => $password });
is($r->{status}, 201, 'registration over TLS answers 201');
$r = curl_req(POST => "$url/api/auth/login",
    json => { email => $email, password => $password });
is($r->{status}, 200, 'sign-in over TLS answers 200');
my $token = json_body($r)->{access_token} // '';
$r = curl_req(GET => "$url/api/auth/me",
    headers => { Authorization => "Bearer $token" });
is($r->{status}, 200, 'the token reads the account');
is(json_body($r)->{email}, $email, '...which is the right one');
is($r->{headers}{'cache-control'}, 'no-store', '...not to be cached');
$r = curl_req(GET => "$url/api/auth/me",
    headers => { Authorization => 'Bearer nope' });
error_ok($r, 401, 'unauthorized', 'a bad token over TLS');
like($r->{headers}{'www-authenticate'} // '', qr/invalid_token/,
    '...with WWW-Authenticate');

# CORS as on the other servers.
my $origin = $ENV{LECTERN_TEST_CORS_ORIGIN} // 'https://app.example.com';
$r = curl_req(OPTIONS => "$url/api/courses",
    headers => { Origin => $origin,
    'Access-Control-Request-Method' => 'POST' });
is($r->{status}, 204, 'a preflight over TLS answers 204');
is($r->{headers}{'access-control-allow-origin'}, $origin,
    '...allowing the configured origin');
$r = curl_req(GET => "$url/api/courses",
    headers => { Origin => 'https://app.example.com.evil.test' });
ok(!defined $r->{headers}{'access-control-allow-origin'},
    'a look-alike origin gets no CORS headers');

# The access log: the public path (no query string), the request id and
# the duration.
$r = curl_req(GET => "$url/api/courses?secret=abc123");
my $rid = $r->{headers}{'x-request-id'} // 'none';
my $line;
for (1 .. 20) {
	for my $f (glob("$ENV{LECTERN_TEST_TLS_DIR}/log/lectern-access.*")) {
		open(my $fh, '<', $f) or next;
		($line) = grep { /\Q$rid\E/ } <$fh>;
		close($fh);
		last if defined $line;
	}
	last if defined $line;
	select(undef, undef, undef, 0.2);
}
chomp($line) if defined $line;
ok(defined $line, 'the access log has a line with the request id')
    or diag("no $rid in the access log");
like($line // '', qr{"GET /api/courses HTTP/1\.1" 200 \d+ \d+$},
    '...the public path, status, size and duration in microseconds');
unlike($line // '', qr/abc123/, '...and no query string');

done_testing();

#!/usr/bin/perl
# lectern — errors from Apache and from the CGIs share one JSON shape.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();

my $r = api(GET => '/api/anything-unknown');
error_ok($r, 404, 'not_found', 'GET /api/anything-unknown');
like($r->{headers}{'content-type'}, qr{^application/json},
    '...and is labelled JSON');

$r = api(GET => '/no/such/file.html');
error_ok($r, 404, 'not_found', 'a path outside /api');

for my $m ('PATCH', 'DELETE', 'POST', 'PUT') {
	$r = api($m => '/api/courses/abc', json => {});
	error_ok($r, 404, 'not_found', "$m on an unrouted /api path");
}
$r = api(DELETE => '/no/such/thing');
error_ok($r, 404, 'not_found', 'DELETE on an unknown path outside /api');

$r = api(GET => '/lectern-cgi/health_get');
error_ok($r, 404, 'not_found', 'the CGI directory is not reachable directly');

$r = api(POST => '/health', json => {});
error_ok($r, 405, 'method_not_allowed', 'POST /health');
is($r->{headers}{allow}, 'GET', '...and says Allow: GET');

$r = api(DELETE => '/live');
error_ok($r, 405, 'method_not_allowed', 'DELETE /live');

$r = api(TRACE => '/health');
is($r->{status}, 405, 'TRACE is refused with 405');
is(json_body($r)->{error}{code}, 'method_not_allowed', '...in the JSON shape');
unlike($r->{content}, qr/TRACE \/health/, '...and echoes nothing back');

my $big = 'x' x (2 * 1024 * 1024);
$r = api(POST => '/health', body => $big, type => 'application/json');
error_ok($r, 413, 'payload_too_large', 'a 2 MiB body');
like($r->{headers}{'content-type'}, qr{^application/json},
    '...and is labelled JSON');

# A request id is unique per request.
my $a = api(GET => '/nope')->{headers}{'x-request-id'};
my $b = api(GET => '/nope')->{headers}{'x-request-id'};
isnt($a, $b, 'every response has its own X-Request-Id');

done_testing();

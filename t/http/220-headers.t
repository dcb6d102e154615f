#!/usr/bin/perl
# lectern — security headers on every response, success or error.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();

security_headers_ok(api(GET => '/health'), '200 from a CGI');
security_headers_ok(api(GET => '/live'), '200 from /live');
security_headers_ok(api(GET => '/api/nope'), '404 from Apache');
security_headers_ok(api(POST => '/health', json => {}), '405 from a CGI');
security_headers_ok(api(POST => '/health', body => 'x' x (3 << 20),
    type => 'application/json'), '413 from Apache');
my $st = api(GET => '/static.txt');
is($st->{status}, 404, 'no file is served outside the routes');
security_headers_ok($st, '...and that 404 has the headers too');

my $r = api(GET => '/health');
is($r->{headers}{server}, 'Apache', 'Server names no version');
ok(!exists $r->{headers}{'x-powered-by'}, 'no X-Powered-By');
ok(!exists $r->{headers}{'strict-transport-security'},
    'no HSTS over plain HTTP');

done_testing();

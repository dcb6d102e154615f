#!/usr/bin/perl
# lectern — CORS: exact origins from LECTERN_CORS_ORIGINS, nothing else.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();
my $origin = $ENV{LECTERN_TEST_CORS_ORIGIN} || 'https://app.example.com';

my $r = api(GET => '/health', headers => { Origin => $origin });
is($r->{status}, 200, 'a request from an allowed origin is served');
is($r->{headers}{'access-control-allow-origin'}, $origin,
    '...and its origin is echoed');
like($r->{headers}{vary} // '', qr/\bOrigin\b/, '...with Vary: Origin');
like($r->{headers}{'access-control-expose-headers'} // '',
    qr/X-Request-Id/, '...and the request id is exposed');

$r = api(OPTIONS => '/api/health', headers => {
	Origin => $origin,
	'Access-Control-Request-Method' => 'POST',
	'Access-Control-Request-Headers' => 'authorization, content-type',
});
is($r->{status}, 204, 'a preflight from an allowed origin answers 204');
is($r->{headers}{'access-control-allow-origin'}, $origin,
    '...and echoes the origin');
like($r->{headers}{'access-control-allow-methods'} // '', qr/\bPOST\b/,
    '...and allows POST');
like($r->{headers}{'access-control-allow-headers'} // '',
    qr/Authorization/, '...and the Authorization header');
like($r->{headers}{'access-control-allow-headers'} // '',
    qr/Content-Type/, '...and Content-Type');

# The second configured origin carries a port.
$r = api(GET => '/live', headers => { Origin => 'https://admin.example.com:8443' });
is($r->{headers}{'access-control-allow-origin'},
    'https://admin.example.com:8443', 'an allowed origin with a port matches');

(my $http = $origin) =~ s/^https:/http:/;
for my $bad ('null', $http, "$origin.evil.net", "${origin}x",
    substr($origin, 0, -1), "$origin/", "$origin:443", uc($origin),
    'https://evil.example.com', "https://x$origin") {
	for my $method ('GET', 'OPTIONS') {
		$r = api($method => '/live', headers => {
			Origin => $bad,
			'Access-Control-Request-Method' => 'GET',
		});
		my @cors = grep { /^access-control-/ } keys %{ $r->{headers} };
		is(scalar(@cors), 0, "$method from origin '$bad' gets no CORS headers");
	}
}

$r = api(GET => '/live');
ok(!exists $r->{headers}{'access-control-allow-origin'},
    'a request without Origin gets no CORS headers');

done_testing();

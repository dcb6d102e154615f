#!/usr/bin/perl
# lectern — GET /health, /api/health, /live, /ready through Apache.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();

# The newest migration in schema/ is what /ready must find.
opendir(my $d, srcdir() . '/schema') or die "schema/: $!";
my ($latest) = reverse sort grep { s/\.sql$// } readdir($d);
closedir($d);

for my $path ('/health', '/api/health') {
	my $r = api(GET => $path);
	is($r->{status}, 200, "GET $path answers 200");
	my $b = json_body($r);
	is($b->{status}, 'ok', '...and says status ok');
	is($b->{database}, 'connected', '...and the database is connected');
	is($b->{schema}, $latest, "...and the schema is $latest");
	like($b->{version} // '', qr/^\d+\.\d+\.\d+$/, '...and has a version');
	is($b->{config}, 'ok', '...and the configuration is valid');
	like($r->{headers}{'content-type'}, qr{^application/json},
	    '...and is JSON');
	is($r->{headers}{'cache-control'}, 'no-store', '...and is not cached');
	unlike($r->{content}, qr/PostgreSQL \d|Apache\/\d|127\.0\.0\.1/,
	    '...and names no server version or host');
}

my $r = api(GET => '/live');
is($r->{status}, 200, 'GET /live answers 200');
is(json_body($r)->{status}, 'alive', '...and says alive');

$r = api(GET => '/ready');
is($r->{status}, 200, 'GET /ready answers 200 on a current schema');
is(json_body($r)->{schema}, $latest, '...and reports the schema');

$r = api(HEAD => '/health');
is($r->{status}, 200, 'HEAD /health is allowed');
is($r->{content} // '', '', '...and has no body');

# A production configuration without a JWT secret.
my $bad = base_url('badconf');
$r = api(GET => '/health', url => $bad);
is($r->{status}, 503, 'production without a JWT secret: /health is 503');
is(json_body($r)->{config}, 'invalid', '...and says the config is invalid');
is(json_body($r)->{status}, 'unavailable', '...and status unavailable');
unlike($r->{content}, qr/LECTERN_JWT_SECRET=|secret"\s*:/,
    '...and leaks no secret');
$r = api(GET => '/ready', url => $bad);
is($r->{status}, 503, '...and /ready is 503 too');
$r = api(GET => '/live', url => $bad);
is($r->{status}, 200, '...while /live still answers 200');

done_testing();

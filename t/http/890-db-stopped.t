#!/usr/bin/perl
# lectern — with PostgreSQL stopped, /health and /ready say so in JSON and
# /live still answers.  Stops the test cluster and starts it again, so it
# runs late and alone (make check runs tests one at a time).
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();
my $stop = $ENV{LECTERN_TEST_PG_STOP};
my $start = $ENV{LECTERN_TEST_PG_START};
unless ($stop && $start) {
	BAIL_OUT('LECTERN_TEST_PG_STOP/START not set') if $ENV{LECTERN_TEST_STRICT};
	plan(skip_all => 'needs scripts/test to stop the database');
}

is(system("$stop >/dev/null 2>&1"), 0, 'the test cluster stops');
my $ok = eval {
	for my $path ('/health', '/api/health', '/ready') {
		my $r = api(GET => $path);
		is($r->{status}, 503, "$path answers 503 with the database down");
		my $b = json_body($r);
		is($b->{status}, 'unavailable', '...and says unavailable');
		is($b->{database}, 'unreachable', '...and the database unreachable');
		is($b->{error}{code}, 'unavailable', '...with the error code');
		is($b->{error}{request_id}, $r->{headers}{'x-request-id'},
		    '...and the request id');
		unlike($r->{content},
		    qr/connection|refused|server|port|socket|127\.0\.0\.1|postgres|libpq/i,
		    '...and no libpq text');
	}
	my $r = api(GET => '/live');
	is($r->{status}, 200, '/live still answers 200');
	1;
};
is(system("$start >/dev/null 2>&1"), 0, 'the test cluster starts again');
die $@ unless $ok;
# A pool in front (PgBouncer) reconnects within a few seconds.
my $r;
for (1 .. 50) {
	$r = api(GET => '/health');
	last if $r->{status} == 200;
	select(undef, undef, undef, 0.2);
}
is($r->{status}, 200, '/health recovers once the database is back');

done_testing();

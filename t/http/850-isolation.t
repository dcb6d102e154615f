#!/usr/bin/perl
# lectern — nothing of one request is visible to the next.
#
# Under FastCGI (scripts/test --mode fastcgi) one process serves request
# after request, keeping its database connection; these rounds alternate
# callers and failures on the same executables, so every process serves
# several of them.  In CGI mode the same assertions hold trivially.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();
my $mode = $ENV{LECTERN_TEST_CGI_MODE} || 'cgi';
diag("endpoints run as $mode");

# A teacher's free and paid courses.
my $t = user_with_role('teacher');
my ($free) = sql_one("INSERT INTO courses (instructor_id, title, published)"
    . " VALUES (:'p1', 'Isolation free', true) RETURNING id", $t->{user}{id});
my ($paid) = sql_one("INSERT INTO courses (instructor_id, title, published,"
    . " price_minor) VALUES (:'p1', 'Isolation paid', true, 49900)"
    . " RETURNING id", $t->{user}{id});

my $a = register_user(tag => 'iso-a');

# One test per check and round, each saying what came back when it fails.
sub status_ok {
	my ($r, $want, $what) = @_;
	is($r->{status}, $want, "$what: $want")
	    or diag("body: " . ($r->{content} // ''));
}

for my $round (1 .. 8) {
	# A fails half-way: inside its transaction (lectern.user_id = A),
	# the course turns out to be paid.
	my $r = api(POST => "/api/courses/$paid/enroll", token => $a->{access_token});
	status_ok($r, 402, "round $round: A enrolls in the paid course");
	# A sends a body the endpoint cannot parse.
	$r = api(PATCH => '/api/auth/me', token => $a->{access_token},
	    body => '{"broken":', type => 'application/json');
	status_ok($r, 400, "round $round: A sends broken JSON");
	# B, new each round, enrolls in the free course: the row must be B's,
	# and row-level security must see B, not A.
	my $b = register_user(tag => "iso-b$round");
	$r = api(POST => "/api/courses/$free/enroll", token => $b->{access_token});
	status_ok($r, 201, "round $round: B enrolls in the free course");
	my $owner = sql_one("SELECT user_id FROM enrollments WHERE course_id = :'p1'"
	    . " AND user_id = :'p2'", $free, $b->{user}{id});
	is($owner, $b->{user}{id}, "round $round: ...and the enrollment is B's");
	# Nobody's identity survives into an anonymous request.
	$r = api(GET => '/api/auth/me', token => $b->{access_token});
	status_ok($r, 200, "round $round: B asks who they are");
	is(json_body($r)->{id}, $b->{user}{id}, "round $round: ...and is B");
	$r = api(GET => '/api/auth/me');
	status_ok($r, 401, "round $round: a caller without a token asks");
	# A 405's Allow header does not stick to the next answer.
	$r = api(POST => '/health', json => {});
	status_ok($r, 405, "round $round: POST /health");
	$r = api(GET => '/health');
	status_ok($r, 200, "round $round: GET /health after it");
	ok(!exists $r->{headers}{allow},
	    "round $round: ...without the 405's Allow header")
	    or diag("Allow: $r->{headers}{allow}");
}
is(sql_one("SELECT count(*) FROM enrollments WHERE course_id = :'p1' AND user_id = :'p2'",
    $paid, $a->{user}{id}), 0, 'the failed enrollment wrote nothing');
is(sql_one("SELECT count(*) FROM enrollments WHERE course_id = :'p1'", $free), 8,
    'every other caller got exactly their own enrollment');

# A kept connection that died between requests: the next request
# reconnects instead of failing.
sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
    . " WHERE usename = 'lectern_app' AND pid <> pg_backend_pid()");
for my $i (1 .. 5) {
	status_ok(api(GET => '/health'), 200,
	    "request $i after the database ended every app connection");
}
my $r = api(GET => '/api/auth/me', token => $a->{access_token});
is($r->{status}, 200, '...including authenticated ones');

done_testing();

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
my $bad = 0;
for my $round (1 .. 8) {
	# A fails half-way: inside its transaction (lectern.user_id = A),
	# the course turns out to be paid.
	my $r = api(POST => "/api/courses/$paid/enroll", token => $a->{access_token});
	$bad++ unless $r->{status} == 402;
	# A sends a body the endpoint cannot parse.
	$r = api(PATCH => '/api/auth/me', token => $a->{access_token},
	    body => '{"broken":', type => 'application/json');
	$bad++ unless $r->{status} == 400;
	# B, new each round, enrolls in the free course: the row must be B's,
	# and row-level security must see B, not A.
	my $b = register_user(tag => "iso-b$round");
	$r = api(POST => "/api/courses/$free/enroll", token => $b->{access_token});
	$bad++ unless $r->{status} == 201;
	my $owner = sql_one("SELECT user_id FROM enrollments WHERE course_id = :'p1'"
	    . " AND user_id = :'p2'", $free, $b->{user}{id});
	$bad++ unless defined $owner && $owner == $b->{user}{id};
	# Nobody's identity survives into an anonymous request.
	$r = api(GET => '/api/auth/me', token => $b->{access_token});
	$bad++ unless $r->{status} == 200 && json_body($r)->{id} == $b->{user}{id};
	$r = api(GET => '/api/auth/me');
	$bad++ unless $r->{status} == 401;
	# A 405's Allow header does not stick to the next answer.
	api(POST => '/health', json => {});
	$r = api(GET => '/health');
	$bad++ unless $r->{status} == 200 && !exists $r->{headers}{allow};
}
is($bad, 0, 'eight rounds of failures and other callers leave nothing behind');
is(sql_one("SELECT count(*) FROM enrollments WHERE course_id = :'p1' AND user_id = :'p2'",
    $paid, $a->{user}{id}), 0, 'the failed enrollment wrote nothing');
is(sql_one("SELECT count(*) FROM enrollments WHERE course_id = :'p1'", $free), 8,
    'every other caller got exactly their own enrollment');

# A kept connection that died between requests: the next request
# reconnects instead of failing.
sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
    . " WHERE usename = 'lectern_app' AND pid <> pg_backend_pid()");
my $ok = 0;
for (1 .. 5) {
	$ok++ if api(GET => '/health')->{status} == 200;
}
is($ok, 5, 'after the database ended every app connection, requests still succeed');
my $r = api(GET => '/api/auth/me', token => $a->{access_token});
is($r->{status}, 200, '...including authenticated ones');

done_testing();

#!/usr/bin/perl
# lectern — a body sent slowly holds nothing: 25 connections send a
# submission (POST /api/classwork/{id}/submissions, as an enrolled
# student) a few bytes a second, more than PgBouncer's pool, while
# GET /api/courses keeps answering 200 quickly.  The endpoint reads its
# body before it connects to the database, so a slow client costs a
# process, never a connection or a lock.  Bounded: at most 40 s.
use strict;
use warnings;
use IO::Select;
use IO::Socket::INET;
use Time::HiRes qw(time sleep);
use Test::More;
use Lectern::Test;

my $base = base_url();
my ($host, $port) = $base =~ m{^http://([^:/]+):(\d+)}
    or BAIL_OUT("cannot read $base");

my $t = user_with_role('teacher', tag => 'slow-t');
my $s = register_user(tag => 'slow-s');
my $cid = sql_one("INSERT INTO courses (instructor_id, title, published)"
    . " VALUES (:'p1', 'Slow bodies', true) RETURNING id", $t->{user}{id});
sql("INSERT INTO enrollments (user_id, course_id, status)"
    . " VALUES (:'p1', :'p2', 'active')", $s->{user}{id}, $cid);
my $cwid = sql_one("INSERT INTO classwork (course_id, title)"
    . " VALUES (:'p1', 'Slow') RETURNING id", $cid);

my $n = 25;
my $body = '{"content":"' . ('slow ' x 12) . '"}';
my $head = "POST /api/classwork/$cwid/submissions HTTP/1.1\r\n"
    . "Host: $host:$port\r\n"
    . "Authorization: Bearer $s->{access_token}\r\n"
    . "Content-Type: application/json\r\n"
    . "Content-Length: " . length($body) . "\r\n"
    . "Connection: close\r\n\r\n";

my @conns;
for my $i (1 .. $n) {
	my $sock = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
	    Proto => 'tcp', Timeout => 5)
	    or BAIL_OUT("connect $i: $!");
	$sock->autoflush(1);
	print $sock $head, substr($body, 0, 2);
	push @conns, { sock => $sock, sent => 2 };
}
pass("$n connections are sending a body slowly");

# 15 s of slow bodies: two bytes a second on each connection, and
# GET /api/courses in between.
my $start = time();
my ($gets, $good, $slowest) = (0, 0, 0);
while (time() - $start < 15) {
	for my $c (@conns) {
		next if $c->{sent} >= length($body) - 4;
		my $sock = $c->{sock};
		print $sock substr($body, $c->{sent}, 2);
		$c->{sent} += 2;
	}
	my $t0 = time();
	my $r = api(GET => '/api/courses?per_page=5');
	my $took = time() - $t0;
	$gets++;
	$slowest = $took if $took > $slowest;
	# A request that queued for a pooled connection behind the slow
	# bodies would fail after PgBouncer's query_wait_timeout (10 s):
	# the status tells.  The time is only reported (a loaded machine or
	# a sanitizer build takes seconds).
	if ($r->{status} == 200) {
		$good++;
	} else {
		diag(sprintf('GET /api/courses: %s after %.1f s: %s',
		    $r->{status}, $took, substr($r->{content} // '', 0, 200)));
	}
	my $rest = 1 - (time() - $t0);
	sleep($rest) if $rest > 0;
}
ok($gets >= 3, "GET /api/courses was asked $gets times meanwhile");
is($good, $gets, '...and answered 200 every time');
diag(sprintf('slowest GET /api/courses: %.1f s', $slowest));

# Now the rest of each body: the submissions go through (or Apache cut
# a too-slow body off with 408); nothing is a server error.
for my $c (@conns) {
	my $sock = $c->{sock};
	local $SIG{PIPE} = 'IGNORE';
	print $sock substr($body, $c->{sent});
}
my $sel = IO::Select->new(map { $_->{sock} } @conns);
my %status;
my $deadline = time() + 15;
my %buf;
while ($sel->count && time() < $deadline) {
	for my $sock ($sel->can_read(1)) {
		my $got = sysread($sock, my $chunk, 4096);
		if ($got) {
			$buf{fileno($sock)} .= $chunk;
			next;
		}
		my ($code) = ($buf{fileno($sock)} // '') =~ m{^HTTP/1\.\d (\d{3})};
		$status{$code // 'none'}++;
		$sel->remove($sock);
		close($sock);
	}
}
$status{'no answer'} = $sel->count if $sel->count;
my $summary = join(', ', map { "$_: $status{$_}" } sort keys %status);
ok(!grep({ !/^(200|201|408)$/ } keys %status),
    "every slow submission ends in 200/201 or 408 ($summary)");
ok(($status{200} // 0) + ($status{201} // 0) > 0,
    '...and the ones that finished were stored')
    or diag($summary);
cmp_ok(sql_one("SELECT count(*) FROM submissions WHERE classwork_id = :'p1'",
    $cwid), '<=', 1, '...as one submission of the student (an upsert)');
cmp_ok(time() - $start, '<', 40, 'all within 40 s');

done_testing();

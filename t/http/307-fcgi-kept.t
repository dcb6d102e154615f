#!/usr/bin/perl
# lectern — connections Apache keeps to the FastCGI server
# (scripts/lib/apache-conf, LECTERN_FCGI_REUSE): reads go over
# connections each Apache child keeps open between requests, a request
# with a body over one of its own, so a body sent slowly never holds a
# kept connection (t/http/216-slow-body.t is the load test of that).
# Under plain CGI no process outlives its request.
use strict;
use warnings;
use IO::Socket::INET;
use Test::More;
use Time::HiRes qw(sleep);
use Lectern::Test;

my $base = base_url();
my $mode = $ENV{LECTERN_TEST_CGI_MODE} // 'cgi';
if ($mode ne 'fastcgi') {
	my ($parent, @workers) = fcgi_processes();
	ok(!defined $parent && !@workers,
	    'CGI mode: no FastCGI server runs beside Apache');
	for (1 .. 5) {
		my $r = api(GET => '/api/courses');
		is($r->{status}, 200, 'GET /api/courses answers 200')
		    or diag($r->{content});
	}
	done_testing();
	exit;
}

my ($parent, @workers) = fcgi_processes();
ok($parent && @workers, 'the FastCGI server and its workers run')
    or BAIL_OUT('no lectern-fcgi found');
my @argv = split(/\0/, do {
	local (@ARGV, $/) = "/proc/$parent/cmdline"; <> } // '');
my $sock = $argv[-1];
like($sock, qr{/fcgi\.sock$}, "its socket: $sock");

# Accepted connections on the socket, from /proc/net/unix: the server's
# side of each has the socket's path and is connected (state 03).
sub connected {
	open(my $fh, '<', '/proc/net/unix') or die "/proc/net/unix: $!";
	my $n = 0;
	while (<$fh>) {
		my @f = split;
		$n++ if @f >= 8 && $f[7] eq $sock && $f[5] eq '03';
	}
	close($fh);
	return $n;
}

for (1 .. 24) {
	my $r = api(GET => '/api/courses');
	is($r->{status}, 200, 'GET /api/courses answers 200')
	    or diag($r->{content});
}
my $kept = connected();
ok($kept >= 1, "after the reads, Apache keeps connections open: $kept");
# Each kept connection keeps a worker, and the floor leaves four over.
ok($kept <= @workers - 4, "no more kept than the workers leave free"
    . " ($kept of " . scalar(@workers) . ')');

# A request with a body, its body not yet sent: it holds a connection
# of its own (one more than were kept), which goes when it is answered.
my ($host, $port) = $base =~ m{^http://([^:/]+):(\d+)}
    or BAIL_OUT("cannot read $base");
my $c = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
    Timeout => 5) or BAIL_OUT("connect: $!");
my $body = '{"email":"kept@example.com","password":"not the password"}';
print $c "POST /api/auth/login HTTP/1.1\r\nHost: $host:$port\r\n"
    . "Content-Type: application/json\r\n"
    . 'Content-Length: ' . length($body) . "\r\nConnection: close\r\n\r\n"
    . substr($body, 0, 10);
my $during = 0;
for (1 .. 50) {
	$during = connected();
	last if $during > $kept;
	sleep(0.1);
}
ok($during > $kept, "a request with a body takes a connection of its own"
    . " ($during with it, $kept kept)");
print $c substr($body, 10);
my $answer = do { local $/; <$c> } // '';
like($answer, qr{^HTTP/1\.1 401 }, 'it is answered (401)');
close($c);
my $after = $during;
for (1 .. 50) {
	$after = connected();
	last if $after < $during;
	sleep(0.1);
}
ok($after < $during, "...and its connection goes ($after left)");

done_testing();

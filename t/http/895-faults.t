#!/usr/bin/perl
# lectern — faults under load.  Sixteen clients read GET /api/courses
# without pause while PostgreSQL is stopped and started, then PgBouncer,
# then every endpoint process is killed: the only answers are 200 or a
# JSON 503 (a killed process may fail the request it was serving, never
# more), and reads answer 200 again within seconds with no Apache
# restart.  Bounded: each phase runs a fixed number of seconds.
use strict;
use warnings;
use File::Temp ();
use HTTP::Tiny;
use Time::HiRes qw(time sleep);
use Test::More;
use Lectern::Test;

my $base = base_url();
my %cmd = map { $_ => $ENV{"LECTERN_TEST_$_"} }
    qw(PG_STOP PG_START BOUNCER_STOP BOUNCER_START CGI_DIR);
unless ($cmd{PG_STOP} && $cmd{PG_START} && $cmd{CGI_DIR}) {
	BAIL_OUT('LECTERN_TEST_PG_STOP/START, _CGI_DIR not set')
	    if $ENV{LECTERN_TEST_STRICT};
	plan(skip_all => 'needs scripts/test to stop and start services');
}
my $clients = 16;
my $dir = File::Temp->newdir();

# Start $clients readers; each writes "time status json?" lines to its
# own file until the stop file appears.  Returns their pids.
sub load_start {
	my ($tag) = @_;
	unlink("$dir/stop");
	my @pids;
	for my $i (1 .. $clients) {
		my $pid = fork() // die "fork: $!";
		if ($pid == 0) {
			my $http = HTTP::Tiny->new(timeout => 30,
			    keep_alive => 1);
			open(my $out, '>', "$dir/$tag-$i") or exit 1;
			$out->autoflush(1);
			until (-e "$dir/stop") {
				my $r = $http->get("$base/api/courses?per_page=5");
				my $ct = $r->{headers}{'content-type'} // '';
				printf $out "%.3f %d %d\n", time, $r->{status},
				    $ct =~ m{^application/json} ? 1 : 0;
			}
			close($out);
			exit 0;
		}
		push @pids, $pid;
	}
	return @pids;
}

# Stop the readers and return every [time, status, json] they saw.
sub load_stop {
	my ($tag, @pids) = @_;
	open(my $fh, '>', "$dir/stop") or die "stop file: $!";
	close($fh);
	waitpid($_, 0) for @pids;
	my @seen;
	for my $i (1 .. $clients) {
		open(my $in, '<', "$dir/$tag-$i") or next;
		push @seen, map { [split] } <$in>;
		close($in);
	}
	return sort { $a->[0] <=> $b->[0] } @seen;
}

# A service goes down for $down seconds under load and comes back.
sub outage {
	my ($name, $stop, $start, $down) = @_;
	my @pids = load_start($name);
	sleep(2);
	my $t0 = time;
	my $stopped = system("$stop >/dev/null 2>&1") == 0;
	sleep($down);
	my $started = system("$start >/dev/null 2>&1") == 0;
	my $back = time;
	sleep(8);
	my @seen = load_stop($name, @pids);
	ok($stopped, "$name stops under load");
	ok($started, "$name starts again");
	my %n;
	$n{$_->[1]}++ for @seen;
	my @bad = grep { $_->[1] != 200 && $_->[1] != 503 } @seen;
	is(scalar @bad, 0, "$name down: every answer is 200 or 503")
	    or diag(join(' ', map { "$_ x$n{$_}" } sort keys %n));
	is(scalar(grep { !$_->[2] } @seen), 0, '...and every one is JSON');
	ok(($n{503} // 0) > 0, "...the outage was seen (503 x"
	    . ($n{503} // 0) . ')');
	my ($first) = grep { $_->[0] > $back && $_->[1] == 200 } @seen;
	ok($first && $first->[0] - $back < 5,
	    sprintf('...and reads answer 200 again %.1f s after it is back',
	    $first ? $first->[0] - $back : -1));
	my @tail = grep { $_->[0] > $back + 5 } @seen;
	ok(@tail > 0 && !grep({ $_->[1] != 200 } @tail),
	    '...every read in the last 3 s answers 200 (' . scalar(@tail)
	    . ')');
}

outage('PostgreSQL', $cmd{PG_STOP}, $cmd{PG_START}, 3);
# FastCGI processes (and --direct) connect straight to PostgreSQL: a
# PgBouncer restart is a fault only where the endpoints go through it.
if ($cmd{BOUNCER_STOP}) {
	outage('PgBouncer', $cmd{BOUNCER_STOP}, $cmd{BOUNCER_START}, 3);
} else {
	note('no PgBouncer in front of the endpoints in this mode');
}

# Every endpoint process killed, three times, mid-load: the CGIs, or
# the FastCGI server's workers (not the parent that replaces them).
sub exe_of {
	my ($pid) = @_;
	return readlink("/proc/$pid/exe") // '';
}
sub endpoint_pids {
	my (undef, @p) = fcgi_processes();
	for my $exe (glob('/proc/[0-9]*/exe')) {
		my ($pid) = $exe =~ m{^/proc/(\d+)/} or next;
		my $to = exe_of($pid) or next;
		push @p, $pid if index($to, "$cmd{CGI_DIR}/") == 0;
	}
	return @p;
}
my @pids = load_start('kill');
sleep(2);
my $killed = 0;
for (1 .. 3) {
	my @victims = endpoint_pids();
	$killed += kill('KILL', @victims);
	sleep(1);
}
my $last_kill = time;
sleep(5);
my @seen = load_stop('kill', @pids);
my %n;
$n{$_->[1]}++ for @seen;
my $mode = $ENV{LECTERN_TEST_CGI_MODE} // 'cgi';
if ($mode eq 'fastcgi') {
	ok($killed > 0, "FastCGI workers were killed under load ($killed)");
} else {
	# A CGI lives for one request; some may be caught mid-flight.
	note("CGI processes caught mid-request: $killed");
}
my @failed = grep { $_->[1] != 200 } @seen;
ok(@failed <= $killed, 'only requests a killed process was serving fail ('
    . scalar(@failed) . " of $killed kills)")
    or diag(join(' ', map { "$_ x$n{$_}" } sort keys %n));
is(scalar(grep { !$_->[2] } @seen), 0, '...and every answer is JSON');
my @tail = grep { $_->[0] > $last_kill + 2 } @seen;
ok(@tail > 0 && !grep({ $_->[1] != 200 } @tail),
    'reads answer 200 again after the kills, with no Apache restart ('
    . scalar(@tail) . ')');

done_testing();

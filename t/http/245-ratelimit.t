#!/usr/bin/perl
# lectern — rate limits, on the host that keeps the default limits: the
# security classes counted in PostgreSQL, the api class in the node's
# shared table without a database write.  Each case comes from a
# loopback address (or a user) of its own, so the counts are this
# test's alone.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

my $url = base_url('limits');
my $tag = $$ % 200 + 20;	# 127.0.<tag>.x: ours for this run

# Fire one request per child, all at once; return the statuses.
sub parallel {
	my ($n, $make) = @_;
	my @kids;
	for my $i (1 .. $n) {
		my $pid = fork() // die "fork: $!";
		if ($pid == 0) {
			my $r = $make->($i);
			open(my $fh, '>', "/tmp/lectern-rl-$$") or exit 1;
			print $fh "$r->{status} " . ($r->{headers}{'retry-after'} // '-') . "\n";
			close($fh);
			exit 0;
		}
		push @kids, $pid;
	}
	my @out;
	for my $pid (@kids) {
		waitpid($pid, 0);
		open(my $fh, '<', "/tmp/lectern-rl-$pid") or next;
		push @out, [split ' ', scalar <$fh>];
		close($fh);
		unlink("/tmp/lectern-rl-$pid");
	}
	return @out;
}

# strict: 5 per hour per address.  25 at once, each with a different
# X-Forwarded-For, which the CGIs never read.
my $ip = "127.0.$tag.1";
my @res = parallel(25, sub {
	my ($i) = @_;
	api(POST => '/api/auth/password/forgot', url => $url, from => $ip,
	    json => { email => unique_email('rl') },
	    headers => { 'X-Forwarded-For' => "10.9.8.$i" });
});
my $passed = grep { $_->[0] == 202 } @res;
my @limited = grep { $_->[0] == 429 } @res;
is(scalar(@res), 25, '25 parallel requests of the strict class came back');
is($passed, 5, '...exactly 5 passed');
is(scalar(@limited), 20, '...and 20 got 429');
is(scalar(grep { $_->[1] =~ /^\d+$/ && $_->[1] > 0 } @limited), 20,
    '...each 429 with a Retry-After');

my $r = api(POST => '/api/auth/password/forgot', url => $url, from => $ip,
    json => { email => unique_email('rl') });
error_ok($r, 429, 'rate_limited', 'the next one from that address');
ok($r->{headers}{'retry-after'} > 0 && $r->{headers}{'retry-after'} <= 3600,
    '...says when to retry, within the hour');
is($r->{headers}{'x-ratelimit-limit'}, 5, '...with X-RateLimit-Limit');
is($r->{headers}{'x-ratelimit-remaining'}, 0, '...and nothing remaining');
ok($r->{headers}{'x-ratelimit-reset'} > time() - 5, '...and a reset time');

$r = api(POST => '/api/auth/password/forgot', url => $url,
    from => "127.0.$tag.2", json => { email => unique_email('rl') });
is($r->{status}, 202, 'another address is not limited');

# auth: 10 per minute per address and account, with the headers
# counting down (t/http/865-classroom.t: other accounts at the same
# address are not held back).
$ip = "127.0.$tag.3";
my @remaining;
my $target = unique_email('rl');
for my $i (1 .. 11) {
	$r = api(POST => '/api/auth/login', url => $url, from => $ip,
	    json => { email => $target, password => 'wrong-password-x' });
	push @remaining, $r->{headers}{'x-ratelimit-remaining'};
	last if $r->{status} == 429;
}
is($r->{status}, 429, 'the 11th login attempt in a minute is limited');
is_deeply([@remaining[0 .. 9]], [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    '...after X-RateLimit-Remaining counted down from 9');

# Failed logins per account: 100 an hour, whatever the address.
my $u = register_user(tag => 'rlacct', url => $url);
@res = ();
for my $batch (0 .. 9) {
	push @res, parallel(10, sub {
		my ($i) = @_;
		login_user($u->{email}, 'not-the-password-' . $i, url => $url,
		    from => "127.0.$tag." . (10 + $batch * 10 + $i));
	});
}
is(scalar(grep { $_->[0] == 401 } @res), 100,
    '100 failed logins from 100 addresses are each refused as 401');
$r = login_user($u->{email}, $u->{password}, url => $url,
    from => "127.0.$tag.200");
error_ok($r, 429, 'rate_limited',
    'then even the right password from a fresh address');
ok($r->{headers}{'retry-after'} > 0, '...with a Retry-After');
$r = login_user($u->{email}, $u->{password});
is($r->{status}, 429, '...and on every host: the count is in PostgreSQL');

# api: 300 a minute per user, counted on this node without the
# database: the 301st read in one window is refused, and no rate_limits
# row is ever written for it.  Twenty clients share the 300 reads so that
# a slow machine still fits them in one window; the window is read back
# from X-RateLimit-Reset, and a burst that straddled two windows is
# tried again with a fresh user.
sub api_burst {
	my ($u) = @_;
	my @kids;
	for my $k (1 .. 20) {
		my $pid = fork() // die "fork: $!";
		if ($pid == 0) {
			my ($ok, %resets) = (0);
			for (1 .. 15) {
				my $x = api(GET => '/api/auth/me', url => $url,
				    from => "127.0.$tag.201",
				    token => $u->{access_token});
				$ok++ if $x->{status} == 200;
				$resets{$x->{headers}{'x-ratelimit-reset'} // '-'} = 1;
			}
			open(my $fh, '>', "/tmp/lectern-rl-$$") or exit 1;
			print $fh join(' ', $ok, keys %resets) . "\n";
			close($fh);
			exit 0;
		}
		push @kids, $pid;
	}
	my ($served, %resets) = (0);
	for my $pid (@kids) {
		waitpid($pid, 0);
		open(my $fh, '<', "/tmp/lectern-rl-$pid") or next;
		my ($ok, @r) = split ' ', scalar <$fh>;
		close($fh);
		unlink("/tmp/lectern-rl-$pid");
		$served += $ok;
		$resets{$_} = 1 for @r;
	}
	my $last = api(GET => '/api/auth/me', url => $url,
	    from => "127.0.$tag.202", token => $u->{access_token});
	$resets{$last->{headers}{'x-ratelimit-reset'} // '-'} = 1;
	return ($served, $last, scalar(keys %resets));
}
my ($reader, $served, $windows);
for my $try (1 .. 3) {
	$reader = register_user(tag => "rlapi$try", url => $url);
	($served, $r, $windows) = api_burst($reader);
	last if $windows == 1;
	diag("the burst straddled $windows windows; again with a new user");
}
my $uid = $reader->{user}{id};
is($served, 300, '300 reads of the api class in a minute are served');
error_ok($r, 429, 'rate_limited', 'the 301st is refused, from any address');
ok($r->{headers}{'retry-after'} > 0 && $r->{headers}{'retry-after'} <= 60,
    '...with a Retry-After within the minute');
is($r->{headers}{'x-ratelimit-limit'}, 300, '...and X-RateLimit-Limit');
is($r->{headers}{'x-ratelimit-remaining'}, 0, '...and none remaining');
is(sql_one("SELECT count(*) FROM rate_limits WHERE key = 'api:' || :'p1'",
    $uid), 0, '...and not one rate_limits row was written for them');

# Anonymous reads of the api class count per address, likewise.
$r = api(GET => '/api/courses', url => $url, from => "127.0.$tag.203");
is($r->{status}, 200, 'an anonymous read of the catalogue');
is($r->{headers}{'x-ratelimit-remaining'}, 299, '...counts against its address');
is(sql_one("SELECT count(*) FROM rate_limits WHERE key = :'p1'",
    "api:127.0.$tag.203"), 0, '...without a database write');

done_testing();

#!/usr/bin/perl
# lectern — a classroom behind one address, and a load balancer in front.
#
# On the host with the default limits: thirty pupils sign in from one
# address at once and all get in; one account guessed at from that
# address is stopped after the auth limit while the others still sign
# in; refresh is not a sign-in.  Behind a trusted proxy (127.0.0.250 in
# the test server's LECTERN_TRUSTED_PROXIES) the client address comes
# from X-Forwarded-For; from anyone else that header changes nothing.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

my $limits = base_url('limits');
my $school = '127.0.0.240';

my @pupils = map { register_user(tag => "pupil$_") } 1 .. 30;
my @tokens;
my $ok = 0;
for my $p (@pupils) {
	my $r = login_user($p->{email}, $p->{password}, url => $limits,
	    from => $school);
	$ok++ if $r->{status} == 200;
	push(@tokens, json_body($r)->{refresh_token});
}
is($ok, 30, 'thirty pupils sign in from one address');

my $victim = $pupils[0];
my @st = map {
	login_user($victim->{email}, 'wrong-' . $_, url => $limits,
	    from => $school)->{status}
} 1 .. 12;
is(scalar(grep { $_ == 401 } @st), 9,
    'guesses at one account from that address: 9 wrong answers')
    or diag("@st");
is($st[-1], 429, '...then 429 for that account from that address');
my $r = login_user($pupils[1]{email}, $pupils[1]{password}, url => $limits,
    from => $school);
is($r->{status}, 200, 'another pupil at the same address still signs in');
ok(defined $r->{headers}{'x-ratelimit-limit'},
    '...with the rate-limit headers');

my $refreshed = 0;
for my $t (@tokens) {
	$r = api(POST => '/api/auth/refresh', url => $limits, from => $school,
	    json => { refresh_token => $t });
	$refreshed++ if $r->{status} == 200;
}
is($refreshed, 30, 'thirty refreshes from the same address all pass');

# --- Behind a trusted proxy ---------------------------------------------

sub forgot {
	my ($from, $xff) = @_;
	return api(POST => '/api/auth/password/forgot', url => $limits,
	    from => $from, json => { email => unique_email('xff') },
	    headers => { 'X-Forwarded-For' => $xff })->{status};
}

my @a = map { forgot('127.0.0.250', '198.51.100.7') } 1 .. 6;
is_deeply(\@a, [202, 202, 202, 202, 202, 429],
    'through the trusted proxy, one client gets the strict limit of 5');
is(forgot('127.0.0.250', '198.51.100.8'), 202,
    '...and the next client behind it starts afresh');
my @b = map { forgot('127.0.0.251', "203.0.113.$_") } 1 .. 6;
is($b[-1], 429, 'from an untrusted address, X-Forwarded-For changes nothing')
    or diag("@b");

done_testing();

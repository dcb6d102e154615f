#!/usr/bin/perl
# lectern — scripts/run end to end: it serves on --port with its own
# embedded cluster (under LECTERN_VAR, a scratch directory here), links
# in mail follow --port (LECTERN_PUBLIC_URL by default), and outgoing mail
# goes through lectern-mailer to its loopback sink and lands in
# LECTERN_VAR/mail/ as an .eml file, which scripts/run announces.  Ctrl-C
# (SIGINT) stops everything it started.
use strict;
use warnings;
use File::Temp ();
use HTTP::Tiny;
use IO::Socket::INET;
use JSON::PP;
use POSIX ();
use Test::More;
use Lectern::Test;

BAIL_OUT('LECTERN_TEST_URL is not set') if $ENV{LECTERN_TEST_STRICT}
    && !$ENV{LECTERN_TEST_URL};
plan(skip_all => 'run under scripts/test') unless $ENV{LECTERN_TEST_URL};

my $src = srcdir();
my $tmp = File::Temp->newdir('/tmp/lectern-run.XXXXXX');
chmod(0755, "$tmp");
my $var = "$tmp/var";
my $port = do {
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	    Listen => 1) or BAIL_OUT("no free port: $!");
	my $p = $s->sockport;
	close($s);
	$p;
};
my $url = "http://127.0.0.1:$port";

# A clean environment: scripts/run must find nothing of the suite's.
my %env = (PATH => $ENV{PATH}, HOME => $ENV{HOME} // '/root',
    LANG => 'C.UTF-8', LECTERN_VAR => $var);
my $log = "$tmp/run.log";
my $pid = fork() // BAIL_OUT("fork: $!");
if ($pid == 0) {
	%ENV = %env;
	POSIX::setsid();
	# As from a terminal: a harness started in the background without
	# job control hands SIGINT down ignored, and a shell cannot trap a
	# signal ignored on entry.
	$SIG{INT} = $SIG{TERM} = 'DEFAULT';
	open(STDIN, '<', '/dev/null');
	open(STDOUT, '>', $log);
	open(STDERR, '>&', \*STDOUT);
	exec("$src/scripts/run", '--no-build', '--port', $port) or POSIX::_exit(127);
}

sub slurp {
	open(my $fh, '<', $_[0]) or return '';
	local $/;
	return <$fh> // '';
}

# wait_for(SECONDS, CODE): poll until CODE returns true.
sub wait_for {
	my ($secs, $code) = @_;
	for (1 .. $secs * 5) {
		my $v = $code->();
		return $v if $v;
		select(undef, undef, undef, 0.2);
	}
	return;
}

END {
	if ($pid) {
		kill('INT', -$pid) || kill('INT', $pid);
		my $t = time;
		while (waitpid($pid, POSIX::WNOHANG()) == 0 && time - $t < 60) {
			select(undef, undef, undef, 0.2);
		}
		kill('KILL', -$pid) if waitpid($pid, POSIX::WNOHANG()) == 0;
	}
}

ok(wait_for(300, sub { slurp($log) =~ /lectern is serving/ }),
    "scripts/run serves on --port $port")
    or BAIL_OUT("scripts/run did not start:\n" . slurp($log));
my $out = slurp($log);
like($out, qr{lectern is serving \Q$url\E}, '...and says where');
like($out, qr{Links in mail point at \Q$url\E \(LECTERN_PUBLIC_URL\)},
    '...that mail links follow --port');
like($out, qr{outgoing mail is caught in \S*mail/ as \.eml files},
    '...and that outgoing mail is caught');

my $http = HTTP::Tiny->new(timeout => 30);
my $r = $http->get("$url/health");
is($r->{status}, 200, 'GET /health answers 200');

# An admin, made the way the banner says, and a course.
my %run_env;
for (split /\n/, slurp("$var/lectern.env")) {
	$run_env{$1} = $2 if /^export (\w+)='(.*)'$/;
}
ok($run_env{DATABASE_URL}, 'var/lectern.env names the database');
my $admin = unique_email('run-admin');
my $password = strong_password();
{
	local %ENV = (%env, %run_env);
	open(my $p, '|-', "$src/bin/lectern-admin", 'create-admin',
	    '--email', $admin, '--name', 'Run Admin') or die "$!";
	print $p "$password\n";
	close($p);
	is($?, 0, 'lectern-admin create-admin works with var/lectern.env');
}
my $json = JSON::PP->new->utf8;
$r = $http->post("$url/api/auth/login", {
	headers => { 'Content-Type' => 'application/json' },
	content => $json->encode({ email => $admin, password => $password }) });
is($r->{status}, 200, 'the admin signs in');
my $token = eval { $json->decode($r->{content})->{access_token} } // '';
my $cid;
{
	local $ENV{PGCONNECT_TIMEOUT} = 10;
	$cid = `psql -X -q -At -d '$run_env{DATABASE_URL}' -c "INSERT INTO courses (instructor_id, title, price_minor, published) SELECT id, 'Run course', 10000, true FROM users WHERE email = '$admin' RETURNING id" 2>&1`;
	($cid) = $cid =~ /^(\d+)$/m;
}
ok($cid, 'a course exists');

# A manual payment for a new address: a welcome mail with a reset link.
my $student = unique_email('run-student');
$r = $http->post("$url/api/payments/manual-record", {
	headers => { 'Content-Type' => 'application/json',
	    Authorization => "Bearer $token" },
	content => $json->encode({ course_id => ($cid // 0) + 0,
	    email => $student, name => 'Run Student',
	    provider_payment_id => "run_$$" . time() }) });
is($r->{status}, 201, 'a manual payment for a new address answers 201')
    or diag($r->{content});

my $eml = wait_for(60, sub {
	for my $f (glob("$var/mail/*.eml")) {
		return $f if slurp($f) =~ /^To:.*\Q$student\E/mi;
	}
	return;
});
ok($eml, 'the welcome mail is caught in LECTERN_VAR/mail/ as an .eml file')
    or diag(slurp($log));
my $mail = $eml ? slurp($eml) : '';
(my $flat = $mail) =~ s/=\r?\n//g;	# quoted-printable soft breaks
like($flat, qr{\Q$url\E/reset-password#token=[A-Za-z0-9_-]+},
    '...linking to the server scripts/run serves (LECTERN_PUBLIC_URL)');
like($mail, qr/^Subject: .*lectern account/mi, '...about the new account');
ok(wait_for(10, sub { slurp($log) =~ /mail: \S+\.eml to \Q$student\E/ }),
    'scripts/run says it caught the mail, and where');

# Ctrl-C stops everything it started.
kill('INT', $pid);
my $gone = wait_for(60, sub { waitpid($pid, POSIX::WNOHANG()) == $pid });
ok($gone, 'scripts/run exits on SIGINT');
$pid = 0 if $gone;
$r = HTTP::Tiny->new(timeout => 3)->get("$url/live");
isnt($r->{status}, 200, '...and nothing answers on its port');

done_testing();

#!/usr/bin/perl
# lectern — bin/lectern-mailer delivers the outbox to a real SMTP server
# on loopback (aiosmtpd, scripts/lib/mail-sink.py): headers, the reset link,
# the row marked sent; with the server down, a failed attempt with
# back-off, then the retry; header injection and bad addresses; and
# neither the SMTP password nor a reset token on its standard error.
use strict;
use warnings;
use File::Temp ();
use IO::Socket::INET;
use MIME::Base64 qw(decode_base64);
use Encode qw(encode_utf8);
use POSIX ':sys_wait_h';
use JSON::PP;
use Test::More;
use Lectern::Test;

base_url();

my $mailer = builddir() . '/bin/lectern-mailer';
my $sinkpy = srcdir() . '/scripts/lib/mail-sink.py';
my $python = '/usr/bin/python3';
my $have = -x $mailer && -x $python
    && system($python, '-c', 'import aiosmtpd') == 0;
unless ($have) {
	BAIL_OUT("need $mailer and $python with aiosmtpd")
	    if $ENV{LECTERN_TEST_STRICT};
	plan(skip_all => 'no lectern-mailer or python3-aiosmtpd');
}

my $SMTP_USER = 'mailer';
my $SMTP_PASS = 'Sm7p-pa55-' . int(rand(1e9)) . '-never-printed';
my $FROM = 'noreply@lectern.test';
my $dburl = $ENV{LECTERN_DATABASE_URL} || $ENV{LECTERN_TEST_DATABASE_URL};

# A loopback port nothing listens on (for now).
sub free_port {
	my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
	    Listen => 1, ReuseAddr => 1) or die "socket: $!";
	my $port = $s->sockport;
	close($s);
	return $port;
}

# Start the SMTP sink on a fresh port; returns its handle.
sub start_sink {
	my $dir = File::Temp->newdir;
	my $port = free_port();
	my $pid = open(my $fh, '-|') // die "fork: $!";
	if ($pid == 0) {
		$ENV{SMTP_SINK_AUTH} = "$SMTP_USER:$SMTP_PASS";
		open(STDERR, '>', "$dir/.stderr") or exit 127;
		exec($python, $sinkpy, "$dir", $port) or exit 127;
	}
	my $line = eval {
		local $SIG{ALRM} = sub { die "timeout\n" };
		alarm(30);
		my $l = <$fh>;
		alarm(0);
		$l;
	};
	die "mail-sink did not start\n" unless ($line // '') =~ /^ready/;
	return { pid => $pid, fh => $fh, dir => $dir, port => $port };
}

sub stop_sink {
	my ($s) = @_;
	kill('TERM', $s->{pid});
	close($s->{fh});
}

# The messages the sink holds, each { env => {...}, raw => bytes }.
sub messages {
	my ($s) = @_;
	my @out;
	for my $env (sort glob("$s->{dir}/*.env")) {
		(my $eml = $env) =~ s/\.env$/.eml/;
		open(my $fh, '<:raw', $env) or next;
		my $e = decode_json(do { local $/; <$fh> });
		close($fh);
		open($fh, '<:raw', $eml) or next;
		my $raw = do { local $/; <$fh> };
		close($fh);
		push @out, { env => $e, raw => $raw };
	}
	return @out;
}

# The one message to address, or undef.
sub message_to {
	my ($s, $addr) = @_;
	my @m = grep { grep { $_ eq $addr } @{ $_->{env}{rcpt_tos} } }
	    messages($s);
	return @m == 1 ? $m[0] : undef;
}

# Headers of a raw message: { lower-case name => [unfolded values] },
# plus the raw header block and the body.
sub parse {
	my ($raw) = @_;
	my ($head, $body) = split(/\r\n\r\n/, $raw, 2);
	my %h;
	(my $unfolded = $head) =~ s/\r\n[ \t]+/ /g;
	for my $line (split(/\r\n/, $unfolded)) {
		my ($n, $v) = $line =~ /^([^:]+):\s*(.*)$/ or next;
		push @{ $h{lc $n} }, $v;
	}
	return (\%h, $head, $body);
}

# Run the mailer with only env (plus PATH); returns (exit, stderr).
sub run_mailer {
	my ($env, @args) = @_;
	my $err = File::Temp->new;
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		my %keep = map { $_ => $ENV{$_} } grep { defined $ENV{$_} }
		    qw(PATH ASAN_OPTIONS UBSAN_OPTIONS);
		%ENV = (%keep, %$env);
		open(STDOUT, '>', $err->filename) or exit 127;
		open(STDERR, '>&', \*STDOUT) or exit 127;
		exec($mailer, @args) or exit 127;
	}
	my $deadline = time() + 120;
	while (waitpid($pid, WNOHANG) == 0) {
		if (time() > $deadline) {
			kill('KILL', $pid);
			waitpid($pid, 0);
			return (-1, 'timed out');
		}
		select(undef, undef, undef, 0.1);
	}
	my $rc = $? >> 8;
	open(my $fh, '<', $err->filename) or die;
	my $text = do { local $/; <$fh> } // '';
	close($fh);
	return ($rc, $text);
}

sub mailer_env {
	my ($port, %more) = @_;
	return {
		LECTERN_DATABASE_URL => $dburl,
		LECTERN_SMTP_URL => "smtp://127.0.0.1:$port",
		LECTERN_SMTP_USER => $SMTP_USER,
		LECTERN_SMTP_PASSWORD => $SMTP_PASS,
		LECTERN_MAIL_FROM => $FROM,
		%more,
	};
}

# Queue a reset mail for a new account; returns (email, outbox id, token).
sub queue_reset {
	my ($tag) = @_;
	my $u = register_user(tag => $tag);
	my $r = api(POST => '/api/auth/password/forgot',
	    json => { email => $u->{email} });
	die "forgot: $r->{status}\n" unless $r->{status} == 202;
	my ($row) = sql("SELECT id, substring(body from 'token=([A-Za-z0-9_-]+)')"
	    . " FROM email_outbox WHERE to_address = :'p1'", $u->{email});
	return ($u->{email}, @$row);
}

sub row {
	my ($id) = @_;
	my ($r) = sql("SELECT status, attempts, sent_at IS NOT NULL,"
	    . " coalesce(last_error, ''),"
	    . " extract(epoch FROM next_attempt_at - now())::int"
	    . " FROM email_outbox WHERE id = :'p1'", $id);
	return $r;
}

sub quiet_ok {
	my ($stderr, $what, @secrets) = @_;
	my @bad = grep { index($stderr, $_) >= 0 } ($SMTP_PASS, @secrets);
	ok(!@bad, "$what: no SMTP password or token on stderr")
	    or diag($stderr);
}

# --- Delivery ------------------------------------------------------------

my ($email, $id, $token) = queue_reset('mail');
ok($token, 'a reset mail is queued with a token');

# Header injection and a non-ASCII subject, a bad address, a dot line.
my $inj = unique_email('inject');
my ($inj_id) = map { $_->[0] } sql(
    "INSERT INTO email_outbox (to_address, subject, body) VALUES (:'p1',"
    . " 'Gr' || chr(246) || chr(223) || 'e ' || repeat(chr(8364), 30)"
    . "  || chr(13) || chr(10) || 'Bcc: evil\@example.com',"
    . " 'first line' || chr(10) || '.' || chr(10) || '.dot line' || chr(10)"
    . "  || 'Bcc: body\@example.com' || chr(10)) RETURNING id", $inj);
my ($bad_id) = map { $_->[0] } sql(
    "INSERT INTO email_outbox (to_address, subject, body) VALUES"
    . " ('bad address\@example.com', 'x', 'y') RETURNING id");

my $sink = start_sink();
my ($rc, $stderr) = run_mailer(mailer_env($sink->{port}), '--once');
is($rc, 0, 'lectern-mailer --once exits 0') or diag($stderr);
quiet_ok($stderr, 'a pass that sent', $token);
unlike($stderr, qr/first line|dot line/, '...nor a mail body');

my $m = message_to($sink, $email);
ok($m, 'the reset mail arrived at the SMTP server');
$m //= { env => {}, raw => '' };
is($m->{env}{mail_from}, $FROM, '...from the envelope sender LECTERN_MAIL_FROM');
is_deeply($m->{env}{rcpt_tos}, [$email], '...to the account only');
is($m->{env}{auth}, $SMTP_USER, '...after AUTH with LECTERN_SMTP_USER');
my ($h, $head, $body) = parse($m->{raw});
is_deeply($h->{to}, [$email], 'To is the account');
is_deeply($h->{from}, [$FROM], 'From is LECTERN_MAIL_FROM');
is_deeply($h->{subject}, ['Reset your lectern password'], 'Subject is right');
like($h->{date}[0] // '', qr/^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000$/,
    'Date is RFC 5322');
like($h->{'message-id'}[0] // '', qr/^<[^<>\s]+\@lectern\.test>$/,
    'Message-ID is in the sender\'s domain');
is_deeply($h->{'mime-version'}, ['1.0'], 'MIME-Version 1.0');
is_deeply($h->{'content-type'}, ['text/plain; charset=utf-8'],
    'Content-Type text/plain; charset=utf-8');
is_deeply($h->{'content-transfer-encoding'}, ['8bit'],
    'Content-Transfer-Encoding 8bit');
ok($m->{raw} !~ /(?<!\r)\n/ && $m->{raw} !~ /\r(?!\n)/,
    'every line ends with CRLF');
like($body // '', qr{https?://\S+/reset-password#token=\Q$token\E\r\n},
    'the body carries the reset link with the token');
like($body // '', qr/expires in an hour/, '...and says it expires in an hour');
my $r = row($id);
is($r->[0], 'sent', 'the outbox row is sent');
is($r->[2], 't', '...with sent_at');
is($r->[1], 0, '...after no failed attempt');

$m = message_to($sink, $inj);
ok($m, 'the mail with a CR LF in its subject went out');
$m //= { env => {}, raw => '' };
($h, $head, $body) = parse($m->{raw});
is_deeply($m->{env}{rcpt_tos}, [$inj], '...to its recipient alone');
ok(!exists $h->{bcc}, '...and grew no Bcc header');
my $subj = join('', map { decode_base64($_) }
    ($h->{subject}[0] // '') =~ /=\?UTF-8\?B\?([A-Za-z0-9+\/=]+)\?=/g);
is($subj, encode_utf8("Gr\x{f6}\x{df}e " . ("\x{20ac}" x 30) .
    "  Bcc: evil\@example.com"),
    '...its subject RFC 2047 encoded, CR and LF made spaces');
ok(!grep({ length($_) > 76 } split(/\r\n/, $head)),
    '...folded into header lines of at most 76 characters');
is($body, "first line\r\n.\r\n.dot line\r\nBcc: body\@example.com\r\n",
    'a body with dot lines arrives intact (dot-stuffing)');

$r = row($bad_id);
is($r->[0], 'failed', 'a malformed recipient address fails at once');
is($r->[3], 'invalid recipient address', '...saying so in last_error');
ok(!grep({ grep { /bad/ } @{ $_->{env}{rcpt_tos} } } messages($sink)),
    '...and nothing went out for it');
stop_sink($sink);

# --- The server is down ------------------------------------------------

my ($email2, $id2, $token2) = queue_reset('maildown');
my ($last_id) = map { $_->[0] } sql(
    "INSERT INTO email_outbox (to_address, subject, body, attempts)"
    . " VALUES (:'p1', 'last try', 'z', 7) RETURNING id",
    unique_email('lasttry'));
my $down = free_port();
($rc, $stderr) = run_mailer(mailer_env($down), '--once');
is($rc, 0, 'with the SMTP server down, --once still exits 0')
    or diag($stderr);
quiet_ok($stderr, 'a pass that failed', $token2);
like($stderr, qr/message $id2: attempt 1 failed/, '...and says what failed');
$r = row($id2);
is($r->[0], 'pending', 'the row stays pending');
is($r->[1], 1, '...with attempts = 1');
ok($r->[4] >= 40 && $r->[4] <= 70,
    '...and the next attempt about a minute away') or diag("in $r->[4] s");
ok(length($r->[3]) > 0, '...and last_error set') or diag($r->[3]);
ok(index($r->[3], $SMTP_PASS) < 0, '...without the SMTP password');
$r = row($last_id);
is_deeply([@$r[0, 1]], ['failed', 8], 'the 8th failed attempt gives up');

# --- The server is back: the retry ---------------------------------------

$sink = start_sink();
sql("UPDATE email_outbox SET next_attempt_at = now() WHERE id = :'p1'", $id2);
($rc, $stderr) = run_mailer(mailer_env($sink->{port}), '--once');
is($rc, 0, 'the next --once exits 0') or diag($stderr);
quiet_ok($stderr, 'the retry', $token2);
$m = message_to($sink, $email2);
ok($m, 'the retried mail arrived');
like($m ? $m->{raw} : '', qr/token=\Q$token2\E\r\n/, '...with its link');
$r = row($id2);
is($r->[0], 'sent', 'the row is sent');
is($r->[2], 't', '...with sent_at');
is($r->[1], 1, '...after one failed attempt');
is($r->[3], '', '...and last_error cleared');
my ($kept) = sql("SELECT count(*) FROM email_outbox WHERE status <> 'pending'"
    . " AND body ~ 'token='");
is($kept->[0], 0, 'no delivered or abandoned mail keeps a token link')
    or diag("$kept->[0] rows still carry one");
my ($done_body) = sql("SELECT body FROM email_outbox WHERE id = :'p1'", $id2);
unlike($done_body->[0], qr/\Q$token2\E/, '...nor the reset token just sent');

# --- Running as a daemon until SIGTERM -----------------------------------

my ($email3, $id3) = queue_reset('maildaemon');
my $err = File::Temp->new;
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	my $env = mailer_env($sink->{port}, LECTERN_MAILER_INTERVAL => 1);
	%ENV = (PATH => $ENV{PATH}, %$env);
	open(STDOUT, '>', $err->filename) or exit 127;
	open(STDERR, '>&', \*STDOUT) or exit 127;
	exec($mailer) or exit 127;
}
my $sent = 0;
for (1 .. 100) {
	last if ($sent = (row($id3)->[0] eq 'sent'));
	select(undef, undef, undef, 0.2);
}
ok($sent, 'without --once the mailer delivers in the background');
kill('TERM', $pid);
my $gone = 0;
for (1 .. 100) {
	last if ($gone = waitpid($pid, WNOHANG) == $pid);
	select(undef, undef, undef, 0.1);
}
ok($gone, '...and stops on SIGTERM');
is($gone ? $? >> 8 : -1, 0, '...with status 0');
kill('KILL', $pid) unless $gone;
stop_sink($sink);

# --- Configuration and database errors -----------------------------------

($rc, $stderr) = run_mailer(mailer_env($down,
    LECTERN_SMTP_URL => "smtp://$SMTP_USER:$SMTP_PASS\@127.0.0.1:$down"),
    '--once');
is($rc, 2, 'credentials in LECTERN_SMTP_URL are a configuration error');
like($stderr, qr/LECTERN_SMTP_URL/, '...named on stderr');
quiet_ok($stderr, '...and');
($rc, $stderr) = run_mailer(mailer_env($down,
    LECTERN_SMTP_URL => "http://127.0.0.1:$down"), '--once');
is($rc, 2, 'a URL that is not smtp or smtps is refused');
($rc, $stderr) = run_mailer(mailer_env($down,
    LECTERN_MAIL_FROM => "a\@b.test\r\nBcc: x\@y.test"), '--once');
is($rc, 2, 'a LECTERN_MAIL_FROM with CR LF is refused');
($rc, $stderr) = run_mailer(mailer_env($down, LECTERN_DATABASE_URL =>
    "postgresql://nobody:x\@127.0.0.1:$down/none?connect_timeout=3"),
    '--once');
is($rc, 1, 'an unreachable database exits 1');
like($stderr, qr/database/, '...saying so');
($rc, $stderr) = run_mailer({}, '--help');
is($rc, 0, '--help exits 0');
like($stderr, qr/usage: lectern-mailer/, '...with the usage');

done_testing();

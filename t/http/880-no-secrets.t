#!/usr/bin/perl
# lectern — no password, token, refresh token or secret reaches any log.
#
# Runs after the other HTTP tests: it uses secrets of its own in every
# flow that handles them, then reads every log the run wrote (Apache's
# error and access logs, PostgreSQL's log) and the audit and error
# tables, for those values and for anything shaped like a token or hash.
use strict;
use warnings;
use Test::More;
use JSON::PP ();
use Lectern::Test;
use Lectern::Signin;

base_url();
my $logdir = $ENV{LECTERN_TEST_LOGDIR};
unless ($logdir && -d $logdir) {
	BAIL_OUT('LECTERN_TEST_LOGDIR not set') if $ENV{LECTERN_TEST_STRICT};
	plan(skip_all => 'needs scripts/test for the log directory');
}

my @secrets;	# [what, value]

# Sign-up, sign-in, a wrong password, refresh, logout.
my $u = register_user(tag => 'secrets');
push @secrets, ['password', $u->{password}], ['access token', $u->{access_token}],
    ['refresh token', $u->{refresh_token}];
my $wrong = 'Wrong-but-plausible-' . int(rand(1e9));
login_user($u->{email}, $wrong);
push @secrets, ['wrong password', $wrong];
my $r = login_user($u->{email}, $u->{password});
my $b = json_body($r);
push @secrets, ['access token', $b->{access_token}], ['refresh token', $b->{refresh_token}];
$r = api(POST => '/api/auth/refresh', json => { refresh_token => $b->{refresh_token} });
if ($r->{status} == 200) {
	push @secrets, ['refresh token', json_body($r)->{refresh_token}];
	api(POST => '/api/auth/refresh', json => { refresh_token => $b->{refresh_token} });
}
api(POST => '/api/auth/logout', token => $b->{access_token},
    json => { refresh_token => $b->{refresh_token} });

# A reset token, taken from the outbox as the mail would carry it.
api(POST => '/api/auth/password/forgot', json => { email => $u->{email} });
my $mail = sql_one("SELECT body FROM email_outbox WHERE to_address = :'p1' ORDER BY id DESC LIMIT 1",
    $u->{email}) // '';
if ($mail =~ /token=([\w-]+)/) {
	my $reset = $1;
	push @secrets, ['reset token', $reset];
	my $new = strong_password();
	push @secrets, ['new password', $new];
	api(POST => '/api/auth/password/reset', json => { token => $reset, new_password => $new });
}

# An admin request's verification token, from its mail, spent.
my $ar = register_user(tag => 'secrets-ar');
push @secrets, ['password', $ar->{password}],
    ['access token', $ar->{access_token}];
$r = api(POST => '/api/admin-requests', token => $ar->{access_token},
    json => { reason => 'Secrets test' });
$mail = sql_one("SELECT body FROM email_outbox WHERE to_address = :'p1'"
    . " AND subject LIKE '%admin request%' ORDER BY id DESC LIMIT 1",
    $ar->{email}) // '';
if ($mail =~ /token=([\w-]+)/) {
	push @secrets, ['admin request token', $1];
	api(POST => '/api/admin-requests/verify', json => { token => $1 });
}
# Google and Firebase ID tokens, accepted and refused (a flipped
# signature byte), signed with the JWKS stand-in's keys.
if ($ENV{LECTERN_TEST_JWKS_KEYS}) {
	my $now = time();
	my %g = (iss => 'https://accounts.google.com',
	    aud => 'lectern-web.apps.googleusercontent.com', sub => "880" . $$ . $now,
	    email => unique_email('gsecret'), email_verified => JSON::PP::true,
	    iat => $now, exp => $now + 600);
	my %f = (iss => 'https://securetoken.google.com/lectern-test',
	    aud => 'lectern-test', sub => "fb880" . $$ . $now, auth_time => $now - 5,
	    email => unique_email('fsecret'), email_verified => JSON::PP::true,
	    iat => $now, exp => $now + 600);
	for my $p (['google', \%g], ['firebase', \%f]) {
		my ($name, $claims) = @$p;
		for my $mode (qw(rs256 flip)) {
			my $t = mint($claims, mode => $mode);
			my $r = api(POST => "/api/auth/$name",
			    json => { id_token => $t });
			push @secrets, ["$name ID token", $t],
			    ["$name ID token signature", (split /\./, $t)[2]];
			next unless $r->{status} == 200 || $r->{status} == 201;
			my $rb = json_body($r);
			push @secrets, ['access token', $rb->{access_token}],
			    ['refresh token', $rb->{refresh_token}];
		}
	}
}

# Configuration secrets.
push @secrets, ['JWT secret', $ENV{LECTERN_JWT_SECRET}] if $ENV{LECTERN_JWT_SECRET};
for my $k (qw(LECTERN_RAZORPAY_KEY_SECRET LECTERN_RAZORPAY_WEBHOOK_SECRET
    LECTERN_OPENAI_API_KEY LECTERN_S3_SECRET_ACCESS_KEY)) {
	push @secrets, [lc($k), $ENV{$k}] if $ENV{$k};
}
for my $url ($ENV{LECTERN_DATABASE_URL}, $ENV{LECTERN_TEST_DATABASE_URL}) {
	push @secrets, ['database password', $1] if ($url // '') =~ m{://[^:]+:([^@]+)@};
}
@secrets = grep { defined $_->[1] && length($_->[1]) >= 8 } @secrets;
ok(@secrets >= 8, 'the flows produced secrets to look for (' . scalar(@secrets) . ')');

# Give Apache a moment to flush its piped access log.
sleep 1;
my @files = grep { -f } glob("$logdir/*");
push @files, $ENV{LECTERN_TEST_PG_LOG} if $ENV{LECTERN_TEST_PG_LOG} && -f $ENV{LECTERN_TEST_PG_LOG};
# The production TLS host's and the shared host's logs, when this pass
# started them (t/http/866-tls.t and 867-shared-hosting.t sign in there).
for my $d (grep { $_ } @ENV{qw(LECTERN_TEST_TLS_DIR LECTERN_TEST_SHARED_DIR)}) {
	push @files, grep { -f } glob("$d/log/*");
}
ok(scalar(grep { /error_log/ } @files), 'the error log is among the files read');
ok(scalar(grep { /access_log/ } @files), 'so is the access log');

my $text = '';
for my $f (@files) {
	open(my $fh, '<', $f) or next;
	local $/;
	$text .= "\n==> $f\n" . <$fh>;
	close($fh);
}
$text .= join("\n", map { join(' ', map { $_ // '' } @$_) }
    sql('SELECT action, details::text, ip FROM audit_logs'),
    sql('SELECT code, message, path FROM error_logs'));

for my $s (@secrets) {
	my ($what, $value) = @$s;
	my $short = substr($value, 0, 16);
	ok(index($text, $short) < 0, "no $what in any log, not even its first 16 characters");
}
unlike($text, qr/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./, 'nothing shaped like a JWT');
unlike($text, qr/\$argon2id\$|pbkdf2:sha256:\d|scrypt:\d+:\d+:\d+\$/, 'no password hash');
unlike($text, qr/Bearer\s+[A-Za-z0-9_-]{12,}/, 'no bearer credentials');

done_testing();

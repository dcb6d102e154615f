#!/usr/bin/perl
# lectern — what probing found, each kept from coming back.
#
# Text that is not text (C1 controls, bidi overrides, invisible-only
# values) is refused at the API; a bare HTTP/0.9 request gets no answer
# without headers; an id of thousands of digits is a missing thing (404),
# not a forbidden one; nothing outside the routes is served.
use strict;
use warnings;
use IO::Socket::INET;
use JSON::PP ();
use Test::More;
use Lectern::Test;

my $url = base_url();

# --- Text that is not text ------------------------------------------------

my $email = unique_email('text');
my $r = api(POST => '/api/auth/register', json => {
	name => "Evil\x{85}Name\x{9b}[31m", email => $email,
	password => strong_password() });
error_ok($r, 400, 'validation_failed', 'a name with C1 controls');
is(json_body($r)->{error}{fields}{name}, 'must not contain control characters',
    '...naming the field');
is(sql_one("SELECT count(*) FROM users WHERE email = :'p1'", $email), 0,
    '...and no account is made');

my $t = user_with_role('teacher');
for my $title ("\x{200b}", "\x{a0}", "\x{3000}", "\x{2028}", "\x{feff}",
    "\x{202e}", "\x{200b}\x{a0}\x{3000}") {
	my $shown = join('', map { sprintf('\\u%04x', ord) } split(//, $title));
	$r = api(POST => '/api/courses', token => $t->{access_token},
	    json => { title => $title, price => '0.00' });
	is($r->{status}, 400, "a course titled \"$shown\" is refused");
}
$r = api(POST => '/api/courses', token => $t->{access_token},
    json => { title => "\x{a0} Physics \x{3000}", price => '0.00' });
is($r->{status}, 201, 'a title padded with Unicode spaces is accepted');
is(json_body($r)->{title}, 'Physics', '...and stored trimmed');

# --- Edges ---------------------------------------------------------------

my ($host, $port) = $url =~ m{^http://([^:/]+):(\d+)} or die "url $url";
my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port,
    Timeout => 10) or die "connect: $!";
print $s "GET /health\r\n";
local $/;
my $raw = <$s> // '';
close($s);
unlike($raw, qr/^\{"status"/, 'a bare HTTP/0.9 GET is not answered with a body alone');
like($raw, qr{^HTTP/1\.[01] 400}, '...but refused with a status line');

$r = api(GET => '/api/courses/' . ('9' x 5000));
ok($r->{status} == 404 || $r->{status} == 414,
    'a 5,000-digit id is not found (or too long), never forbidden')
    or diag("got $r->{status}");
$r = api(GET => '/api/courses/' . ('9' x 40));
error_ok($r, 404, 'not_found', 'a 40-digit course id');
$r = api(GET => '/api/lessons/00042');
error_ok($r, 404, 'not_found', 'an id with leading zeros');

$r = api(GET => '/static.txt');
is($r->{status}, 404, 'a file outside the routes is not served');

# --- Failed logins cannot outrun their limit in parallel ------------------

# The account's failed-login counter stands at 95 of 100: forty logins
# at once (39 wrong, the right one last) may check at most 5 passwords.
my $u = register_user(tag => 'parallel');
sql("INSERT INTO rate_limits (key, window_start, count)"
    . " VALUES ('login_fail:' || :'p1', now(), 95)"
    . " ON CONFLICT (key) DO UPDATE SET count = 95, window_start = now()",
    $u->{user}{id});
my @kids;
for my $i (1 .. 40) {
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		my $pw = $i == 40 ? $u->{password} : "wrong-guess-$i";
		my $res = login_user($u->{email}, $pw);
		open(my $fh, '>', "/tmp/lectern-pl-$$") or exit 1;
		print $fh $res->{status};
		close($fh);
		exit 0;
	}
	push(@kids, $pid);
}
my %seen;
for my $pid (@kids) {
	waitpid($pid, 0);
	open(my $fh, '<', "/tmp/lectern-pl-$pid") or next;
	$seen{scalar <$fh>}++;
	close($fh);
	unlink("/tmp/lectern-pl-$pid");
}
my $checked = ($seen{401} // 0) + ($seen{200} // 0);
is($checked, 5, '40 parallel logins at 95 of 100 check exactly 5 passwords')
    or diag(join(' ', map { "$_ x$seen{$_}" } sort keys %seen));
is($seen{429} // 0, 35, '...and the other 35 are refused unchecked');

# --- Privacy ---------------------------------------------------------------

my $admin = user_with_role('admin', tag => 'priv-a');
my $pt = user_with_role('teacher', tag => 'priv-t');
my $pc = json_body(api(POST => '/api/courses', token => $pt->{access_token},
    json => { title => 'Private matters', price => '5.00',
    published => JSON::PP::true }))->{id};
my $pupil = register_user(tag => 'priv-s');
$r = api(POST => '/api/payments/manual-record', token => $admin->{access_token},
    json => { course_id => $pc + 0, user_id => $pupil->{user}{id} + 0,
    notes => 'Cash at front office, receipt #1042' });
is($r->{status}, 201, 'an admin records a cash payment with a note');
my $mine = json_body(api(GET => '/api/payments', token => $pupil->{access_token}));
my ($pay) = @{ $mine->{items} || [] };
ok($pay && !exists $pay->{notes}, "the student's own payments leave the staff note out");
my $all = api(GET => "/api/admin/payments?user_id=$pupil->{user}{id}",
    token => $admin->{access_token});
like($all->{content}, qr/receipt #1042/, '...which admins still see');

my $cw = json_body(api(POST => "/api/courses/$pc/classwork",
    token => $pt->{access_token}, json => { title => 'Essay',
    instructions => 'Write about yourself' }))->{id};
$r = api(POST => "/api/classwork/$cw/submissions", token => $pupil->{access_token},
    json => { content => 'My name is Asha and I live on Park Street' });
is($r->{status}, 201, 'the student hands in an essay');
$r = api(DELETE => '/api/auth/me', token => $pupil->{access_token},
    json => { password => $pupil->{password} });
is($r->{status}, 204, 'the student erases the account');
my $subs = api(GET => "/api/classwork/$cw/submissions", token => $pt->{access_token});
unlike($subs->{content}, qr/Park Street/, "...and the teacher no longer reads the essay");
my $roster = json_body(api(GET => "/api/courses/$pc/enrollments",
    token => $pt->{access_token}));
my ($entry) = grep { ($_->{user}{id} // $_->{user_id} // 0) == $pupil->{user}{id} }
    @{ $roster->{items} || [] };
ok(!$entry || ($entry->{status} // '') ne 'active',
    '...nor sees the erased student on the roster as active')
    or diag(JSON::PP->new->canonical->encode($entry));

# --- Operators can see misconfiguration ----------------------------------

my $limits = base_url('limits');
my $h = json_body(api(GET => '/health'))->{integrations} // {};
is($h->{razorpay}, 'configured', '/health: payments configured on the main host');
my $lh = api(GET => '/health', url => $limits);
is(json_body($lh)->{integrations}{razorpay}, 'not_configured',
    '...and not where the key secret is unset');
unlike($lh->{content}, qr/rzp_|secret/i, '...naming no value');
my $teacher = user_with_role('teacher', tag => 'cfg');
my $free = json_body(api(POST => '/api/courses', token => $teacher->{access_token},
    json => { title => 'Free for all', price => '0.00', published => JSON::PP::true }))->{id};
my $paid = json_body(api(POST => '/api/courses', token => $teacher->{access_token},
    json => { title => 'Paid', price => '10.00', published => JSON::PP::true }))->{id};
my $buyer = register_user(tag => 'cfg', url => $limits);
$r = api(POST => '/api/payments/create-order', url => $limits,
    token => $buyer->{access_token}, json => { course_id => $free + 0 });
error_ok($r, 409, 'conflict', 'a free course, payments unconfigured');
$r = api(POST => '/api/payments/create-order', url => $limits,
    token => $buyer->{access_token}, json => { course_id => $paid + 0 });
error_ok($r, 503, 'unavailable', 'a paid course, payments unconfigured');
like(json_body($r)->{error}{message}, qr/LECTERN_RAZORPAY_KEY_SECRET/,
    '...saying which setting is missing');

done_testing();

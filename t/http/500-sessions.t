#!/usr/bin/perl
# lectern — live sessions (SPEC §6.5): scheduling, the list with the
# meeting URL only for the enrolled, the author and admins, /join in its
# window, attendance, cancelling (with mail), the iCalendar feed read by
# a real parser, and lectern-admin remind queuing each reminder once
# when two runs overlap.
use strict;
use warnings;
use utf8;
use Encode qw(encode);
use File::Temp ();
use POSIX qw(strftime);
use Test::More;
use Lectern::Test;

base_url();

my $author = user_with_role('teacher', tag => 'ses-auth');
my $atok = $author->{access_token};
my $admin = user_with_role('admin', tag => 'ses-adm');
my $learner = register_user(tag => 'ses-lrn');
my $ltok = $learner->{access_token};
my $lid = $learner->{user}{id};
my $learner2 = register_user(tag => 'ses-lrn2');
my $outsider = register_user(tag => 'ses-out');
my $otok = $outsider->{access_token};

my $cid = sql_one("INSERT INTO courses (instructor_id, title, price_minor,"
    . " published) VALUES (:'p1', 'Live; course, with \\ marks', 0, true)"
    . " RETURNING id", $author->{user}{id});
for my $u ($lid, $learner2->{user}{id}) {
	sql("INSERT INTO enrollments (user_id, course_id, status, source)"
	    . " VALUES (:'p1', :'p2', 'active', 'free')", $u, $cid);
}

sub at { strftime('%Y-%m-%dT%H:%M:%SZ', gmtime(time() + $_[0])) }

sub create {
	my ($tok, %b) = @_;
	return api(POST => "/api/courses/$cid/sessions", token => $tok,
	    json => {
		title => 'Office hour',
		starts_at => at(3600),
		duration_minutes => 60,
		meeting_url => 'https://meet.example.com/abc-defg-hij',
		%b,
	    });
}

# Scheduling.
error_ok(create($otok), 403, 'forbidden', 'a user who does not author');
error_ok(create($ltok), 403, 'forbidden', 'an enrolled student');
is(create(undef)->{status}, 401, 'no token: 401');
error_ok(create($atok, meeting_url => 'http://meet.example.com/x'), 400,
    'validation_failed', 'an http meeting URL');
error_ok(create($atok, duration_minutes => 4), 400, 'validation_failed',
    'a duration under 5 minutes');
error_ok(create($atok, duration_minutes => 601), 400, 'validation_failed',
    'a duration over 600 minutes');
error_ok(create($atok, starts_at => 'tomorrow'), 400, 'validation_failed',
    'a start that is not RFC 3339');
error_ok(create($atok, title => ''), 400, 'validation_failed', 'no title');
error_ok(create($atok, room => 5), 400, 'validation_failed',
    'an unknown field');
my $r = api(POST => '/api/courses/999999999/sessions', token => $atok,
    json => { title => 'x', starts_at => at(60), duration_minutes => 30,
    meeting_url => 'https://m.example.com/' });
error_ok($r, 404, 'not_found', 'a course that does not exist');

my $long = 'Ünïcödé office hour; questions, answers \\ and more — '
    . join(' ', ('日本語のテキスト') x 6);
$r = create($atok, title => $long, starts_at => at(5 * 60),
    description => "Bring your notes.\nLine two; with, commas");
is($r->{status}, 201, 'the author schedules a session: 201');
my $now = json_body($r);
is($r->{headers}{location}, "/api/sessions/$now->{id}", '...with Location');
is($now->{meeting_url}, 'https://meet.example.com/abc-defg-hij',
    '...and the meeting URL');
is($now->{status}, 'scheduled', '...scheduled');
is($now->{duration_minutes}, 60, '...for 60 minutes');
my $later = json_body(create($atok, title => 'Later', starts_at => at(2 * 86400)));
my $past = json_body(create($admin->{access_token}, title => 'Past',
    starts_at => at(-3 * 3600), duration_minutes => 30));
ok($later->{id} && $past->{id}, 'an admin schedules too');

# The list: upcoming first, the meeting URL only for those who may join.
sub list_for {
	my ($tok) = @_;
	my $res = api(GET => "/api/courses/$cid/sessions",
	    (defined $tok ? (token => $tok) : ()));
	return ($res, json_body($res)->{items} || []);
}
my ($res, $items) = list_for(undef);
is($res->{status}, 200, 'anyone lists the sessions of a public course');
is_deeply([ map { $_->{id} } @$items ],
    [ $now->{id}, $later->{id}, $past->{id} ],
    '...upcoming first, soonest first, then the past');
ok(!grep({ exists $_->{meeting_url} } @$items),
    '...without meeting URLs for the anonymous');
(undef, $items) = list_for($otok);
ok(!grep({ exists $_->{meeting_url} } @$items),
    '...nor for a signed-in user who is not enrolled');
(undef, $items) = list_for($ltok);
is(scalar(grep { exists $_->{meeting_url} } @$items), 3,
    'an enrolled learner sees every meeting URL');
(undef, $items) = list_for($atok);
is(scalar(grep { exists $_->{meeting_url} } @$items), 3, '...so does the author');
is(json_body(api(GET => "/api/courses/$cid/sessions?per_page=1&page=2"))
    ->{items}[0]{id}, $later->{id}, 'the list pages');
error_ok(api(GET => "/api/courses/$cid/sessions?per_page=0"), 400,
    'validation_failed', 'a bad per_page');
ok(api(GET => "/api/courses/$cid/sessions", token => $otok)->{content}
    !~ /meet\.example\.com/, 'no meeting URL anywhere in an outsider\'s list');

# A draft course's sessions are hidden from outsiders.
my $draft = sql_one("INSERT INTO courses (instructor_id, title, published)"
    . " VALUES (:'p1', 'Draft live', false) RETURNING id", $author->{user}{id});
error_ok(api(GET => "/api/courses/$draft/sessions", token => $otok), 404,
    'not_found', 'the sessions of a draft');

# Join: enrolled only, in the window.
$r = api(POST => "/api/sessions/$now->{id}/join", token => $ltok);
is($r->{status}, 200, 'an enrolled learner joins 5 minutes before: 200');
is(json_body($r)->{meeting_url}, 'https://meet.example.com/abc-defg-hij',
    '...and gets the meeting URL');
is(api(POST => "/api/sessions/$now->{id}/join", token => $ltok)->{status},
    200, '...joining again is fine');
error_ok(api(POST => "/api/sessions/$later->{id}/join", token => $ltok), 409,
    'conflict', 'joining two days early');
error_ok(api(POST => "/api/sessions/$past->{id}/join", token => $ltok), 409,
    'conflict', 'joining after the end');
error_ok(api(POST => "/api/sessions/$now->{id}/join", token => $otok), 403,
    'forbidden', 'joining without an enrollment');
ok(api(POST => "/api/sessions/$now->{id}/join", token => $otok)->{content}
    !~ /meet\.example\.com/, '...which reveals no meeting URL');
error_ok(api(POST => "/api/sessions/$now->{id}/join", token => $atok), 403,
    'forbidden', 'the author, who is not enrolled');
error_ok(api(POST => '/api/sessions/999999999/join', token => $ltok), 404,
    'not_found', 'an unknown session');
is(sql_one("SELECT source FROM session_attendance WHERE session_id = :'p1'"
    . " AND user_id = :'p2'", $now->{id}, $lid), 'join',
    'the check-in is recorded');

# Attendance.
$r = api(GET => "/api/sessions/$now->{id}/attendance", token => $atok);
is($r->{status}, 200, 'the author reads the attendance');
my %att = map { $_->{user_id} => $_ } @{ json_body($r)->{items} || [] };
ok($att{$lid}{present} && $att{$lid}{source} eq 'join'
    && $att{$lid}{joined_at}, '...the learner checked in');
ok(exists $att{$learner2->{user}{id}} && !$att{$learner2->{user}{id}}{present},
    '...the other enrolled learner is listed absent');
error_ok(api(GET => "/api/sessions/$now->{id}/attendance", token => $ltok),
    403, 'forbidden', 'a learner reading the attendance');
$r = api(PUT => "/api/sessions/$past->{id}/attendance", token => $atok,
    json => { present => [ $learner2->{user}{id}, $lid, $lid ] });
is($r->{status}, 200, 'the author sets the attendance');
is_deeply(json_body($r)->{present},
    [ sort { $a <=> $b } $lid, $learner2->{user}{id} ], '...as given');
$r = api(PUT => "/api/sessions/$past->{id}/attendance", token => $atok,
    json => { present => [ $learner2->{user}{id} ] });
is_deeply(json_body($r)->{present}, [ $learner2->{user}{id} ],
    '...and again, removing who is no longer listed');
error_ok(api(PUT => "/api/sessions/$past->{id}/attendance", token => $atok,
    json => { present => [ $outsider->{user}{id} ] }), 400,
    'validation_failed', 'a user who is not enrolled');
error_ok(api(PUT => "/api/sessions/$past->{id}/attendance", token => $atok,
    json => { present => 'everyone' }), 400, 'validation_failed',
    'present that is not an array');
error_ok(api(PUT => "/api/sessions/$past->{id}/attendance", token => $atok,
    json => { present => [ -1 ] }), 400, 'validation_failed',
    'an id that is not one');
error_ok(api(PUT => "/api/sessions/$past->{id}/attendance", token => $ltok,
    json => { present => [ $lid ] }), 403, 'forbidden',
    'a learner setting the attendance');

# Edit.
$r = api(PATCH => "/api/sessions/$later->{id}", token => $atok,
    json => { title => 'Later, moved', duration_minutes => 90 });
is($r->{status}, 200, 'the author edits a session');
is(json_body($r)->{title}, 'Later, moved', '...the title');
is(json_body($r)->{duration_minutes}, 90, '...the duration');
error_ok(api(PATCH => "/api/sessions/$later->{id}", token => $ltok,
    json => { title => 'x' }), 403, 'forbidden', 'a learner editing');
error_ok(api(PATCH => "/api/sessions/$later->{id}", token => $atok,
    json => {}), 400, 'validation_failed', 'an empty edit');
error_ok(api(PATCH => "/api/sessions/$later->{id}", token => $atok,
    json => { meeting_url => 'ftp://x' }), 400, 'validation_failed',
    'a bad meeting URL');

# Cancel: mail to the enrolled.
my $mails_before = sql_one("SELECT count(*) FROM email_outbox WHERE"
    . " subject LIKE 'Cancelled:%' AND to_address = :'p1'",
    $learner->{email});
error_ok(api(DELETE => "/api/sessions/$later->{id}", token => $ltok), 403,
    'forbidden', 'a learner cancelling');
is(api(DELETE => "/api/sessions/$later->{id}", token => $atok)->{status},
    204, 'the author cancels a session: 204');
is(sql_one("SELECT count(*) FROM email_outbox WHERE subject LIKE"
    . " 'Cancelled:%' AND to_address = :'p1'", $learner->{email}),
    $mails_before + 1, '...and the enrolled learner is mailed');
is(sql_one("SELECT count(*) FROM email_outbox WHERE subject LIKE"
    . " 'Cancelled:%' AND to_address = :'p1'", $outsider->{email}), 0,
    '...but nobody who is not enrolled');
is(api(DELETE => "/api/sessions/$later->{id}", token => $atok)->{status},
    204, 'cancelling again answers 204');
is(sql_one("SELECT count(*) FROM email_outbox WHERE subject LIKE"
    . " 'Cancelled:%' AND to_address = :'p1'", $learner->{email}),
    $mails_before + 1, '...and mails nobody again');
error_ok(api(POST => "/api/sessions/$later->{id}/join", token => $ltok), 409,
    'conflict', 'joining a cancelled session');
error_ok(api(PATCH => "/api/sessions/$later->{id}", token => $atok,
    json => { title => 'x' }), 409, 'conflict', 'editing a cancelled session');
is(json_body(api(GET => "/api/courses/$cid/sessions"))->{items}[1]{status},
    'cancelled', 'the list shows it cancelled');

# The iCalendar feed.
is(api(GET => "/api/courses/$cid/sessions.ics")->{status}, 401,
    'the feed needs a token');
error_ok(api(GET => "/api/courses/$cid/sessions.ics", token => $otok), 403,
    'forbidden', 'the feed for someone not enrolled');
error_ok(api(GET => "/api/courses/$draft/sessions.ics", token => $otok), 404,
    'not_found', 'the feed of a draft for an outsider');
$r = api(GET => "/api/courses/$cid/sessions.ics", token => $ltok);
is($r->{status}, 200, 'an enrolled learner gets the feed');
like($r->{headers}{'content-type'} // '', qr{^text/calendar}, '...as text/calendar');
my $ics = $r->{content};
my @lines = split /\r\n/, $ics, -1;
is(pop(@lines), '', '...ending in CRLF');
ok(!grep({ /[\r\n]/ } @lines), '...every line ends in CRLF');
ok(!grep({ length($_) > 75 } @lines), '...no line is longer than 75 octets');
ok(scalar(grep { /^ / } @lines) > 0, '...long lines are folded');
like($ics, qr/^BEGIN:VCALENDAR\r\n/, '...a VCALENDAR');
my $tmp = File::Temp->new(SUFFIX => '.ics');
binmode($tmp);
print $tmp $ics;
close($tmp);
my $py = <<'EOPY';
import sys
from icalendar import Calendar
cal = Calendar.from_ical(open(sys.argv[1], 'rb').read())
for ev in cal.walk('VEVENT'):
    print('\t'.join([str(ev.get('UID')), str(ev.get('STATUS')),
        ev.decoded('DTSTART').strftime('%Y-%m-%dT%H:%M:%S%z'),
        ev.decoded('DTEND').strftime('%Y-%m-%dT%H:%M:%S%z'),
        str(ev.get('SUMMARY')).replace('\n', '\\n'),
        str(ev.get('DESCRIPTION', '')).replace('\n', '\\n')]))
EOPY
my $pyf = File::Temp->new(SUFFIX => '.py');
print $pyf $py;
close($pyf);
my @out = `/usr/bin/python3 '$pyf' '$tmp' 2>&1`;
my @ev = map { chomp; [ split /\t/ ] } @out;
is(scalar(@ev), 3, 'python3-icalendar reads three events')
    or diag(@out);
my %by = map { $_->[0] => $_ } @ev;
my ($uid_now) = grep { /^session-$now->{id}\@/ } keys %by;
my ($uid_later) = grep { /^session-$later->{id}\@/ } keys %by;
ok($uid_now && $uid_later, '...with UIDs made of the session ids');
is($by{$uid_later}[1], 'CANCELLED', '...the cancelled one is CANCELLED');
is($by{$uid_now}[1], 'CONFIRMED', '...the others CONFIRMED');
is($by{$uid_now}[2], $now->{starts_at} =~ s/Z$/+0000/r,
    '...DTSTART in UTC as scheduled');
is($by{$uid_now}[3], $now->{ends_at} =~ s/Z$/+0000/r,
    '...DTEND at the end');
is($by{$uid_now}[4], encode('UTF-8', $long),
    '...the folded, escaped title reads back as it was');
is($by{$uid_now}[5], 'Bring your notes.\nLine two; with, commas',
    '...and so does the description');
like($ics, qr/Live\\; course\\, with \\\\ marks/,
    'TEXT is escaped (semicolon, comma, backslash)');
my $again = api(GET => "/api/courses/$cid/sessions.ics", token => $atok);
is($again->{content}, $ics, 'the feed is stable: same UIDs, same bytes');

# lectern-admin remind: two runs at once queue each reminder once.
my $soon = json_body(create($atok, title => 'Remind soon',
    starts_at => at(30 * 60)));
my $tomorrow = json_body(create($atok, title => 'Remind tomorrow',
    starts_at => at(5 * 3600)));
my $bin = builddir() . '/bin/lectern-admin';
my $dburl = $ENV{LECTERN_TEST_DATABASE_URL};
# Start n runs at once.  A transaction holding a lock on
# session_reminders keeps them all waiting at their insert until it
# ends, so they overlap for certain, not by luck.
sub remind_all {
	my ($n) = @_;
	my @pids;
	my $out = File::Temp->new;
	my $holder = fork() // die "fork: $!";
	if ($holder == 0) {
		open(STDOUT, '>', '/dev/null');
		exec('psql', '-X', '-q', '-d', $dburl, '-c',
		    'BEGIN; LOCK TABLE session_reminders IN EXCLUSIVE MODE;'
		    . ' SELECT pg_sleep(2); COMMIT;') or exit 127;
	}
	select(undef, undef, undef, 0.5);
	for (1 .. $n) {
		my $pid = fork() // die "fork: $!";
		if ($pid == 0) {
			$ENV{DATABASE_URL} = $dburl;
			delete $ENV{LECTERN_DATABASE_URL};
			open(STDOUT, '>>', $out->filename) or exit 1;
			exec($bin, 'remind') or exit 127;
		}
		push @pids, $pid;
	}
	my $ok = 1;
	waitpid($holder, 0);
	for (@pids) {
		waitpid($_, 0);
		$ok = 0 if $? != 0;
	}
	open(my $fh, '<', $out->filename) or die;
	local $/;
	return ($ok, <$fh> // '');
}
my ($ok, $out) = remind_all(2);
ok($ok, 'two lectern-admin remind runs at once both succeed');
like($out, qr/reminders: \d+ queued/, '...and say what they queued');
sub reminders {
	my ($title, $email) = @_;
	return sql_one("SELECT count(*) FROM email_outbox WHERE subject = :'p1'"
	    . " AND to_address = :'p2'", $title, $email);
}
is(reminders('Starting soon: Remind soon', $learner->{email}), 1,
    'the 1 h reminder is queued once for a learner');
is(reminders('Starting soon: Remind soon', $learner2->{email}), 1,
    '...and once for the other');
is(reminders('Reminder: Remind soon', $learner->{email}), 0,
    '...with no 24 h reminder inside the last hour');
is(reminders('Reminder: Remind tomorrow', $learner->{email}), 1,
    'the 24 h reminder is queued once');
is(reminders('Starting soon: Remind tomorrow', $learner->{email}), 0,
    '...and no 1 h reminder yet');
is(reminders('Starting soon: Remind soon', $outsider->{email}), 0,
    'nobody who is not enrolled is reminded');
is(reminders('Reminder: Later, moved', $learner->{email}), 0,
    'a cancelled session is not reminded of');
($ok, $out) = remind_all(3);
ok($ok, 'three more runs at once');
is(reminders('Starting soon: Remind soon', $learner->{email})
    + reminders('Reminder: Remind tomorrow', $learner->{email}), 2,
    '...queue nothing again');
is(sql_one("SELECT count(*) FROM session_reminders WHERE session_id IN"
    . " (:'p1', :'p2')", $soon->{id}, $tomorrow->{id}), 4,
    'one reminder row per session, learner and kind');

done_testing();

#!/usr/bin/perl
# lectern — staff–student message threads (SPEC §6.3): who may write to
# whom, the staff inbox, per-reader flags and unread counts, mails
# without the text, admin full-text search (subject matches first), and
# no student ever seeing another's thread.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();

my $admin = user_with_role('admin', tag => 'ms-adm');
my $atok = $admin->{access_token};
my $teacher = user_with_role('teacher', tag => 'ms-tch', name => 'Ms Teacher');
my $ttok = $teacher->{access_token};
my $s1 = register_user(tag => 'ms-s1', name => 'Student One');
my $s2 = register_user(tag => 'ms-s2', name => 'Student Two');
my $run = "$$" . time();
my $staff = $ENV{LECTERN_STAFF_EMAIL} // 'office@lectern.test';

# The teacher's course; only s1 is enrolled.
my $cid = sql_one("INSERT INTO courses (instructor_id, title, published)"
    . " VALUES (:'p1', 'Messaging course', true) RETURNING id", $teacher->{user}{id});
sql("INSERT INTO enrollments (user_id, course_id) VALUES (:'p1', :'p2')",
    $s1->{user}{id}, $cid);

sub mails_to {
	my ($to) = @_;
	return map { $_->[0] } sql("SELECT subject || ' ' || replace(body, E'\\n', ' ')"
	    . " FROM email_outbox WHERE to_address = :'p1' ORDER BY id", $to);
}

sub thread_of {
	my ($tok, $id) = @_;
	my $r = api(GET => '/api/messages?per_page=100', token => $tok);
	my ($t) = grep { $_->{id} == $id } @{ json_body($r)->{items} || [] };
	return $t;
}

# 1. A teacher writes to a student outside their courses: 403.
my $r = api(POST => '/api/messages', token => $ttok,
    json => { to_user_id => $s2->{user}{id} + 0, subject => 'Hi', body => 'x' });
error_ok($r, 403, 'forbidden', 'a teacher writing to a student not in their courses');
$r = api(POST => '/api/messages', token => $ttok, json => { subject => 'Hi', body => 'x' });
error_ok($r, 400, 'validation_failed', 'staff without to_user_id');
$r = api(POST => '/api/messages', token => $s1->{access_token},
    json => { to_user_id => $teacher->{user}{id} + 0, subject => 'Hi', body => 'x' });
error_ok($r, 400, 'validation_failed', 'a student naming a recipient');

# 2. ...and to their own student: 201, a mail without the body.
my $body = "Your essay on photosynthesis$run needs a conclusion";
$r = api(POST => '/api/messages', token => $ttok,
    json => { to_user_id => $s1->{user}{id} + 0, subject => "Essay feedback $run",
    body => $body });
is($r->{status}, 201, 'a teacher writes to an enrolled student') or diag($r->{content});
my $th = json_body($r)->{thread} || {};
my $tid = $th->{id};
is_deeply([$th->{with}{id}, $th->{unread_count}], [$s1->{user}{id}, 0],
    '...the thread is with the student, nothing unread for the writer');
is(json_body($r)->{message}{body}, $body, '...the message');
my @m = mails_to($s1->{email});
is(scalar(@m), 1, '...one notification mail to the student');
unlike($m[0] // '', qr/photosynthesis/, '...without the message text');

# 3. Unread counts move as messages are read.
my $st = thread_of($s1->{access_token}, $tid);
is($st->{unread_count}, 1, 'the student has one unread message');
is_deeply($st->{with}, { id => $teacher->{user}{id}, name => 'Ms Teacher' },
    '...from the teacher');
$r = api(GET => '/api/messages?unread=true', token => $s1->{access_token});
ok((grep { $_->{id} == $tid } @{ json_body($r)->{items} || [] }), '...listed as unread');
$r = api(GET => "/api/messages/$tid", token => $s1->{access_token});
is($r->{status}, 200, 'the student opens the thread');
is_deeply([map { $_->{body} } @{ json_body($r)->{messages} || [] }], [$body],
    '...the messages, oldest first');
is(thread_of($s1->{access_token}, $tid)->{unread_count}, 0, '...now nothing is unread');
$r = api(POST => "/api/messages/$tid/replies", token => $s1->{access_token},
    json => { body => 'Thanks, will fix' });
is($r->{status}, 201, 'the student replies');
is(thread_of($ttok, $tid)->{unread_count}, 1, '...the teacher has one unread');
is(scalar(mails_to($teacher->{email})), 1, '...and a mail');
api(POST => "/api/messages/$tid/replies", token => $s1->{access_token},
    json => { body => 'And another thing' });
is(thread_of($ttok, $tid)->{unread_count}, 2, '...two after a second');
api(GET => "/api/messages/$tid", token => $ttok);
is(thread_of($ttok, $tid)->{unread_count}, 0, '...none once read');

# 4. Flags are the caller's own.
$r = api(PATCH => "/api/messages/$tid", token => $s1->{access_token},
    json => { important => JSON::PP::true, unread => JSON::PP::true });
is($r->{status}, 200, 'the student flags the thread') or diag($r->{content});
is_deeply([@{ json_body($r) }{qw(important unread_count)}], [JSON::PP::true, 1],
    '...important, and unread again');
ok(!thread_of($ttok, $tid)->{important}, "...the teacher's flags are unchanged");
api(PATCH => "/api/messages/$tid", token => $s1->{access_token},
    json => { archived => JSON::PP::true });
ok(!thread_of($s1->{access_token}, $tid), 'an archived thread leaves the default list');
$r = api(GET => '/api/messages?archived=true', token => $s1->{access_token});
ok((grep { $_->{id} == $tid } @{ json_body($r)->{items} || [] }), '...and shows with archived=true');
$r = api(PATCH => "/api/messages/$tid", token => $s1->{access_token}, json => {});
error_ok($r, 400, 'validation_failed', 'a PATCH with nothing');

# 5. A student writes to the staff inbox; admins see it, the staff mailed.
my $inbox_before = scalar(mails_to($staff));
$r = api(POST => '/api/messages', token => $s2->{access_token},
    json => { subject => "Fees question $run", body => 'When is the photosynthesis exam fee due?' });
is($r->{status}, 201, 'a student writes to the staff inbox');
my $tid2 = json_body($r)->{thread}{id};
is(json_body($r)->{thread}{with}{name}, 'Staff', '...with the staff');
is(scalar(mails_to($staff)), $inbox_before + 1, '...the staff address is mailed');
ok(thread_of($atok, $tid2), 'an admin sees the inbox thread');
ok(!thread_of($ttok, $tid2), '...a teacher does not');
$r = api(POST => "/api/messages/$tid2/replies", token => $atok,
    json => { body => 'Next Friday.' });
is($r->{status}, 201, 'an admin replies in the inbox thread');
is(thread_of($s2->{access_token}, $tid2)->{unread_count}, 1, '...the student has it unread');

# 6. A student never sees another's thread.
$r = api(GET => "/api/messages/$tid", token => $s2->{access_token});
error_ok($r, 404, 'not_found', "a student reading another's thread");
$r = api(POST => "/api/messages/$tid/replies", token => $s2->{access_token},
    json => { body => 'intrude' });
error_ok($r, 404, 'not_found', "...or replying to it");
$r = api(PATCH => "/api/messages/$tid", token => $s2->{access_token},
    json => { important => JSON::PP::true });
error_ok($r, 404, 'not_found', "...or flagging it");
ok(!thread_of($s2->{access_token}, $tid), '...or listing it');
$r = api(GET => "/api/messages/$tid2", token => $ttok);
error_ok($r, 404, 'not_found', 'a teacher reading an inbox thread');

# 7. Admin search: a body word finds it; a subject match ranks first.
$r = api(GET => "/api/admin/messages/search?q=photosynthesis$run", token => $atok);
is($r->{status}, 200, 'an admin searches messages') or diag($r->{content});
my $items = json_body($r)->{items} || [];
is_deeply([map { $_->{thread_id} } @$items], [$tid], '...a word of a body finds the thread');
like($items->[0]{snippet} // '', qr{<b>photosynthesis\Q$run\E</b>}i, '...with a highlighted snippet');
# "fees" is the subject of one thread and a body word of another.
api(POST => "/api/messages/$tid/replies", token => $ttok,
    json => { body => "About the fees $run: none for you." });
$r = api(GET => "/api/admin/messages/search?q=fees+$run", token => $atok);
$items = json_body($r)->{items} || [];
is_deeply([map { $_->{thread_id} } @$items], [$tid2, $tid],
    '...a subject match ranks above a body match');
ok($items->[0]{subject_match}, '...and says so');
$r = api(GET => '/api/admin/messages/search?q=x', token => $s1->{access_token});
error_ok($r, 403, 'forbidden', 'a student searching');
$r = api(GET => '/api/admin/messages/search', token => $atok);
error_ok($r, 400, 'validation_failed', 'a search without q');

done_testing();

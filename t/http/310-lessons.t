#!/usr/bin/perl
# lectern — lessons: GET and POST /api/courses/{id}/lessons, GET, PATCH
# and DELETE /api/lessons/{id}.  Who sees a lesson's content, who may
# change lessons, and that positions stay dense and unique through
# inserts, moves, deletes and concurrent inserts.
use strict;
use warnings;
use utf8;
use POSIX ();
use Test::More;
use Lectern::Test;

base_url();

my $ts_re = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
my $author = user_with_role('teacher', tag => 'les-auth');
my $atok = $author->{access_token};
my $other = user_with_role('instructor', tag => 'les-other');
my $admin = user_with_role('admin', tag => 'les-adm');
my $student = register_user(tag => 'les-stu');
my $stok = $student->{access_token};
my $enrolled = register_user(tag => 'les-enr');

# A course of the author's, made in the database.
sub new_course {
	my ($title, $published) = @_;
	return sql_one("INSERT INTO courses (instructor_id, title, price_minor,"
	    . " published) VALUES (:'p1', :'p2', 0, :'p3') RETURNING id",
	    $author->{user}{id}, $title, $published ? 'true' : 'false');
}

sub enroll {
	my ($uid, $cid) = @_;
	sql("INSERT INTO enrollments (user_id, course_id, status, source)"
	    . " VALUES (:'p1', :'p2', 'active', 'free')", $uid, $cid);
}

# The lesson ids of course cid in order of position, and whether the
# positions are exactly 1..n.
sub order_of {
	my ($cid) = @_;
	my @rows = sql("SELECT id, position FROM lessons"
	    . " WHERE course_id = :'p1' ORDER BY position, id", $cid);
	my $dense = 1;
	for my $i (0 .. $#rows) {
		$dense = 0 unless $rows[$i][1] == $i + 1;
	}
	return ([map { $_->[0] } @rows], $dense);
}

sub positions_ok {
	my ($cid, $want, $what) = @_;
	my ($ids, $dense) = order_of($cid);
	ok($dense, "$what: positions are 1..n, dense and unique");
	is_deeply($ids, $want, "...in the expected order")
	    or diag("got @$ids, want @$want");
}

sub add_lesson {
	my ($cid, $body, $tok) = @_;
	return api(POST => "/api/courses/$cid/lessons", token => $tok // $atok,
	    json => $body);
}

# PATCH lesson id as the author.
sub patch_lesson {
	my ($id, $body) = @_;
	return api(PATCH => "/api/lessons/$id", token => $atok, json => $body);
}

sub field_error {
	my ($r, $field, $what) = @_;
	error_ok($r, 400, 'validation_failed', $what);
	ok(json_body($r)->{error}{fields}{$field}, "...names $field")
	    or diag($r->{content});
}

my $cid = new_course('Lessons 101', 1);

# Create: the first lesson, a preview.
my $r = add_lesson($cid, { title => '  Welcome  ',
    content => "Line one\n\tLine two\n", is_preview => JSON::PP::true,
    video_url => 'https://videos.example.com/welcome.mp4?t=1' });
is($r->{status}, 201, 'POST /api/courses/{id}/lessons answers 201')
    or diag($r->{content});
my $first = json_body($r);
my $la = $first->{id};
ok($la && $la =~ /^\d+$/, '...with a numeric id');
is($r->{headers}{location}, "/api/lessons/$la", '...and Location');
is($first->{course_id}, $cid, '...the course id');
is($first->{title}, 'Welcome', '...the title, trimmed');
is($first->{content}, "Line one\n\tLine two", '...multi-line content');
is($first->{position}, 1, '...position 1 in an empty course');
ok($first->{is_preview}, '...is_preview');
is($first->{video_url}, 'https://videos.example.com/welcome.mp4?t=1',
    '...the video URL');
like($first->{created_at} // '', $ts_re, '...created_at in RFC 3339 UTC');
like($first->{updated_at} // '', $ts_re, '...updated_at too');
is(sql_one("SELECT replace(replace(content, E'\\n', '<NL>'), E'\\t',"
    . " '<TAB>') FROM lessons WHERE id = :'p1'", $la),
    'Line one<NL><TAB>Line two', '...and the content is stored');

# Inserts at the end, the front and the middle.
$r = add_lesson($cid, { title => 'Second', content => 'Secret B' });
is($r->{status}, 201, 'a lesson without a position');
my $lb = json_body($r)->{id};
is(json_body($r)->{position}, 2, '...goes to the end');
ok(!json_body($r)->{is_preview}, '...and is not a preview');
is_deeply([json_body($r)->{video_url}], [undef], '...and has no video');
$r = add_lesson($cid, { title => 'Front', content => 'Secret C',
    position => 1 });
my $lc = json_body($r)->{id};
is(json_body($r)->{position}, 1, 'a lesson at position 1');
positions_ok($cid, [$lc, $la, $lb], 'insert at the front');
$r = add_lesson($cid, { title => 'Middle', content => 'Secret D',
    position => 3 });
my $ld = json_body($r)->{id};
is(json_body($r)->{position}, 3, 'a lesson at position 3');
positions_ok($cid, [$lc, $la, $ld, $lb], 'insert in the middle');
$r = add_lesson($cid, { title => 'End', content => 'Secret E',
    position => 5 });
my $le = json_body($r)->{id};
is(json_body($r)->{position}, 5, 'a lesson at position n+1');
positions_ok($cid, [$lc, $la, $ld, $lb, $le], 'insert at the end');

# Bad input.
field_error(add_lesson($cid, { title => 'Far', position => 7 }), 'position',
    'position past n+1');
field_error(add_lesson($cid, { title => 'Zero', position => 0 }), 'position',
    'position 0');
field_error(add_lesson($cid, { content => 'no title' }), 'title',
    'a lesson without a title');
field_error(add_lesson($cid, { title => 'x' x 201 }), 'title',
    'a title of 201 characters');
field_error(add_lesson($cid, { title => 'Typo', is_preveiw => JSON::PP::true }),
    'is_preveiw', 'an unknown field');
field_error(add_lesson($cid, { title => 'Ctl', content => "a\x01b" }),
    'content', 'content with a control character');
for my $bad ('http://videos.example.com/a.mp4', 'javascript:alert(1)',
    'https://', 'https://user@evil.example.com/', 'https://a b.example.com/',
    'HTTPS://videos.example.com/', 'https://videos.example.com/a b',
    'https://' . ('a' x 1995)) {
	field_error(add_lesson($cid, { title => 'Video', video_url => $bad }),
	    'video_url', "video_url " . substr($bad, 0, 40));
}
field_error(add_lesson($cid, { title => 'Preview', is_preview => 'yes' }),
    'is_preview', 'is_preview as a string');
is(scalar(@{ (order_of($cid))[0] }), 5, 'the refused inserts added nothing');

# Who may add.
error_ok(add_lesson($cid, { title => 'Nope' }, $stok), 403, 'forbidden',
    'a student adding a lesson');
error_ok(add_lesson($cid, { title => 'Nope' }, $other->{access_token}), 403,
    'forbidden', 'another teacher adding a lesson');
$r = api(POST => "/api/courses/$cid/lessons", json => { title => 'Nope' });
error_ok($r, 401, 'unauthorized', 'adding a lesson without a token');
$r = add_lesson($cid, { title => 'By the admin', position => 6 },
    $admin->{access_token});
is($r->{status}, 201, 'an admin adds a lesson');
my $lf = json_body($r)->{id};
positions_ok($cid, [$lc, $la, $ld, $lb, $le, $lf], 'after the admin');
error_ok(add_lesson(999999999, { title => 'Nowhere' }), 404, 'not_found',
    'adding to an unknown course');

# Who sees content: the list.
my %secret = ($lb => 'Secret B', $lc => 'Secret C', $ld => 'Secret D',
    $le => 'Secret E');
sub list_check {
	my ($tok, $full, $what) = @_;
	my $r = api(GET => "/api/courses/$cid/lessons",
	    (defined $tok ? (token => $tok) : ()));
	is($r->{status}, 200, "$what: the list answers 200")
	    or return;
	my $j = json_body($r);
	is($j->{total}, 6, '...with six lessons');
	is_deeply([map { $_->{position} } @{ $j->{items} }], [1 .. 6],
	    '...in order of position');
	is_deeply([map { $_->{id} } @{ $j->{items} }],
	    [$lc, $la, $ld, $lb, $le, $lf], '...the lessons in order');
	my ($pre) = grep { $_->{id} == $la } @{ $j->{items} };
	is($pre->{content}, "Line one\n\tLine two",
	    '...the preview lesson with its content');
	ok(defined $pre->{video_url}, '...and its video');
	my @closed = grep { $_->{id} != $la } @{ $j->{items} };
	if ($full) {
		ok(!grep({ !exists $_->{content} || !exists $_->{video_url} }
		    @closed), '...every other lesson with content and video');
		ok(!grep({ exists $secret{$_->{id}} &&
		    $_->{content} ne $secret{$_->{id}} } @closed),
		    '...the right content');
	} else {
		ok(!grep({ exists $_->{content} || exists $_->{video_url} }
		    @closed), '...no other lesson with content or video_url');
		ok(!grep({ !defined $_->{title} || !defined $_->{position} }
		    @closed), '...but all with title and position');
	}
	ok($full || $r->{content} !~ /Secret/,
	    '...and no hidden content anywhere in the body');
}
list_check(undef, 0, 'anonymous');
list_check($stok, 0, 'a student not enrolled');
list_check($other->{access_token}, 0, 'another teacher');
list_check($atok, 1, 'the author');
list_check($admin->{access_token}, 1, 'an admin');
enroll($enrolled->{user}{id}, $cid);
list_check($enrolled->{access_token}, 1, 'an enrolled student');
sql("UPDATE enrollments SET status = 'revoked' WHERE user_id = :'p1'",
    $enrolled->{user}{id});
list_check($enrolled->{access_token}, 0,
    'a student whose enrollment was revoked');
enroll($student->{user}{id}, $cid);
list_check($stok, 1, 'the student after enrolling');
$r = api(GET => "/api/courses/$cid/lessons", token => $stok);
is($r->{headers}{'cache-control'}, 'no-store',
    'an authenticated list is not cached');

# Who sees content: one lesson.
$r = api(GET => "/api/lessons/$lb");
is($r->{status}, 200, 'GET /api/lessons/{id} anonymously answers 200');
is(json_body($r)->{title}, 'Second', '...with the title');
ok(!exists json_body($r)->{content}, '...without the content');
ok(!exists json_body($r)->{video_url}, '...or video_url');
$r = api(GET => "/api/lessons/$la");
is(json_body($r)->{content}, "Line one\n\tLine two",
    'a preview lesson anonymously: with the content');
$r = api(GET => "/api/lessons/$lb", token => $stok);
is(json_body($r)->{content}, 'Secret B', 'an enrolled student sees it');
$r = api(GET => "/api/lessons/$lb", token => $other->{access_token});
ok(!exists json_body($r)->{content}, 'another teacher does not');
$r = api(GET => "/api/lessons/$lb", token => $atok);
is(json_body($r)->{content}, 'Secret B', 'the author does');
is(json_body($r)->{position}, 4, '...at position 4');

# Moves.
$r = patch_lesson($lb, { position => 1 });
is($r->{status}, 200, 'PATCH {position: 1} answers 200') or diag($r->{content});
is(json_body($r)->{position}, 1, '...with the new position');
positions_ok($cid, [$lb, $lc, $la, $ld, $le, $lf], 'a move up from 4 to 1');
$r = patch_lesson($lb, { position => 5 });
is(json_body($r)->{position}, 5, 'PATCH {position: 5}');
positions_ok($cid, [$lc, $la, $ld, $le, $lb, $lf], 'a move down from 1 to 5');
$r = patch_lesson($lc, { position => 6 });
positions_ok($cid, [$la, $ld, $le, $lb, $lf, $lc], 'a move from first to last');
$r = patch_lesson($le, { position => 3 });
is($r->{status}, 200, 'a move to the same position');
positions_ok($cid, [$la, $ld, $le, $lb, $lf, $lc], '...changes no order');
$r = patch_lesson($le, { position => 2 });
positions_ok($cid, [$la, $le, $ld, $lb, $lf, $lc], 'a move up by one');
field_error(api(PATCH => "/api/lessons/$le", token => $atok,
    json => { position => 7 }), 'position', 'a move past the last lesson');
positions_ok($cid, [$la, $le, $ld, $lb, $lf, $lc], '...changes nothing');

# Other changes.
$r = api(PATCH => "/api/lessons/$ld", token => $atok, json => {
    title => 'Middle, renamed', content => "New\ncontent",
    is_preview => JSON::PP::true,
    video_url => 'https://cdn.example.org:8443/v/d.webm#t=10' });
is($r->{status}, 200, 'PATCH title, content, is_preview, video_url');
my $d = json_body($r);
is($d->{title}, 'Middle, renamed', '...the title');
is($d->{content}, "New\ncontent", '...the content');
ok($d->{is_preview}, '...is_preview');
is($d->{video_url}, 'https://cdn.example.org:8443/v/d.webm#t=10',
    '...the video');
is($d->{position}, 3, '...the position unchanged');
is(sql_one("SELECT title || '|' || is_preview || '|' || video_url FROM lessons"
    . " WHERE id = :'p1'", $ld),
    'Middle, renamed|true|https://cdn.example.org:8443/v/d.webm#t=10',
    '...and stored');
$r = api(PATCH => "/api/lessons/$ld", token => $atok,
    json => { video_url => undef, content => undef });
is($r->{status}, 200, 'PATCH {video_url: null, content: null}');
is_deeply([json_body($r)->{video_url}], [undef], '...removes the video');
is(json_body($r)->{content}, '', '...and empties the content');
is(sql_one("SELECT video_url IS NULL AND content = '' FROM lessons"
    . " WHERE id = :'p1'", $ld), 't', '...in the database');
$r = api(GET => "/api/lessons/$ld");
is(json_body($r)->{content}, '', 'a preview lesson is open anonymously');
field_error(api(PATCH => "/api/lessons/$ld", token => $atok, json => {}),
    'body', 'PATCH {}');
field_error(api(PATCH => "/api/lessons/$ld", token => $atok,
    json => { title => '   ' }), 'body', 'PATCH with a blank title');
field_error(api(PATCH => "/api/lessons/$ld", token => $atok,
    json => { title => undef }), 'title', 'PATCH {title: null}');
field_error(api(PATCH => "/api/lessons/$ld", token => $atok,
    json => { video_url => 'http://cdn.example.org/d.webm' }), 'video_url',
    'PATCH video_url http://');
field_error(api(PATCH => "/api/lessons/$ld", token => $atok,
    json => { video_url => 'javascript:alert(1)' }), 'video_url',
    'PATCH video_url javascript:');
field_error(api(PATCH => "/api/lessons/$ld", token => $atok,
    json => { course_id => $cid }), 'course_id', 'PATCH course_id');

# Who may change and remove.
for my $who ([$stok, 'an enrolled student'],
    [$other->{access_token}, 'another teacher']) {
	my ($tok, $name) = @$who;
	error_ok(api(PATCH => "/api/lessons/$lb", token => $tok,
	    json => { title => 'Hijacked' }), 403, 'forbidden',
	    "$name patching");
	error_ok(api(DELETE => "/api/lessons/$lb", token => $tok), 403,
	    'forbidden', "$name deleting");
}
is(sql_one("SELECT title FROM lessons WHERE id = :'p1'", $lb), 'Second',
    'the refused changes changed nothing');
error_ok(api(PATCH => "/api/lessons/$lb", json => { title => 'x' }), 401,
    'unauthorized', 'PATCH without a token');
error_ok(api(DELETE => "/api/lessons/$lb"), 401, 'unauthorized',
    'DELETE without a token');
$r = api(PATCH => "/api/lessons/$lb", token => $admin->{access_token},
    json => { title => 'Second (admin)' });
is(json_body($r)->{title}, 'Second (admin)', 'an admin patches a lesson');

# Delete.
positions_ok($cid, [$la, $le, $ld, $lb, $lf, $lc], 'before the deletes');
$r = api(DELETE => "/api/lessons/$ld", token => $atok);
is($r->{status}, 204, 'DELETE a lesson in the middle answers 204');
is(length($r->{content} // ''), 0, '...with no body');
positions_ok($cid, [$la, $le, $lb, $lf, $lc], 'a delete in the middle');
error_ok(api(GET => "/api/lessons/$ld", token => $atok), 404, 'not_found',
    'the deleted lesson');
error_ok(api(DELETE => "/api/lessons/$ld", token => $atok), 404, 'not_found',
    '...deleted twice');
$r = api(DELETE => "/api/lessons/$la", token => $admin->{access_token});
is($r->{status}, 204, 'an admin deletes the first lesson');
positions_ok($cid, [$le, $lb, $lf, $lc], 'a delete at the front');
$r = api(DELETE => "/api/lessons/$lc", token => $atok);
positions_ok($cid, [$le, $lb, $lf], 'a delete at the end');

# Unknown lessons.
for my $m (qw(GET PATCH DELETE)) {
	my %j = $m eq 'PATCH' ? (json => { title => 'x' }) : ();
	error_ok(api($m => '/api/lessons/999999999', token => $atok, %j), 404,
	    'not_found', "$m an unknown lesson");
}
error_ok(api(GET => '/api/lessons/0'), 404, 'not_found', 'lesson id 0');
error_ok(api(GET => '/api/lessons/abc'), 404, 'not_found', 'lesson id abc');
error_ok(api(GET => '/api/courses/999999999/lessons'), 404, 'not_found',
    'the lessons of an unknown course');
$r = api(PUT => "/api/lessons/$lb", token => $atok, json => { title => 'x' });
error_ok($r, 405, 'method_not_allowed', 'PUT a lesson');
like($r->{headers}{allow} // '', qr/GET.*PATCH.*DELETE/, '...with Allow');

# A draft course: its lessons do not exist for anyone but the author and
# admins.
my $draft = new_course('Draft course', 0);
$r = add_lesson($draft, { title => 'Draft lesson', content => 'Draft secret',
    is_preview => JSON::PP::true });
is($r->{status}, 201, 'the author adds a lesson to a draft');
my $ldr = json_body($r)->{id};
error_ok(api(GET => "/api/courses/$draft/lessons"), 404, 'not_found',
    "a draft's lessons anonymously");
error_ok(api(GET => "/api/courses/$draft/lessons", token => $stok), 404,
    'not_found', "...as a student");
error_ok(api(GET => "/api/lessons/$ldr"), 404, 'not_found',
    "a draft's preview lesson anonymously");
error_ok(api(GET => "/api/lessons/$ldr", token => $other->{access_token}),
    404, 'not_found', '...as another teacher');
error_ok(add_lesson($draft, { title => 'x' }, $stok), 404, 'not_found',
    'a student adding to a draft');
error_ok(api(PATCH => "/api/lessons/$ldr", token => $stok,
    json => { title => 'x' }), 404, 'not_found',
    'a student patching a draft lesson');
error_ok(api(DELETE => "/api/lessons/$ldr", token => $stok), 404, 'not_found',
    'a student deleting a draft lesson');
$r = api(GET => "/api/courses/$draft/lessons", token => $atok);
is($r->{status}, 200, "the author lists the draft's lessons");
is(json_body($r)->{items}[0]{content}, 'Draft secret', '...with content');
$r = api(GET => "/api/lessons/$ldr", token => $admin->{access_token});
is($r->{status}, 200, 'an admin reads a draft lesson');
sql("UPDATE courses SET published = true, archived = true WHERE id = :'p1'",
    $draft);
error_ok(api(GET => "/api/courses/$draft/lessons"), 404, 'not_found',
    "an archived course's lessons anonymously");

# Concurrent inserts at position 1 stay dense and unique.
my $busy = new_course('Busy course', 1);
my @before;
for my $i (1 .. 2) {
	push @before, json_body(add_lesson($busy, { title => "Old $i" }))->{id};
}
my @pids;
for my $i (1 .. 10) {
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		my $r = add_lesson($busy,
		    { title => "Racer $i", position => 1 });
		POSIX::_exit($r->{status} == 201 ? 0 : 1);
	}
	push @pids, $pid;
}
my $failed = 0;
for my $pid (@pids) {
	waitpid($pid, 0);
	$failed++ if $? != 0;
}
is($failed, 0, 'ten concurrent inserts at position 1 all answer 201');
my ($ids, $dense) = order_of($busy);
is(scalar(@$ids), 12, '...twelve lessons');
ok($dense, '...at positions 1..12, dense and unique');
is_deeply([@$ids[10, 11]], \@before, '...the old lessons now last');
is(sql_one("SELECT count(DISTINCT position) FROM lessons"
    . " WHERE course_id = :'p1'", $busy), 12, '...twelve distinct positions');

# A course archived after students enrolled (and perhaps paid): they keep
# its material; nobody else sees it.
my $kept = new_course('Archived later', 1);
$r = add_lesson($kept, { title => 'Still here', content => 'Kept content' });
is($r->{status}, 201, 'a lesson for a course about to be archived');
my $lkept = json_body($r)->{id};
my $keeper = register_user(tag => 'les-keep');
enroll($keeper->{user}{id}, $kept);
sql("UPDATE courses SET archived = true, published = false WHERE id = :'p1'", $kept);
$r = api(GET => "/api/courses/$kept/lessons", token => $keeper->{access_token});
is($r->{status}, 200, 'an enrolled student still lists an archived course\'s lessons');
is(json_body($r)->{items}[0]{content}, 'Kept content', '...with their content');
$r = api(GET => "/api/lessons/$lkept", token => $keeper->{access_token});
is($r->{status}, 200, '...and reads one');
error_ok(api(GET => "/api/courses/$kept/lessons", token => $stok), 404,
    'not_found', 'a student who is not enrolled gets 404');
error_ok(api(GET => "/api/courses/$kept/lessons"), 404, 'not_found',
    '...and so does an anonymous caller');

done_testing();

#!/usr/bin/perl
# lectern — classwork and submissions: GET and POST
# /api/courses/{id}/classwork, GET, PATCH and DELETE /api/classwork/{id},
# GET and POST /api/classwork/{id}/submissions, PATCH
# /api/submissions/{id}.  Who may see, change, hand in and grade; the due
# date; one submission per student, replaced until graded or due; grades
# within max_points; and that no student reaches another's submission.
use strict;
use warnings;
use utf8;
use POSIX ();
use Test::More;
use Lectern::Test;

base_url();

my $ts_re = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
my $author = user_with_role('teacher', tag => 'cw-auth');
my $atok = $author->{access_token};
my $aid = $author->{user}{id};
my $other = user_with_role('instructor', tag => 'cw-other');
my $admin = user_with_role('admin', tag => 'cw-adm');
my $stu_a = register_user(tag => 'cw-a', name => 'Student A');
my $stu_b = register_user(tag => 'cw-b', name => 'Student B');
my $stu_c = register_user(tag => 'cw-c');	# never enrolled
my $stu_d = register_user(tag => 'cw-d');	# enrollment revoked
my $stu_e = register_user(tag => 'cw-e');	# enrolled, never submits

# A course of the author's, made in the database (the course endpoints
# are not what this file tests).
sub new_course {
	my ($title, $published) = @_;
	return sql_one("INSERT INTO courses (instructor_id, title, published)"
	    . " VALUES (:'p1', :'p2', :'p3') RETURNING id", $aid, $title,
	    $published ? 'true' : 'false');
}

sub enroll {
	my ($u, $cid, $status) = @_;
	sql("INSERT INTO enrollments (user_id, course_id, status)"
	    . " VALUES (:'p1', :'p2', :'p3')", $u->{user}{id}, $cid,
	    $status // 'active');
}

sub field_error {
	my ($r, $field, $what) = @_;
	error_ok($r, 400, 'validation_failed', $what);
	ok(json_body($r)->{error}{fields}{$field}, "...names $field")
	    or diag($r->{content});
}

sub tok { $_[0]{access_token} }

my $cid = new_course('Classwork 101', 1);
my $draft = new_course('Draft course', 0);
enroll($_, $cid) for ($stu_a, $stu_b, $stu_e);
enroll($stu_d, $cid, 'revoked');
enroll($stu_a, $draft);

# --- Create ------------------------------------------------------------

my $r = api(POST => "/api/courses/$cid/classwork", token => $atok, json => {
    title => '  Essay one  ', instructions => "Write 500 words.\n\tCite.",
    due_at => '2999-01-01T10:00:00+05:30', max_points => 50 });
is($r->{status}, 201, 'the author creates classwork: 201')
    or diag($r->{content});
my $cw = json_body($r);
my $cwid = $cw->{id};
like($cwid // '', qr/^\d+$/, '...with a numeric id');
is($r->{headers}{location}, "/api/classwork/$cwid",
    '...and Location /api/classwork/<id>');
is($cw->{course_id}, $cid, '...course_id');
is($cw->{title}, 'Essay one', '...the title trimmed');
is($cw->{instructions}, "Write 500 words.\n\tCite.",
    '...the instructions keep \n and \t');
is($cw->{due_at}, '2999-01-01T04:30:00Z', '...due_at in UTC');
is($cw->{max_points}, 50, '...max_points');
like($cw->{created_at} // '', $ts_re, '...created_at RFC 3339');
like($cw->{updated_at} // '', $ts_re, '...updated_at RFC 3339');
is_deeply([sql("SELECT course_id, title, max_points, due_at = '2998-12-31"
    . "T23:00:00-05:30'::timestamptz FROM classwork WHERE id = :'p1'",
    $cwid)], [[$cid, 'Essay one', 50, 't']], '...and the row is stored');

$r = api(POST => "/api/courses/$cid/classwork", token => $atok,
    json => { title => 'Quiz', instructions => 'Answer all.' });
is($r->{status}, 201, 'classwork without due_at and max_points: 201');
my $quiz = json_body($r);
is($quiz->{max_points}, 100, '...max_points defaults to 100');
ok(exists $quiz->{due_at} && !defined $quiz->{due_at},
    '...due_at is null');

for my $bad (
	[{ instructions => 'x' }, 'title', 'a missing title'],
	[{ title => 'x' }, 'instructions', 'missing instructions'],
	[{ title => 'x', instructions => 'y', due_at => 'tomorrow' },
	    'due_at', 'due_at "tomorrow"'],
	[{ title => 'x', instructions => 'y',
	    due_at => '2026-02-30T00:00:00Z' }, 'due_at', 'due_at 30 February'],
	[{ title => 'x', instructions => 'y', due_at => '2026-01-01 10:00:00' },
	    'due_at', 'due_at without T and offset'],
	[{ title => 'x', instructions => 'y', due_at => 1700000000 },
	    'due_at', 'due_at as epoch seconds'],
	[{ title => 'x', instructions => 'y', max_points => 100001 },
	    'max_points', 'max_points 100001'],
	[{ title => 'x', instructions => 'y', max_points => -1 },
	    'max_points', 'max_points -1'],
	[{ title => 'x', instructions => 'y', max_points => 1.5 },
	    'max_points', 'max_points 1.5'],
	[{ title => 'x' x 201, instructions => 'y' }, 'title',
	    'a title of 201 characters'],
	[{ title => 'x', instructions => "a\rb" }, 'instructions',
	    'instructions with \r'],
	[{ title => 'x', instructions => 'y', points => 5 }, 'points',
	    'an unknown field'],
    ) {
	field_error(api(POST => "/api/courses/$cid/classwork", token => $atok,
	    json => $bad->[0]), $bad->[1], "create with $bad->[2]");
}
is(sql_one("SELECT count(*) FROM classwork WHERE course_id = :'p1'", $cid),
    2, '...and none of those made a row');

my $body = { title => 'Nope', instructions => 'Nope' };
error_ok(api(POST => "/api/courses/$cid/classwork", token => tok($stu_a),
    json => $body), 403, 'forbidden', 'an enrolled student cannot create');
error_ok(api(POST => "/api/courses/$cid/classwork", token => tok($stu_c),
    json => $body), 403, 'forbidden', 'nor a student who is not enrolled');
error_ok(api(POST => "/api/courses/$cid/classwork", token => tok($other),
    json => $body), 403, 'forbidden', 'nor another teacher');
error_ok(api(POST => "/api/courses/$draft/classwork", token => tok($stu_a),
    json => $body), 403, 'forbidden',
    'an enrolled student of an unpublished course cannot create either');
error_ok(api(POST => "/api/courses/$draft/classwork", token => tok($other),
    json => $body), 404, 'not_found', '...and to another teacher');
error_ok(api(POST => '/api/courses/999999999/classwork', token => $atok,
    json => $body), 404, 'not_found', 'an unknown course is 404');
error_ok(api(POST => "/api/courses/$cid/classwork", json => $body), 401,
    'unauthorized', 'no token is 401');
is(sql_one("SELECT count(*) FROM classwork WHERE title = 'Nope'"), 0,
    '...and none of those made a row');

$r = api(POST => "/api/courses/$draft/classwork", token => $atok,
    json => { title => 'Draft work', instructions => 'Later.' });
is($r->{status}, 201, 'the author adds classwork to a draft course');
my $draft_cw = json_body($r)->{id};
$r = api(POST => "/api/courses/$cid/classwork", token => tok($admin),
    json => { title => 'Admin work', instructions => 'From the admin.',
    max_points => 0 });
is($r->{status}, 201, 'an admin adds classwork to any course');
my $admin_cw = json_body($r)->{id};
is(json_body($r)->{max_points}, 0, '...max_points 0 is allowed');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'classwork.create'"
    . " AND actor_user_id = :'p1' AND target_id = :'p2'",
    $admin->{user}{id}, $admin_cw), 1, '...and it is audited');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'classwork.create'"
    . " AND actor_user_id = :'p1'", $aid), 0,
    '...while the author\'s own are not');

# --- Read --------------------------------------------------------------

$r = api(GET => "/api/courses/$cid/classwork", token => $atok);
is($r->{status}, 200, 'the author lists the classwork');
is(json_body($r)->{total}, 3, '...all three');
is_deeply([map { $_->{id} } @{ json_body($r)->{items} }],
    [$cwid, $quiz->{id}, $admin_cw], '...oldest first');
is_deeply(json_body($r)->{items}[0], $cw, '...in the shape POST returned');
like($r->{headers}{'cache-control'} // '', qr/no-store/, '...not cached');
$r = api(GET => "/api/courses/$cid/classwork", token => tok($stu_a));
is($r->{status}, 200, 'an enrolled student lists it');
is(json_body($r)->{total}, 3, '...all of it');
$r = api(GET => "/api/courses/$cid/classwork?per_page=1&page=2",
    token => tok($admin));
is($r->{status}, 200, 'an admin lists it, one a page');
is_deeply([map { $_->{id} } @{ json_body($r)->{items} }], [$quiz->{id}],
    '...page 2 is the second');
ok(json_body($r)->{has_next} && json_body($r)->{has_prev},
    '...with has_next and has_prev');
like($r->{headers}{link} // '', qr/rel="next".*rel="prev"/,
    '...and a Link header');
error_ok(api(GET => "/api/courses/$cid/classwork?per_page=101",
    token => $atok), 400, 'validation_failed', 'per_page 101 is 400');
error_ok(api(GET => "/api/courses/$cid/classwork", token => tok($stu_c)),
    403, 'forbidden', 'a student who is not enrolled cannot list');
error_ok(api(GET => "/api/courses/$cid/classwork", token => tok($stu_d)),
    403, 'forbidden', '...nor one whose enrollment was revoked');
error_ok(api(GET => "/api/courses/$cid/classwork", token => tok($other)),
    403, 'forbidden', '...nor another teacher');
is(api(GET => "/api/courses/$draft/classwork", token => tok($stu_a))->{status},
    200, 'an unpublished course\'s classwork stays listed for its students');
error_ok(api(GET => "/api/courses/$draft/classwork", token => tok($stu_c)),
    404, 'not_found', '...and is 404 to a student who is not enrolled');
$r = api(GET => "/api/courses/$draft/classwork", token => $atok);
is(json_body($r)->{total}, 1, '...but its author lists it');
error_ok(api(GET => '/api/courses/999999999/classwork', token => $atok),
    404, 'not_found', 'an unknown course is 404');
error_ok(api(GET => "/api/courses/$cid/classwork"), 401, 'unauthorized',
    'listing needs a token');

$r = api(GET => "/api/classwork/$cwid", token => tok($stu_a));
is($r->{status}, 200, 'an enrolled student reads one piece of classwork');
is_deeply(json_body($r), $cw, '...as it was created');
is(api(GET => "/api/classwork/$cwid", token => tok($admin))->{status}, 200,
    '...and so does an admin');
error_ok(api(GET => "/api/classwork/$cwid", token => tok($stu_c)), 403,
    'forbidden', 'a student who is not enrolled cannot read it');
error_ok(api(GET => "/api/classwork/$cwid", token => tok($other)), 403,
    'forbidden', '...nor another teacher');
is(api(GET => "/api/classwork/$draft_cw", token => tok($stu_a))->{status}, 200,
    'an enrolled student keeps reading classwork of a course since unpublished');
error_ok(api(GET => '/api/classwork/999999999', token => $atok), 404,
    'not_found', 'unknown classwork is 404');

# --- Update ------------------------------------------------------------

$r = api(PATCH => "/api/classwork/$quiz->{id}", token => $atok,
    json => { title => 'Quiz one', due_at => '2999-06-01T12:00:00Z' });
is($r->{status}, 200, 'the author renames and dates the quiz');
is(json_body($r)->{title}, 'Quiz one', '...title');
is(json_body($r)->{due_at}, '2999-06-01T12:00:00Z', '...due_at');
is(json_body($r)->{instructions}, 'Answer all.', '...instructions kept');
$r = api(PATCH => "/api/classwork/$quiz->{id}", token => $atok,
    json => { due_at => undef });
is($r->{status}, 200, 'due_at null');
ok(exists json_body($r)->{due_at} && !defined json_body($r)->{due_at},
    '...clears the due date');
is(json_body($r)->{title}, 'Quiz one', '...and keeps the rest');
is(sql_one("SELECT due_at IS NULL FROM classwork WHERE id = :'p1'",
    $quiz->{id}), 't', '...in the row too');
field_error(api(PATCH => "/api/classwork/$quiz->{id}", token => $atok,
    json => {}), 'body', 'a PATCH that sets nothing');
field_error(api(PATCH => "/api/classwork/$quiz->{id}", token => $atok,
    json => { due_at => 'soon' }), 'due_at', 'a PATCH with a bad due_at');
field_error(api(PATCH => "/api/classwork/$quiz->{id}", token => $atok,
    json => { title => undef }), 'title', 'a PATCH with title null');
error_ok(api(PATCH => "/api/classwork/$quiz->{id}", token => tok($stu_a),
    json => { title => 'Hacked' }), 403, 'forbidden',
    'an enrolled student cannot change classwork');
error_ok(api(PATCH => "/api/classwork/$quiz->{id}", token => tok($other),
    json => { title => 'Hacked' }), 403, 'forbidden',
    '...nor another teacher');
error_ok(api(PATCH => "/api/classwork/$draft_cw", token => tok($other),
    json => { title => 'Hacked' }), 404, 'not_found',
    '...who gets 404 for a draft course\'s classwork');
error_ok(api(PATCH => '/api/classwork/999999999', token => $atok,
    json => { title => 'x' }), 404, 'not_found', 'unknown classwork is 404');
is(sql_one("SELECT count(*) FROM classwork WHERE title = 'Hacked'"), 0,
    '...and nothing was changed');

# --- Submit ------------------------------------------------------------

my $sub_url = "/api/classwork/$cwid/submissions";
$r = api(POST => $sub_url, token => tok($stu_a),
    json => { content => "My essay.\nLine two." });
is($r->{status}, 201, 'student A hands in: 201') or diag($r->{content});
my $sa = json_body($r);
my $said = $sa->{id};
is($r->{headers}{location}, "/api/classwork/$sa->{classwork_id}/submissions",
    '...with Location the classwork\'s submissions, where it is read');
is($sa->{classwork_id}, $cwid, '...classwork_id');
is_deeply($sa->{student}, { id => $stu_a->{user}{id}, name => 'Student A' },
    '...the student');
is($sa->{content}, "My essay.\nLine two.", '...the content');
ok(exists $sa->{grade} && !defined $sa->{grade}, '...no grade yet');
like($sa->{submitted_at} // '', $ts_re, '...submitted_at');

sql("UPDATE submissions SET submitted_at = submitted_at - interval '1 hour',"
    . " updated_at = updated_at - interval '1 hour' WHERE id = :'p1'", $said);
$r = api(POST => $sub_url, token => tok($stu_a),
    json => { content => 'My better essay.' });
is($r->{status}, 200, 'handing in again before the due date: 200');
is(json_body($r)->{id}, $said, '...the same submission');
is(json_body($r)->{content}, 'My better essay.', '...with the new content');
ok(!exists $r->{headers}{location}, '...and no Location');
is_deeply([sql("SELECT count(*), min(content),"
    . " bool_and(updated_at > submitted_at) FROM submissions"
    . " WHERE classwork_id = :'p1' AND user_id = :'p2'", $cwid,
    $stu_a->{user}{id})], [[1, 'My better essay.', 't']],
    '...one row, content replaced, updated_at moved, submitted_at kept');

$r = api(POST => $sub_url, token => tok($stu_b),
    json => { content => 'B essay.' });
is($r->{status}, 201, 'student B hands in');
my $sbid = json_body($r)->{id};

field_error(api(POST => $sub_url, token => tok($stu_e),
    json => { content => '   ' }), 'content', 'blank content');
field_error(api(POST => $sub_url, token => tok($stu_e),
    json => { content => 'x', grade => 100 }), 'grade',
    'a student setting their own grade');
my $e = api(POST => $sub_url, token => $atok, json => { content => 'x' });
error_ok($e, 403, 'forbidden', 'the author cannot hand in');
like(json_body($e)->{error}{message} // '', qr/authors do not submit/,
    '...because authors do not submit');
error_ok(api(POST => $sub_url, token => tok($admin),
    json => { content => 'x' }), 403, 'forbidden', '...nor an admin');
error_ok(api(POST => $sub_url, token => tok($stu_c),
    json => { content => 'x' }), 403, 'forbidden',
    'a student who is not enrolled cannot hand in');
error_ok(api(POST => $sub_url, token => tok($stu_d),
    json => { content => 'x' }), 403, 'forbidden',
    '...nor one whose enrollment was revoked');
error_ok(api(POST => $sub_url, token => tok($other),
    json => { content => 'x' }), 403, 'forbidden', '...nor another teacher');
is(api(POST => "/api/classwork/$draft_cw/submissions",
    token => tok($stu_a), json => { content => 'x' })->{status}, 201,
    '...and keeps handing work in for it');
error_ok(api(POST => '/api/classwork/999999999/submissions',
    token => tok($stu_a), json => { content => 'x' }), 404, 'not_found',
    'unknown classwork is 404');
error_ok(api(POST => $sub_url, json => { content => 'x' }), 401,
    'unauthorized', 'handing in needs a token');
is(sql_one("SELECT count(*) FROM submissions WHERE classwork_id = :'p1'",
    $cwid), 2, '...and only A and B have a submission');

# --- List submissions --------------------------------------------------

$r = api(GET => $sub_url, token => $atok);
is($r->{status}, 200, 'the author lists the submissions');
is(json_body($r)->{total}, 2, '...both');
is_deeply([map { [$_->{id}, $_->{student}{id}, $_->{student}{name}] }
    @{ json_body($r)->{items} }],
    [[$said, $stu_a->{user}{id}, 'Student A'],
    [$sbid, $stu_b->{user}{id}, 'Student B']],
    '...oldest first, each with the student\'s id and name');
is(api(GET => $sub_url, token => tok($admin))->{status}, 200,
    '...as does an admin');
is(json_body(api(GET => "$sub_url?per_page=1", token => $atok))->{total_pages},
    2, '...paged');

$r = api(GET => $sub_url, token => tok($stu_a));
is($r->{status}, 200, 'student A lists submissions');
is_deeply([map { $_->{id} } @{ json_body($r)->{items} }], [$said],
    '...and sees only their own');
is(json_body($r)->{total}, 1, '...total 1');
$r = api(GET => $sub_url, token => tok($stu_b));
is_deeply([map { $_->{id} } @{ json_body($r)->{items} }], [$sbid],
    'student B sees only theirs');
$r = api(GET => $sub_url, token => tok($stu_e));
is($r->{status}, 200, 'a student who has not handed in lists');
is(json_body($r)->{total}, 0, '...and sees nothing');
error_ok(api(GET => $sub_url, token => tok($stu_c)), 403, 'forbidden',
    'a student who is not enrolled cannot list submissions');
error_ok(api(GET => $sub_url, token => tok($other)), 403, 'forbidden',
    '...nor another teacher');
error_ok(api(GET => '/api/classwork/999999999/submissions',
    token => $atok), 404, 'not_found', 'unknown classwork is 404');

# --- Grade -------------------------------------------------------------

my $grade_url = "/api/submissions/$said";
field_error(api(PATCH => $grade_url, token => $atok, json => { grade => 51 }),
    'grade', 'a grade above max_points (50)');
like(json_body(api(PATCH => $grade_url, token => $atok,
    json => { grade => 51 }))->{error}{fields}{grade} // '', qr/50/,
    '...the message names max_points');
field_error(api(PATCH => $grade_url, token => $atok, json => { grade => -1 }),
    'grade', 'a negative grade');
field_error(api(PATCH => $grade_url, token => $atok, json => { grade => 4.5 }),
    'grade', 'a fractional grade');
field_error(api(PATCH => $grade_url, token => $atok,
    json => { feedback => 'Good' }), 'grade', 'feedback without a grade');
is(sql_one("SELECT grade IS NULL FROM submissions WHERE id = :'p1'", $said),
    't', '...and none of those graded');

$r = api(PATCH => $grade_url, token => $atok,
    json => { grade => 50, feedback => "Well argued.\nMore sources." });
is($r->{status}, 200, 'the author grades at max_points: 200')
    or diag($r->{content});
is(json_body($r)->{grade}, 50, '...grade');
is(json_body($r)->{feedback}, "Well argued.\nMore sources.", '...feedback');
is(json_body($r)->{graded_by}, $aid, '...graded_by the author');
like(json_body($r)->{graded_at} // '', $ts_re, '...graded_at');
is_deeply([sql("SELECT grade, graded_by, graded_at IS NOT NULL FROM"
    . " submissions WHERE id = :'p1'", $said)], [[50, $aid, 't']],
    '...and stored');
$r = api(PATCH => $grade_url, token => $atok, json => { grade => 45 });
is(json_body($r)->{grade}, 45, 'grading again replaces the grade');
is(json_body($r)->{feedback}, "Well argued.\nMore sources.",
    '...and feedback left out stays');

$r = api(GET => $sub_url, token => tok($stu_a));
is(json_body($r)->{items}[0]{grade}, 45, 'student A sees the grade');
is(json_body($r)->{items}[0]{feedback}, "Well argued.\nMore sources.",
    '...and the feedback');

# Nobody else reaches a submission: A on B's and on neighbouring ids.
my $snapshot = sub {
	return [sql("SELECT id, md5(row(user_id, content, grade, feedback,"
	    . " graded_at, graded_by, updated_at)::text) FROM submissions"
	    . " ORDER BY id")];
};
my $before = $snapshot->();
my %tried;
for my $id ($sbid, $sbid - 1, $sbid + 1, $said - 1, $said + 1) {
	next if $id < 1 || $tried{$id}++;
	my $res = api(PATCH => "/api/submissions/$id", token => tok($stu_a),
	    json => { grade => 0, feedback => 'mine now' });
	my $owner = sql_one("SELECT user_id FROM submissions WHERE id = :'p1'", $id);
	my $a_id = sql_one("SELECT user_id FROM submissions WHERE id = :'p1'", $said);
	if (defined $owner && $owner == $a_id) {
		error_ok($res, 403, 'forbidden',
		    "A grading their own submission $id");
	} else {
		error_ok($res, 404, 'not_found',
		    "A grading submission $id, not theirs");
	}
}
error_ok(api(PATCH => $grade_url, token => tok($stu_a),
    json => { grade => 50 }), 403, 'forbidden',
    'A cannot grade their own submission');
error_ok(api(PATCH => "/api/submissions/$sbid", token => tok($other),
    json => { grade => 1 }), 404, 'not_found',
    'another teacher gets 404 for a submission in a course not theirs');
error_ok(api(PATCH => '/api/submissions/999999999', token => $atok,
    json => { grade => 1 }), 404, 'not_found', 'an unknown submission is 404');
is_deeply($snapshot->(), $before, '...and no submission changed');

$r = api(PATCH => "/api/submissions/$sbid", token => tok($admin),
    json => { grade => 30 });
is($r->{status}, 200, 'an admin grades B');
is(json_body($r)->{graded_by}, $admin->{user}{id}, '...graded_by the admin');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'submission.grade'"
    . " AND actor_user_id = :'p1' AND target_id = :'p2'",
    $admin->{user}{id}, $sbid), 1, '...audited');
$r = api(PATCH => "/api/submissions/$sbid", token => $atok,
    json => { grade => 30, feedback => undef });
ok(exists json_body($r)->{feedback} && !defined json_body($r)->{feedback},
    'feedback null clears it');

# A graded submission is final.
$e = api(POST => $sub_url, token => tok($stu_a),
    json => { content => 'Sneaky rewrite.' });
error_ok($e, 409, 'conflict', 'handing in again after grading');
like(json_body($e)->{error}{message} // '', qr/already graded/,
    '...says already graded');
is_deeply([sql("SELECT content, grade FROM submissions WHERE id = :'p1'",
    $said)], [['My better essay.', 45]], '...and nothing changed');

# max_points may not fall below a grade given.
$e = api(PATCH => "/api/classwork/$cwid", token => $atok,
    json => { max_points => 44 });
error_ok($e, 409, 'conflict', 'max_points below a given grade (45)');
like(json_body($e)->{error}{message} // '', qr/max_points.*45/,
    '...the message says why');
is(sql_one("SELECT max_points FROM classwork WHERE id = :'p1'", $cwid), 50,
    '...and max_points is unchanged');
$r = api(PATCH => "/api/classwork/$cwid", token => $atok,
    json => { max_points => 45 });
is($r->{status}, 200, 'max_points equal to the top grade is fine');
is(json_body($r)->{max_points}, 45, '...and stored');

# --- The due date -------------------------------------------------------

my $late_url = "/api/classwork/$quiz->{id}/submissions";
$r = api(POST => $late_url, token => tok($stu_a), json => { content => 'A1' });
is($r->{status}, 201, 'A hands in the undated quiz');
$r = api(PATCH => "/api/classwork/$quiz->{id}", token => $atok,
    json => { due_at => '2000-01-01T00:00:00Z' });
is($r->{status}, 200, 'the author moves the due date into the past');
$e = api(POST => $late_url, token => tok($stu_b), json => { content => 'B1' });
error_ok($e, 409, 'conflict', 'handing in after the due date');
is(json_body($e)->{error}{message}, 'the due date has passed',
    '...says the due date has passed');
$e = api(POST => $late_url, token => tok($stu_a),
    json => { content => 'A2' });
error_ok($e, 409, 'conflict', 'replacing after the due date');
is_deeply([sql("SELECT user_id, content FROM submissions"
    . " WHERE classwork_id = :'p1'", $quiz->{id})],
    [[$stu_a->{user}{id}, 'A1']], '...and nothing was written');
sql("UPDATE classwork SET due_at = now() + interval '1 hour'"
    . " WHERE id = :'p1'", $quiz->{id});
$r = api(POST => $late_url, token => tok($stu_b), json => { content => 'B1' });
is($r->{status}, 201, 'with the due date ahead again, B hands in');
sql("UPDATE classwork SET due_at = now() - interval '1 second'"
    . " WHERE id = :'p1'", $quiz->{id});
error_ok(api(POST => $late_url, token => tok($stu_b),
    json => { content => 'B2' }), 409, 'conflict',
    'a second after the due date it is closed');
$r = api(PATCH => "/api/classwork/$quiz->{id}", token => $atok,
    json => { due_at => undef });
$r = api(POST => $late_url, token => tok($stu_b), json => { content => 'B2' });
is($r->{status}, 200, 'clearing the due date opens it again');

# --- Concurrent hand-ins ------------------------------------------------

# Eight POSTs at once by one student: exactly one creates, the others
# replace, and one row is left (INSERT ... ON CONFLICT DO UPDATE).
my %kids;
for my $i (1 .. 8) {
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		my $res = api(POST => $sub_url, token => tok($stu_e),
		    json => { content => "Racer $i" });
		POSIX::_exit($res->{status} == 201 ? 1 :
		    $res->{status} == 200 ? 2 : 3);
	}
	$kids{$pid} = 1;
}
my %seen;
for my $pid (keys %kids) {
	waitpid($pid, 0);
	$seen{$? >> 8}++;
}
is_deeply(\%seen, { 1 => 1, 2 => 7 },
    'eight concurrent hand-ins: one 201, seven 200');
is(sql_one("SELECT count(*) FROM submissions WHERE classwork_id = :'p1'"
    . " AND user_id = :'p2' AND content LIKE 'Racer %'", $cwid,
    $stu_e->{user}{id}), 1, '...and one row');

# --- Delete ------------------------------------------------------------

error_ok(api(DELETE => "/api/classwork/$quiz->{id}", token => tok($stu_a)),
    403, 'forbidden', 'a student cannot delete classwork');
error_ok(api(DELETE => "/api/classwork/$quiz->{id}", token => tok($other)),
    403, 'forbidden', '...nor another teacher');
error_ok(api(DELETE => '/api/classwork/999999999', token => $atok), 404,
    'not_found', 'deleting unknown classwork is 404');
$r = api(DELETE => "/api/classwork/$quiz->{id}", token => $atok);
is($r->{status}, 204, 'the author deletes the quiz: 204');
is($r->{content} // '', '', '...with no body');
error_ok(api(GET => "/api/classwork/$quiz->{id}", token => $atok), 404,
    'not_found', '...and it is gone');
is(sql_one("SELECT count(*) FROM submissions WHERE classwork_id = :'p1'",
    $quiz->{id}), 0, '...with its submissions');
$r = api(DELETE => "/api/classwork/$admin_cw", token => tok($admin));
is($r->{status}, 204, 'an admin deletes classwork');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'classwork.delete'"
    . " AND target_id = :'p1'", $admin_cw), 1, '...audited');
is(sql_one("SELECT count(*) FROM classwork WHERE course_id = :'p1'", $cid), 1,
    'one piece of classwork is left');

done_testing();

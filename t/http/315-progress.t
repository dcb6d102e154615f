#!/usr/bin/perl
# lectern — progress: POST /api/lessons/{id}/complete and
# GET /api/courses/{id}/progress.  Only enrolled users, idempotent
# completion, and numbers that follow the course's lessons.
use strict;
use warnings;
use utf8;
use Test::More;
use Lectern::Test;

base_url();

my $author = user_with_role('teacher', tag => 'prog-auth');
my $atok = $author->{access_token};
my $admin = user_with_role('admin', tag => 'prog-adm');
my $learner = register_user(tag => 'prog-lrn');
my $ltok = $learner->{access_token};
my $lid = $learner->{user}{id};
my $outsider = register_user(tag => 'prog-out');
my $otok = $outsider->{access_token};

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

sub add_lesson {
	my ($cid, $title) = @_;
	my $r = api(POST => "/api/courses/$cid/lessons", token => $atok,
	    json => { title => $title, content => "About $title" });
	die "add lesson: $r->{status} $r->{content}\n"
	    unless $r->{status} == 201;
	return json_body($r)->{id};
}

sub complete {
	my ($lesson, $tok) = @_;
	return api(POST => "/api/lessons/$lesson/complete",
	    (defined $tok ? (token => $tok) : ()));
}

sub progress {
	my ($cid, $tok) = @_;
	return api(GET => "/api/courses/$cid/progress",
	    (defined $tok ? (token => $tok) : ()));
}

sub progress_is {
	my ($cid, $want, $what) = @_;
	my $r = progress($cid, $ltok);
	is($r->{status}, 200, "$what: progress answers 200")
	    or diag($r->{content});
	is_deeply(json_body($r), $want, "...$want->{completed} of"
	    . " $want->{total}, $want->{percent}%");
}

sub rows_of {
	my ($uid, $lesson) = @_;
	return sql_one("SELECT count(*) FROM lesson_progress"
	    . " WHERE user_id = :'p1' AND lesson_id = :'p2'", $uid, $lesson);
}

my $cid = new_course('Progress course', 1);
my @l = map { add_lesson($cid, "Lesson $_") } 1 .. 3;
enroll($lid, $cid);

# Before anything is done.
progress_is($cid, { completed => 0, total => 3, percent => 0 }, 'at the start');

# Complete, twice.
my $r = complete($l[0], $ltok);
is($r->{status}, 204, 'POST /api/lessons/{id}/complete answers 204')
    or diag($r->{content});
is(length($r->{content} // ''), 0, '...with no body');
is(rows_of($lid, $l[0]), 1, '...and one progress row');
my $first = sql_one("SELECT completed_at FROM lesson_progress"
    . " WHERE user_id = :'p1' AND lesson_id = :'p2'", $lid, $l[0]);
$r = complete($l[0], $ltok);
is($r->{status}, 204, 'completing it again answers 204');
is(rows_of($lid, $l[0]), 1, '...and there is still one row');
is(sql_one("SELECT completed_at FROM lesson_progress WHERE user_id = :'p1'"
    . " AND lesson_id = :'p2'", $lid, $l[0]), $first,
    '...with the first completion time');
progress_is($cid, { completed => 1, total => 3, percent => 33 },
    'one of three');
is(complete($l[1], $ltok)->{status}, 204, 'completing a second lesson');
progress_is($cid, { completed => 2, total => 3, percent => 66 },
    'two of three (percent rounds down)');

# Not enrolled: 403; not signed in: 401.
error_ok(complete($l[2], $otok), 403, 'forbidden',
    'completing as a student not enrolled');
is(rows_of($outsider->{user}{id}, $l[2]), 0, '...writes nothing');
error_ok(progress($cid, $otok), 403, 'forbidden',
    'progress as a student not enrolled');
error_ok(complete($l[2], $atok), 403, 'forbidden',
    'completing as the author, not enrolled');
error_ok(progress($cid, $admin->{access_token}), 403, 'forbidden',
    'progress as an admin, not enrolled');
my $rr = complete($l[2]);
error_ok($rr, 401, 'unauthorized', 'completing without a token');
error_ok(progress($cid), 401, 'unauthorized', 'progress without a token');

# The complete takes no body.
error_ok(api(POST => "/api/lessons/$l[2]/complete", token => $ltok,
    json => { done => 1 }), 400, 'validation_failed',
    'completing with a JSON body');
error_ok(api(POST => "/api/lessons/$l[2]/complete", token => $ltok,
    body => 'done', type => 'text/plain'), 415, 'unsupported_media_type',
    '...or with one that is not JSON');

# Unknown and invisible.
error_ok(complete(999999999, $ltok), 404, 'not_found',
    'completing an unknown lesson');
error_ok(progress(999999999, $ltok), 404, 'not_found',
    'the progress of an unknown course');
my $draft = new_course('Draft progress', 0);
my $ld = add_lesson($draft, 'Draft lesson');
error_ok(complete($ld, $otok), 404, 'not_found',
    'completing a lesson of a draft course');
error_ok(progress($draft, $otok), 404, 'not_found',
    'the progress of a draft course');
$r = api(GET => "/api/lessons/$l[0]/complete", token => $ltok);
error_ok($r, 405, 'method_not_allowed', 'GET .../complete');

# Deleting a completed lesson lowers both numbers.
is(api(DELETE => "/api/lessons/$l[0]", token => $atok)->{status}, 204,
    'the author deletes a completed lesson');
is(rows_of($lid, $l[0]), 0, '...its progress row goes with it');
progress_is($cid, { completed => 1, total => 2, percent => 50 },
    'after the delete');
# Deleting an unfinished one lowers only the total.
my $l4 = add_lesson($cid, 'Lesson 4');
progress_is($cid, { completed => 1, total => 3, percent => 33 },
    'after a new lesson');
is(complete($l[2], $ltok)->{status}, 204, 'completing another lesson');
is(complete($l4, $ltok)->{status}, 204, '...and the last one');
progress_is($cid, { completed => 3, total => 3, percent => 100 }, 'all done');
is(api(DELETE => "/api/lessons/$l4", token => $atok)->{status}, 204,
    'deleting a completed lesson');
progress_is($cid, { completed => 2, total => 2, percent => 100 },
    '...still all done');

# Others' progress does not count, and rows are the learner's own.
my $peer = register_user(tag => 'prog-peer');
enroll($peer->{user}{id}, $cid);
is(complete($l[1], $peer->{access_token})->{status}, 204,
    'another enrolled student completes a lesson');
$r = progress($cid, $peer->{access_token});
is_deeply(json_body($r), { completed => 1, total => 2, percent => 50 },
    '...and has progress of their own');
progress_is($cid, { completed => 2, total => 2, percent => 100 },
    'the first learner is unaffected');

# A revoked enrollment no longer counts.
sql("UPDATE enrollments SET status = 'revoked' WHERE user_id = :'p1'"
    . " AND course_id = :'p2'", $peer->{user}{id}, $cid);
error_ok(complete($l[2], $peer->{access_token}), 403, 'forbidden',
    'completing after the enrollment was revoked');
error_ok(progress($cid, $peer->{access_token}), 403, 'forbidden',
    '...and progress');

# A course without lessons.
my $empty = new_course('Empty course', 1);
enroll($lid, $empty);
progress_is($empty, { completed => 0, total => 0, percent => 0 },
    'a course without lessons');

# The author enrolled in their own course may track progress too.
enroll($author->{user}{id}, $cid);
is(complete($l[1], $atok)->{status}, 204, 'an enrolled author completes');
$r = progress($cid, $atok);
is_deeply(json_body($r), { completed => 1, total => 2, percent => 50 },
    '...and has progress');

done_testing();

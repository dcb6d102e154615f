#!/usr/bin/perl
# lectern — enrollments: POST /api/courses/{id}/enroll (free courses,
# idempotent and race-free; paid ones 402; drafts 404; revoked ones stay
# revoked), GET /api/enrollments (mine, with the course) and
# GET /api/courses/{id}/enrollments (the roster, author and admin only).
# Courses are made with SQL.
use strict;
use warnings;
use utf8;
use File::Temp ();
use POSIX ();
use Test::More;
use Lectern::Test;

base_url();

my $ts_re = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
my $author = user_with_role('teacher', tag => 'enr-auth');
my $atok = $author->{access_token};
my $aid = $author->{user}{id};
my $other = user_with_role('teacher', tag => 'enr-oth');
my $admin = user_with_role('admin', tag => 'enr-adm');
my $student = register_user(tag => 'enr-stu', name => 'Enrolling Student');
my $stok = $student->{access_token};
my $sid = $student->{user}{id};
my $second = register_user(tag => 'enr-two', name => 'Second Student');

# A course by the author: opt title, price_minor, published, archived.
sub new_course {
	my (%o) = @_;
	return sql_one("INSERT INTO courses (instructor_id, title, price_minor,"
	    . " published, archived) VALUES (:'p1', :'p2', :'p3', :'p4', :'p5')"
	    . " RETURNING id", $o{instructor} // $aid, $o{title} // 'A course',
	    $o{price} // 0, ($o{published} // 1) ? 'true' : 'false',
	    $o{archived} ? 'true' : 'false');
}

sub enroll {
	my ($cid, $tok) = @_;
	return api(POST => "/api/courses/$cid/enroll",
	    (defined $tok ? (token => $tok) : ()));
}

sub rows {
	my ($uid, $cid) = @_;
	return sql_one("SELECT count(*) FROM enrollments"
	    . " WHERE user_id = :'p1' AND course_id = :'p2'", $uid, $cid);
}

# Enrolling in a free course: 201, then 200 with the same enrollment.
my $free = new_course(title => 'Free “Algebra” for all');
my $r = enroll($free);
error_ok($r, 401, 'unauthorized', 'enrolling without a token');
is(rows($sid, $free), 0, '...enrolls nobody');

$r = enroll($free, $stok);
is($r->{status}, 201, 'enrolling in a free course answers 201')
    or diag($r->{content});
my $j = json_body($r);
my $e = $j->{enrollment} || {};
ok($e->{id} && $e->{id} =~ /^\d+$/, '...with the enrollment id as a number');
is($e->{course_id}, $free, '...its course');
is($e->{user_id}, $sid, '...the caller as its user');
is($e->{status}, 'active', '...status active');
is($e->{source}, 'free', '...source free');
like($e->{created_at} // '', $ts_re, '...created_at in RFC 3339 UTC');
is_deeply($j->{course}, { id => $free + 0, title => 'Free “Algebra” for all' },
    '...and the course {id, title}');
is($r->{headers}{location}, '/api/enrollments',
    '...Location names the caller\'s enrollments');
like($r->{headers}{'cache-control'} // '', qr/no-store/, '...not cached');
is(sql_one("SELECT status || ' ' || source FROM enrollments WHERE id = :'p1'",
    $e->{id}), 'active free', 'the row is an active, free enrollment');

$r = enroll($free, $stok);
is($r->{status}, 200, 'enrolling again answers 200') or diag($r->{content});
is(json_body($r)->{enrollment}{id}, $e->{id}, '...with the same enrollment');
is(json_body($r)->{course}{id}, $free, '...and its course');
ok(!defined $r->{headers}{location}, '...and no Location');
is(rows($sid, $free), 1, 'exactly one row for the student and the course');

# The enroll takes no body: one is refused before anything is written.
{
	my $nb = new_course(title => 'No body');
	my $tok = $second->{access_token};
	error_ok(api(POST => "/api/courses/$nb/enroll", token => $tok,
	    body => 'x', type => 'text/plain'), 415, 'unsupported_media_type',
	    'enrolling with a body that is not JSON');
	error_ok(api(POST => "/api/courses/$nb/enroll", token => $tok,
	    json => {}), 400, 'validation_failed', 'enrolling with a JSON body');
	is(rows($second->{user}{id}, $nb), 0, '...enrolls nobody');
}

# Ten at once, for a new student and course: one row, one 201, the rest
# 200, all naming it.  The children start together when the parent
# closes the pipe they wait on.
{
	my $racer = register_user(tag => 'enr-race');
	my $race = new_course(title => 'Race course');
	my $dir = File::Temp->newdir();
	pipe(my $go_r, my $go_w) or die "pipe: $!";
	my @pids;
	for my $i (1 .. 10) {
		my $pid = fork();
		die "fork: $!" unless defined $pid;
		if ($pid == 0) {
			close($go_w);
			my $buf;
			sysread($go_r, $buf, 1);	# EOF: go
			my $res = enroll($race, $racer->{access_token});
			my $id = eval { $res->{json}{enrollment}{id} } // '';
			if (open(my $fh, '>', "$dir/$i")) {
				print $fh "$res->{status} $id\n";
				close($fh);
			}
			POSIX::_exit(0);
		}
		push @pids, $pid;
	}
	close($go_r);
	close($go_w);
	waitpid($_, 0) for @pids;
	my (%status, %ids);
	for my $i (1 .. 10) {
		open(my $fh, '<', "$dir/$i") or next;
		my ($st, $id) = split ' ', scalar(<$fh>) // '';
		close($fh);
		$status{$st // 'none'}++;
		$ids{$id}++ if defined $id && length $id;
	}
	is(rows($racer->{user}{id}, $race), 1,
	    'ten parallel enrollments make exactly one row');
	is(($status{200} // 0) + ($status{201} // 0), 10,
	    '...every answer is 200 or 201')
	    or diag(explain(\%status));
	is($status{201} // 0, 1, '...exactly one of them 201');
	is(scalar(keys %ids), 1, '...all naming the same enrollment');
}

# A paid course: 402 and no row, until a payment has enrolled the user.
my $paid = new_course(title => 'Paid course', price => 49900);
$r = enroll($paid, $stok);
error_ok($r, 402, 'payment_required', 'enrolling in a paid course');
like(json_body($r)->{error}{message} // '', qr{/api/payments/create-order},
    '...pointing to POST /api/payments/create-order');
is(rows($sid, $paid), 0, '...and no row');
sql("INSERT INTO enrollments (user_id, course_id, source)"
    . " VALUES (:'p1', :'p2', 'payment')", $second->{user}{id}, $paid);
$r = enroll($paid, $second->{access_token});
is($r->{status}, 200, 'a paid course the user already paid for answers 200')
    or diag($r->{content});
is(json_body($r)->{enrollment}{source}, 'payment',
    '...with the enrollment the payment made');
is(rows($second->{user}{id}, $paid), 1, '...and still one row');

# Courses nobody may enroll in.
my $draft = new_course(title => 'Draft course', published => 0);
error_ok(enroll($draft, $stok), 404, 'not_found', 'enrolling in a draft');
error_ok(enroll($draft, $atok), 404, 'not_found',
    '...even for its author');
error_ok(enroll($draft, $admin->{access_token}), 404, 'not_found',
    '...or an admin');
is(sql_one("SELECT count(*) FROM enrollments WHERE course_id = :'p1'",
    $draft), 0, '...and no row');
error_ok(enroll(999999999999, $stok), 404, 'not_found',
    'enrolling in an unknown course');
error_ok(api(POST => '/api/courses/abc/enroll', token => $stok), 404,
    'not_found', 'an id that is not a number');
error_ok(api(GET => "/api/courses/$free/enroll", token => $stok), 405,
    'method_not_allowed', 'GET on the enroll path');

# A revoked enrollment stays revoked.
$r = enroll($free, $second->{access_token});
is($r->{status}, 201, 'a second student enrolls in the free course');
my $second_eid = json_body($r)->{enrollment}{id};
sql("UPDATE enrollments SET status = 'revoked' WHERE id = :'p1'", $second_eid);
$r = enroll($free, $second->{access_token});
error_ok($r, 403, 'forbidden', 're-enrolling after a revocation');
is(sql_one("SELECT status FROM enrollments WHERE id = :'p1'", $second_eid),
    'revoked', '...leaves it revoked');
is(rows($second->{user}{id}, $free), 1, '...and adds no row');

# GET /api/enrollments: mine, newest first, with the course summary.
my $later = new_course(title => 'Later course');
is(enroll($later, $stok)->{status}, 201, 'the student enrolls in another');
$r = api(GET => '/api/enrollments', token => $stok);
is($r->{status}, 200, 'GET /api/enrollments answers 200')
    or diag($r->{content});
$j = json_body($r);
is($j->{total}, 2, '...with the student\'s two enrollments');
is_deeply([map { $_->{course_id} } @{ $j->{items} || [] }], [$later, $free],
    '...newest first');
my ($item) = grep { $_->{course_id} == $free } @{ $j->{items} || [] };
is($item->{id}, $e->{id}, '...the free course\'s enrollment');
is($item->{user_id}, $sid, '...the caller\'s');
is($item->{status}, 'active', '...active');
like($item->{created_at} // '', $ts_re, '...with created_at');
is_deeply($item->{course}, { id => $free + 0,
    title => 'Free “Algebra” for all', price => '0.00', currency => 'INR',
    published => JSON::PP::true, archived => JSON::PP::false },
    '...and the course summary');
ok(!$j->{has_next} && !$j->{has_prev} && $j->{page} == 1
    && $j->{per_page} == 20 && $j->{total_pages} == 1,
    '...on one page of the default size');
like($r->{headers}{'cache-control'} // '', qr/no-store/, '...not cached');

$r = api(GET => '/api/enrollments?per_page=1&page=2', token => $stok);
$j = json_body($r);
is_deeply([map { $_->{course_id} } @{ $j->{items} || [] }], [$free],
    'page 2 of 1 per page holds the older one');
ok($j->{has_prev} && !$j->{has_next}, '...with has_prev, not has_next');
like($r->{headers}{link} // '', qr/rel="prev"/, '...and a Link to prev');
$r = api(GET => '/api/enrollments?page=9', token => $stok);
is_deeply(json_body($r)->{items}, [], 'a page past the end is empty');
is(json_body($r)->{total}, 2, '...and still says the total');
error_ok(api(GET => '/api/enrollments?per_page=0', token => $stok), 400,
    'validation_failed', 'per_page 0');
error_ok(api(GET => '/api/enrollments'), 401, 'unauthorized',
    'GET /api/enrollments without a token');

$r = api(GET => '/api/enrollments', token => $second->{access_token});
is_deeply([sort { $a <=> $b } map { $_->{course_id} }
    @{ json_body($r)->{items} || [] }], [sort { $a <=> $b } $free, $paid],
    'another student sees only their own (revoked ones too)');
my ($rev) = grep { $_->{course_id} == $free } @{ json_body($r)->{items} || [] };
is($rev->{status}, 'revoked', '...with the revoked status');
is(json_body($r)->{items}[0]{user_id}, $second->{user}{id},
    '...never the first student\'s');
$r = api(GET => '/api/enrollments', token => $other->{access_token});
is(json_body($r)->{total}, 0, 'a teacher with no enrollments has none');

# The roster: the author and admins; other callers 403 (or 404 when the
# course is hidden from them).
$r = api(GET => "/api/courses/$free/enrollments", token => $atok);
is($r->{status}, 200, 'the author reads the roster') or diag($r->{content});
$j = json_body($r);
is($j->{total}, 2, '...two students');
my ($entry) = grep { $_->{user}{id} == $sid } @{ $j->{items} || [] };
is_deeply($entry, { id => $e->{id} + 0,
    user => { id => $sid + 0, name => 'Enrolling Student',
    email => $student->{email} }, status => 'active', source => 'free',
    created_at => $e->{created_at} },
    '...each {id, user: {id, name, email}, status, source, created_at}');
is_deeply([map { $_->{id} } @{ $j->{items} }], [$e->{id}, $second_eid],
    '...in the order they enrolled');
$r = api(GET => "/api/courses/$free/enrollments", token => $admin->{access_token});
is($r->{status}, 200, 'an admin reads the roster');
is(json_body($r)->{total}, 2, '...all of it');
error_ok(api(GET => "/api/courses/$free/enrollments",
    token => $other->{access_token}), 403, 'forbidden',
    'another teacher reading the roster');
error_ok(api(GET => "/api/courses/$free/enrollments", token => $stok), 403,
    'forbidden', 'an enrolled student reading the roster');
error_ok(api(GET => "/api/courses/$free/enrollments"), 401, 'unauthorized',
    'the roster without a token');
error_ok(api(GET => "/api/courses/$draft/enrollments",
    token => $other->{access_token}), 404, 'not_found',
    'another teacher asking for a draft\'s roster');
$r = api(GET => "/api/courses/$draft/enrollments", token => $atok);
is($r->{status}, 200, '...which its author reads');
is(json_body($r)->{total}, 0, '...empty');
error_ok(api(GET => '/api/courses/999999999999/enrollments', token => $atok),
    404, 'not_found', 'the roster of an unknown course');

$r = api(GET => "/api/courses/$free/enrollments?status=revoked&per_page=1",
    token => $atok);
is_deeply([map { $_->{id} } @{ json_body($r)->{items} || [] }], [$second_eid],
    'status=revoked lists the revoked enrollment');
$r = api(GET => "/api/courses/$free/enrollments?status=active&per_page=1",
    token => $atok);
is_deeply([map { $_->{id} } @{ json_body($r)->{items} || [] }], [$e->{id}],
    'status=active the active one');
$r = api(GET => "/api/courses/$free/enrollments?per_page=1", token => $atok);
$j = json_body($r);
ok($j->{has_next} && $j->{total_pages} == 2, 'one per page: two pages');
like($r->{headers}{link} // '', qr/rel="next"/, '...and a Link to next');
error_ok(api(GET => "/api/courses/$free/enrollments?status=gone",
    token => $atok), 400, 'validation_failed', 'an unknown status');

# An archived course keeps its enrollments: still listed, flagged, and
# its roster still there for the author; nobody new gets in.
my $arch = new_course(title => 'Soon archived');
is(enroll($arch, $stok)->{status}, 201, 'the student enrolls in a course');
sql("UPDATE courses SET archived = true WHERE id = :'p1'", $arch);
is(rows($sid, $arch), 1, 'archiving the course keeps the enrollment');
$r = api(GET => '/api/enrollments', token => $stok);
($item) = grep { $_->{course_id} == $arch } @{ json_body($r)->{items} || [] };
ok($item, '...which GET /api/enrollments still lists');
ok($item && $item->{course}{archived}, '...with archived: true');
error_ok(enroll($arch, $second->{access_token}), 404, 'not_found',
    'nobody new enrolls in an archived course');
error_ok(enroll($arch, $stok), 404, 'not_found',
    '...nor re-enrolls');
$r = api(GET => "/api/courses/$arch/enrollments", token => $atok);
is(json_body($r)->{total}, 1, 'the author still reads its roster');
error_ok(api(GET => "/api/courses/$arch/enrollments",
    token => $other->{access_token}), 404, 'not_found',
    '...another teacher gets 404 for the archived course');

done_testing();

#!/usr/bin/perl
# lectern — courses (SPEC §4): GET and POST /api/courses, GET, PATCH and
# DELETE /api/courses/{id}, PUT /api/admin/courses/{id}/owner.  Who may
# see and change what, price and body validation, the list's filters and
# paging, archive-instead-of-delete, and the audited owner change.
use strict;
use warnings;
use utf8;
use Test::More;
use JSON::PP ();
use Lectern::Test;

base_url();

# A query string from pairs, percent-encoded.
sub qs {
	my @kv = @_;
	my @out;
	while (my ($k, $v) = splice(@kv, 0, 2)) {
		(my $e = $v) =~ s/([^A-Za-z0-9\-._~])/sprintf('%%%02X', ord($1))/ge;
		push @out, "$k=$e";
	}
	return '?' . join('&', @out);
}

sub field_error {
	my ($r, $field, $what) = @_;
	error_ok($r, 400, 'validation_failed', $what);
	ok(exists json_body($r)->{error}{fields}{$field}, "...names $field")
	    or diag($r->{content});
	return json_body($r)->{error}{fields}{$field};
}

# The ids of a list response's items.
sub ids { [map { $_->{id} } @{ json_body($_[0])->{items} || [] }] }

my $ts_re = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
my $tag = "crs$$" . time();
my $t1 = user_with_role('teacher', tag => 'crs-t1', name => 'Teacher One');
my $t2 = user_with_role('teacher', tag => 'crs-t2', name => 'Teacher Two');
my $ins = user_with_role('instructor', tag => 'crs-ins');
my $admin = user_with_role('admin', tag => 'crs-adm');
my $stu = register_user(tag => 'crs-stu');
my ($tok1, $tok2, $atok, $stok) = map { $_->{access_token} }
    ($t1, $t2, $admin, $stu);
my ($id1, $id2, $aid) = map { $_->{user}{id} } ($t1, $t2, $admin);

sub create {
	my ($tok, %body) = @_;
	return api(POST => '/api/courses', token => $tok, json => \%body);
}

# A course made by tok that must succeed; returns its JSON.
sub course_ok {
	my ($tok, %body) = @_;
	my $r = create($tok, %body);
	die "create: $r->{status} $r->{content}\n" unless $r->{status} == 201;
	return json_body($r);
}

# Creating: a draft with every member checked.
my $r = create($tok1, title => "  Draft $tag  ",
    description => "Line one\n\tLine two", price => '499');
is($r->{status}, 201, 'a teacher creates a course: 201');
my $c = json_body($r);
my $cid = $c->{id};
like($cid // '', qr/^\d+$/, '...with a numeric id');
is($r->{headers}{location}, "/api/courses/$cid", '...and Location');
is_deeply([sort keys %$c], [sort qw(id title description price currency
    published archived instructor created_at updated_at)],
    '...as the course object');
is($c->{title}, "Draft $tag", '...title trimmed');
is($c->{description}, "Line one\n\tLine two", '...multiline description');
is($c->{price}, '499.00', '...price as a two-decimal string');
is($c->{currency}, 'INR', '...currency INR by default');
ok(JSON::PP::is_bool($c->{published}) && !$c->{published},
    '...published false (a draft) by default');
ok(JSON::PP::is_bool($c->{archived}) && !$c->{archived}, '...not archived');
is_deeply($c->{instructor}, { id => $id1, name => 'Teacher One' },
    '...the caller as instructor {id, name}');
like($c->{created_at} // '', $ts_re, '...created_at RFC 3339');
like($c->{updated_at} // '', $ts_re, '...updated_at RFC 3339');
is_deeply([sql("SELECT instructor_id, price_minor, currency, published,"
    . " archived FROM courses WHERE id = :'p1'", $cid)],
    [[$id1, 49900, 'INR', 'f', 'f']], '...stored in minor units');

# A draft is the author's (and admins') only.
is(api(GET => "/api/courses/$cid", token => $tok1)->{status}, 200,
    'the author sees the draft');
is(api(GET => "/api/courses/$cid", token => $atok)->{status}, 200,
    '...and so does an admin');
error_ok(api(GET => "/api/courses/$cid"), 404, 'not_found',
    'the draft to an anonymous caller');
error_ok(api(GET => "/api/courses/$cid", token => $stok), 404, 'not_found',
    'the draft to a student');
error_ok(api(GET => "/api/courses/$cid", token => $tok2), 404, 'not_found',
    'the draft to another teacher');
is_deeply(ids(api(GET => '/api/courses' . qs(q => $tag))), [],
    'the draft is not in the anonymous list');
is_deeply(ids(api(GET => '/api/courses' . qs(q => $tag), token => $tok2)),
    [], '...nor in another teacher\'s');
is_deeply(ids(api(GET => '/api/courses' . qs(q => $tag), token => $tok1)),
    [], '...nor in the author\'s public list');
$r = api(GET => '/api/courses' . qs(mine => 'true'), token => $tok1);
is($r->{status}, 200, 'mine=true answers 200');
is_deeply(ids($r), [$cid], '...with the author\'s draft');
ok(!json_body($r)->{items}[0]{published}, '...flagged unpublished');
error_ok(api(PATCH => "/api/courses/$cid", token => $tok2,
    json => { title => 'Hijack' }), 404, 'not_found',
    'another teacher patching the draft');
error_ok(api(DELETE => "/api/courses/$cid", token => $tok2), 404,
    'not_found', 'another teacher deleting the draft');

# Publishing.
$r = api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { published => JSON::PP::true });
is($r->{status}, 200, 'the author publishes it: 200');
ok(json_body($r)->{published}, '...published true');
is(json_body($r)->{title}, "Draft $tag", '...the rest unchanged');
is(json_body($r)->{price}, '499.00', '...price unchanged');
is(api(GET => "/api/courses/$cid")->{status}, 200,
    'now an anonymous caller sees it');
is(api(GET => "/api/courses/$cid", token => $stok)->{status}, 200,
    '...and a student');
is(api(GET => "/api/courses/$cid", token => $tok2)->{status}, 200,
    '...and another teacher');
is_deeply(ids(api(GET => '/api/courses' . qs(q => $tag))), [$cid],
    '...and it is in the anonymous list');
is_deeply(ids(api(GET => '/api/courses' . qs(q => $tag), token => $stok)),
    [$cid], '...and in a student\'s');

# Who may not create or change.
error_ok(create($stok, title => 'Nope', price => '1'), 403, 'forbidden',
    'a student creating a course');
error_ok(create(undef, title => 'Nope', price => '1'), 401, 'unauthorized',
    'an anonymous caller creating a course');
is(sql_one("SELECT count(*) FROM courses WHERE title = 'Nope'"), 0,
    '...neither made a row');
error_ok(api(PATCH => "/api/courses/$cid", token => $tok2,
    json => { title => 'Hijack' }), 403, 'forbidden',
    'another teacher patching the published course');
error_ok(api(PATCH => "/api/courses/$cid", token => $stok,
    json => { title => 'Hijack' }), 403, 'forbidden', '...a student');
error_ok(api(PATCH => "/api/courses/$cid", json => { title => 'Hijack' }),
    401, 'unauthorized', '...an anonymous caller');
error_ok(api(DELETE => "/api/courses/$cid", token => $tok2), 403,
    'forbidden', 'another teacher deleting the published course');
error_ok(api(DELETE => "/api/courses/$cid", token => $stok), 403,
    'forbidden', '...a student');
error_ok(api(DELETE => "/api/courses/$cid"), 401, 'unauthorized',
    '...an anonymous caller');
is_deeply([sql("SELECT title, published FROM courses WHERE id = :'p1'",
    $cid)], [["Draft $tag", 't']], '...and the row is unchanged');
is(create(json_body(login_user($ins->{email}, $ins->{password}))
    ->{access_token}, title => "Ins $tag", price => '1')->{status}, 201,
    'an instructor creates a course');
is(create($atok, title => "Adm $tag", price => '1')->{status}, 201,
    '...and so does an admin');

# Price and body validation.
my $price_msg = 'must be a decimal string such as "499.00"';
for my $bad ('4.999', '-1', 'abc', '1e9', '1.', '.5', '+1', '1,5', '0x10',
    ' 1 2 ') {
	is(field_error(create($tok1, title => 'P', price => $bad), 'price',
	    "price \"$bad\""), $price_msg, '...with the decimal message');
}
for my $bad (1e9, 499, 4.99) {
	is(field_error(create($tok1, title => 'P', price => $bad), 'price',
	    "price as the JSON number $bad"), $price_msg,
	    '...with the decimal-string message');
}
field_error(create($tok1, title => 'P', price => '10000000.01'), 'price',
    'price "10000000.01" (over the maximum)');
field_error(create($tok1, title => 'P', price => '100000000'), 'price',
    'price "100000000"');
field_error(create($tok1, title => 'P', price => JSON::PP::true), 'price',
    'price true');
field_error(create($tok1, title => 'P'), 'price', 'no price');
field_error(create($tok1, title => 'P', price => ''), 'price',
    'an empty price');
for my $ok (['10000000.00', '10000000.00'], ['0', '0.00'],
    [' 12.5 ', '12.50'], ['0.01', '0.01']) {
	$r = create($tok1, title => "Price $tag", price => $ok->[0]);
	is($r->{status}, 201, "price \"$ok->[0]\" is fine");
	is(json_body($r)->{price}, $ok->[1], "...and reads $ok->[1]");
}
is(sql_one("SELECT count(*) FROM courses WHERE title = 'P'"), 0,
    'no refused course made a row');
field_error(create($tok1, price => '1'), 'title', 'no title');
field_error(create($tok1, title => '   ', price => '1'), 'title',
    'a blank title');
field_error(create($tok1, title => 'x' x 201, price => '1'), 'title',
    'a title of 201 characters');
is(create($tok1, title => 'é' x 200, price => '1')->{status}, 201,
    '...while 200 characters (not bytes) are fine');
field_error(create($tok1, title => "a\nb", price => '1'), 'title',
    'a title with a newline');
field_error(create($tok1, title => 'T', price => '1',
    description => 'd' x 20001), 'description', 'a description too long');
field_error(create($tok1, title => 'T', price => '1', currency => 'USD'),
    'currency', 'currency USD');
field_error(create($tok1, title => 'T', price => '1', currency => 'inr'),
    'currency', 'currency inr');
field_error(create($tok1, title => 'T', price => '1', published => 'yes'),
    'published', 'published "yes"');
field_error(create($tok1, title => 'T', price => '1',
    instructor_id => $id2), 'instructor_id', 'POST with instructor_id');
field_error(create($tok1, title => 'T', price => '1',
    archived => JSON::PP::true), 'archived', 'POST with archived');
$r = create($tok1, title => "Pub $tag", price => '1', currency => 'INR',
    published => JSON::PP::true);
ok($r->{status} == 201 && json_body($r)->{published},
    'POST with published true makes a published course');

# PATCH: what may not be changed, and partial changes.
my $before = join('|', map { @$_ } sql("SELECT instructor_id, title,"
    . " price_minor, published, archived, updated_at FROM courses"
    . " WHERE id = :'p1'", $cid));
field_error(api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { instructor_id => $id2 }), 'instructor_id',
    'PATCH {"instructor_id": X}');
field_error(api(PATCH => "/api/courses/$cid", token => $atok,
    json => { instructor_id => $id2 }), 'instructor_id',
    '...even by an admin');
field_error(api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { archived => JSON::PP::true }), 'archived', 'PATCH archived');
field_error(api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { id => 1 }), 'id', 'PATCH id');
field_error(api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { title => 'New', created_at => '2020-01-01T00:00:00Z' }),
    'created_at', 'PATCH created_at with a valid title');
field_error(api(PATCH => "/api/courses/$cid", token => $tok1, json => {}),
    'body', 'PATCH with nothing to change');
field_error(api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { price => 5 }), 'price', 'PATCH price as a number');
field_error(api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { title => JSON::PP::null }), 'title', 'PATCH title null');
error_ok(api(PATCH => "/api/courses/$cid", token => $tok1, body => '{',
    type => 'application/json'), 400, 'invalid_json', 'PATCH malformed JSON');
# The body is checked before any row is looked up or locked.
field_error(api(PATCH => '/api/courses/999999999', token => $tok1,
    json => { price => 5 }), 'price', 'a bad body for an unknown course');
field_error(api(PATCH => "/api/courses/$cid", token => $stok,
    json => { price => 5 }), 'price', '...or from a student');
error_ok(api(DELETE => "/api/courses/$cid", token => $tok1, json => {}),
    400, 'validation_failed', 'DELETE with a body');
is(join('|', map { @$_ } sql("SELECT instructor_id, title, price_minor,"
    . " published, archived, updated_at FROM courses WHERE id = :'p1'",
    $cid)), $before, '...and none of them changed the row');

$r = api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { title => "Renamed $tag", price => '5.5' });
is($r->{status}, 200, 'PATCH title and price: 200');
is(json_body($r)->{title}, "Renamed $tag", '...new title');
is(json_body($r)->{price}, '5.50', '...new price');
is(json_body($r)->{description}, "Line one\n\tLine two",
    '...description kept');
$r = api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { description => JSON::PP::null });
is(json_body($r)->{description}, '', 'PATCH description null clears it');
$r = api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { description => 'Back' });
$r = api(PATCH => "/api/courses/$cid", token => $tok1,
    json => { description => '' });
is(json_body($r)->{description}, '', '...and so does ""');
$r = api(PATCH => "/api/courses/$cid", token => $atok,
    json => { description => 'By the admin' });
is($r->{status}, 200, 'an admin patches another author\'s course');
is(json_body($r)->{instructor}{id}, $id1, '...which stays the author\'s');
is(sql_one("SELECT details->>'fields' FROM audit_logs WHERE action ="
    . " 'course.update' AND target_type = 'course' AND target_id = :'p1'"
    . " AND actor_user_id = :'p2'", $cid, $aid), '["description"]',
    '...audited as course.update with the fields given');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'course.update'"
    . " AND actor_user_id = :'p1'", $id1), 0,
    '...while the author\'s own changes are not audited');
my $none = sql_one('SELECT coalesce(max(id), 0) + 1000 FROM courses');
error_ok(api(GET => '/api/courses/abc'), 404, 'not_found', 'GET of course abc');
for my $bad ($none, '0', '007') {
	error_ok(api(GET => "/api/courses/$bad"), 404, 'not_found',
	    "GET of course $bad");
	error_ok(api(PATCH => "/api/courses/$bad", token => $tok1,
	    json => { title => 'X' }), 404, 'not_found',
	    "PATCH of course $bad");
	error_ok(api(DELETE => "/api/courses/$bad", token => $tok1), 404,
	    'not_found', "DELETE of course $bad");
}

# The list: filters.
my $ftag = "flt$$" . time();
my @a = map { course_ok($tok1, title => "Alpha $ftag $_", price => '10',
    published => JSON::PP::true)->{id} } 1 .. 2;
my @b = map { course_ok($tok2, title => "Beta $ftag $_", price => '10',
    published => JSON::PP::true)->{id} } 1 .. 2;
my $draft = course_ok($tok2, title => "Beta $ftag draft", price => '1')->{id};
$r = api(GET => '/api/courses' . qs(q => $ftag));
is($r->{status}, 200, 'the list answers 200');
is_deeply(ids($r), [reverse @a, @b], '...newest first, published only');
my $j = json_body($r);
is_deeply([@$j{qw(page per_page total total_pages)}], [1, 20, 4, 1],
    '...with page, per_page, total and total_pages');
ok(!$j->{has_next} && !$j->{has_prev}, '...neither next nor prev');
is_deeply(ids(api(GET => '/api/courses' . qs(q => uc("beta $ftag")))),
    [reverse @b], 'q is a case-insensitive title substring');
is_deeply(ids(api(GET => '/api/courses' . qs(q => $ftag,
    instructor_id => $id1))), [reverse @a], 'instructor_id filters by author');
is_deeply(ids(api(GET => '/api/courses' . qs(instructor_id => $id2,
    q => "Beta $ftag"))), [reverse @b],
    '...without showing the author\'s draft');
is_deeply(ids(api(GET => '/api/courses' . qs(q => $ftag, mine => 'true'),
    token => $tok2)), [$draft, reverse @b],
    'mine=true: the caller\'s own, drafts included');
is_deeply(ids(api(GET => '/api/courses' . qs(q => $ftag, mine => 'false'),
    token => $tok2)), [reverse @a, @b], 'mine=false is the public list');
is_deeply(ids(api(GET => '/api/courses' . qs(q => $ftag, mine => 'true'),
    token => $atok)), [], 'mine=true for an admin: only their own');
error_ok(api(GET => '/api/courses?mine=true'), 401, 'unauthorized',
    'mine=true without a token');
error_ok(api(GET => '/api/courses?mine=true', token => $stok), 403,
    'forbidden', 'mine=true for a student');
error_ok(api(GET => '/api/courses', token => 'not.a.token'), 401,
    'unauthorized', 'a bad token is 401, not anonymous');
field_error(api(GET => '/api/courses?mine=yes'), 'mine', 'mine=yes');
for my $bad ('abc', '0', '-1', '1.5') {
	field_error(api(GET => "/api/courses?instructor_id=$bad"),
	    'instructor_id', "instructor_id=$bad");
}
field_error(api(GET => '/api/courses' . qs(q => 'x' x 101)), 'q',
    'q of 101 characters');
is(api(GET => '/api/courses' . qs(q => 'x' x 100))->{status}, 200,
    '...while 100 are fine');
my $lit = course_ok($tok1, title => "Lit a%b_c\\d $ftag", price => '1',
    published => JSON::PP::true)->{id};
is_deeply(ids(api(GET => '/api/courses' . qs(q => 'A%B_C\\D'))), [$lit],
    'q with %, _ and \\ finds them literally');
for my $q ('a_b', 'a%c', 'b\\_c') {
	ok(!grep({ $_ == $lit } @{ ids(api(GET => '/api/courses'
	    . qs(q => $q))) }), "...and q=$q is no wildcard");
}
is_deeply(ids(api(GET => '/api/courses' . qs(q => "  Beta $ftag "))),
    [reverse @b], 'q is trimmed');

# Paging.
for my $bad ('per_page=0', 'per_page=101', 'page=0', 'page=abc',
    'per_page=abc', 'page=-1') {
	my ($f) = $bad =~ /^(\w+)=/;
	field_error(api(GET => "/api/courses?$bad"), $f, $bad);
}
error_ok(api(GET => '/api/courses?page=1&page=2'), 400, 'validation_failed',
    'page given twice');
my $ptag = "pg$$" . time();
my @p = map { course_ok($tok1, title => "Paged $ptag $_", price => '1',
    published => JSON::PP::true)->{id} } 1 .. 5;
$r = api(GET => '/api/courses' . qs(q => $ptag, per_page => 2));
$j = json_body($r);
is_deeply(ids($r), [@p[4, 3]], 'page 1 of 2 per page: the newest two');
is_deeply([@$j{qw(total total_pages)}], [5, 3], '...of 5 on 3 pages');
ok($j->{has_next} && !$j->{has_prev}, '...has_next, not has_prev');
like($r->{headers}{link} // '',
    qr/<[^>]*\/api\/courses\?q=\Q$ptag\E&page=2&per_page=2>; rel="next"/,
    '...Link rel="next" keeps q');
unlike($r->{headers}{link} // '', qr/rel="prev"/, '...and no rel="prev"');
$r = api(GET => '/api/courses' . qs(q => $ptag, per_page => 2, page => 2));
is_deeply(ids($r), [@p[2, 1]], 'page 2');
like($r->{headers}{link} // '', qr/page=3&per_page=2>; rel="next"/,
    '...Link rel="next"');
like($r->{headers}{link} // '', qr/page=1&per_page=2>; rel="prev"/,
    '...and rel="prev"');
$r = api(GET => '/api/courses' . qs(q => $ptag, per_page => 2, page => 3));
is_deeply(ids($r), [$p[0]], 'page 3: the oldest');
unlike($r->{headers}{link} // '', qr/rel="next"/, '...no rel="next"');
$r = api(GET => '/api/courses' . qs(q => $ptag, page => 9));
is($r->{status}, 200, 'a page past the end answers 200');
is_deeply(ids($r), [], '...with no items');
is(json_body($r)->{total}, 5, '...and the right total');

# DELETE: with an enrollment it is archived.
my $enr = course_ok($tok1, title => "Enrolled $tag", price => '0',
    published => JSON::PP::true)->{id};
sql("INSERT INTO enrollments (user_id, course_id) VALUES (:'p1', :'p2')",
    $stu->{user}{id}, $enr);
sql("INSERT INTO lessons (course_id, title, position) VALUES (:'p1', 'L', 1)",
    $enr);
$r = api(DELETE => "/api/courses/$enr", token => $tok1);
is($r->{status}, 204, 'deleting a course with an enrollment: 204');
is($r->{content} // '', '', '...with no body');
is_deeply([sql("SELECT published, archived FROM courses WHERE id = :'p1'",
    $enr)], [['f', 't']], '...archived and unpublished, not removed');
is(sql_one("SELECT count(*) FROM enrollments WHERE course_id = :'p1'", $enr),
    1, '...the enrollment kept');
is(sql_one("SELECT count(*) FROM lessons WHERE course_id = :'p1'", $enr), 1,
    '...and its lessons');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'course.archive'"
    . " AND target_id = :'p1' AND actor_user_id = :'p2'", $enr, $id1), 1,
    '...audited as course.archive');
error_ok(api(GET => "/api/courses/$enr"), 404, 'not_found',
    'the archived course to an anonymous caller');
error_ok(api(GET => "/api/courses/$enr", token => $stok), 404, 'not_found',
    '...and to the enrolled student');
ok(!grep({ $_ == $enr } @{ ids(api(GET => '/api/courses' . qs(q => $tag,
    per_page => 100))) }), '...gone from the list');
ok(!grep({ $_ == $enr } @{ ids(api(GET => '/api/courses' . qs(
    instructor_id => $id1, per_page => 100))) }),
    '...and from the author filter');
$r = api(GET => "/api/courses/$enr", token => $tok1);
ok($r->{status} == 200 && json_body($r)->{archived},
    '...while its author sees it, flagged archived');
$r = api(GET => '/api/courses' . qs(mine => 'true', q => "Enrolled $tag"),
    token => $tok1);
ok(json_body($r)->{items}[0]{archived} && !json_body($r)->{items}[0]{published},
    '...and in mine=true, flagged archived');
is(api(DELETE => "/api/courses/$enr", token => $tok1)->{status}, 204,
    'deleting it again is 204 for the author');
is(api(DELETE => "/api/courses/$enr", token => $atok)->{status}, 204,
    '...and for an admin');
error_ok(api(DELETE => "/api/courses/$enr", token => $tok2), 404,
    'not_found', '...and 404 for another teacher');
error_ok(api(DELETE => "/api/courses/$enr", token => $stok), 404,
    'not_found', '...and for the student');
is(sql_one("SELECT count(*) FROM courses WHERE id = :'p1'", $enr), 1,
    '...and the row is still there');
error_ok(api(PATCH => "/api/courses/$enr", token => $tok1,
    json => { published => JSON::PP::true }), 409, 'conflict',
    'an archived course cannot be republished');

my $rev = course_ok($tok1, title => "Revoked $tag", price => '1')->{id};
sql("INSERT INTO enrollments (user_id, course_id, status)"
    . " VALUES (:'p1', :'p2', 'revoked')", $stu->{user}{id}, $rev);
is(api(DELETE => "/api/courses/$rev", token => $tok1)->{status}, 204,
    'deleting a draft with a revoked enrollment: 204');
is(sql_one("SELECT archived FROM courses WHERE id = :'p1'", $rev), 't',
    '...archived too (any status counts)');

# A course with a payment order is archived too.  The author cannot see
# the student's order (row-level security), so for them it is the
# foreign key that says so; an admin sees it directly.
{
	for my $who ([$tok1, 'the author'], [$atok, 'an admin']) {
		my $paid = course_ok($tok1, title => "Ordered $tag",
		    price => '10', published => JSON::PP::true)->{id};
		sql("INSERT INTO payment_orders (user_id, course_id, amount,"
		    . " currency, provider_order_id) VALUES (:'p1', :'p2',"
		    . " 1000, 'INR', :'p3')", $stu->{user}{id}, $paid,
		    "order_$tag$paid");
		is(api(DELETE => "/api/courses/$paid", token => $who->[0])
		    ->{status}, 204,
		    "$who->[1] deletes a course with an order");
		is(sql_one("SELECT archived FROM courses WHERE id = :'p1'",
		    $paid), 't', '...which archives it');
		is(sql_one("SELECT count(*) FROM payment_orders"
		    . " WHERE course_id = :'p1'", $paid), 1,
		    '...and keeps the order');
		is(sql_one("SELECT count(*) FROM audit_logs WHERE action ="
		    . " 'course.archive' AND target_id = :'p1'", $paid), 1,
		    '...audited as course.archive');
	}
}

# DELETE without enrollments removes the row and what hangs off it.
my $gone = course_ok($tok1, title => "Gone $tag", price => '1',
    published => JSON::PP::true)->{id};
sql("INSERT INTO lessons (course_id, title, position) VALUES (:'p1', 'L', 1)",
    $gone);
sql("INSERT INTO classwork (course_id, title) VALUES (:'p1', 'C')", $gone);
is(api(DELETE => "/api/courses/$gone", token => $tok1)->{status}, 204,
    'deleting a course without enrollments: 204');
is(sql_one("SELECT count(*) FROM courses WHERE id = :'p1'", $gone), 0,
    '...removes the row');
is(sql_one("SELECT count(*) FROM lessons WHERE course_id = :'p1'", $gone), 0,
    '...and its lessons');
is(sql_one("SELECT count(*) FROM classwork WHERE course_id = :'p1'", $gone),
    0, '...and its classwork');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'course.delete'"
    . " AND target_id = :'p1' AND details->>'title' = :'p2'", $gone,
    "Gone $tag"), 1, '...audited as course.delete');
error_ok(api(GET => "/api/courses/$gone", token => $tok1), 404, 'not_found',
    '...then GET is 404');
error_ok(api(DELETE => "/api/courses/$gone", token => $tok1), 404,
    'not_found', '...and so is a second DELETE');
my $byadm = course_ok($tok2, title => "ByAdmin $tag", price => '1')->{id};
is(api(DELETE => "/api/courses/$byadm", token => $atok)->{status}, 204,
    'an admin deletes another author\'s draft');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'course.delete'"
    . " AND target_id = :'p1' AND actor_user_id = :'p2'"
    . " AND details->>'instructor_id' = :'p3'", $byadm, $aid, $id2), 1,
    '...audited with the admin as actor');

# PUT /api/admin/courses/{id}/owner.
my $own = course_ok($tok1, title => "Owned $tag", price => '1',
    published => JSON::PP::true)->{id};
my $opath = "/api/admin/courses/$own/owner";
error_ok(api(PUT => $opath, token => $tok1, json => { instructor_id => $id2 }),
    403, 'forbidden', 'the author reassigning their own course');
error_ok(api(PUT => $opath, json => { instructor_id => $id2 }), 401,
    'unauthorized', '...an anonymous caller');
$r = api(PUT => $opath, token => $atok, json => { instructor_id => $id2 });
is($r->{status}, 200, 'an admin reassigns the course: 200');
is_deeply(json_body($r)->{instructor}, { id => $id2, name => 'Teacher Two' },
    '...with the new instructor');
is(json_body($r)->{id}, $own, '...as the course object');
is(sql_one("SELECT instructor_id FROM courses WHERE id = :'p1'", $own), $id2,
    '...stored');
is_deeply([sql("SELECT actor_user_id, target_type, details->>'from',"
    . " details->>'to', request_id FROM audit_logs WHERE action ="
    . " 'course.owner_change' AND target_id = :'p1'", $own)],
    [[$aid, 'course', $id1, $id2, $r->{headers}{'x-request-id'}]],
    '...audited as course.owner_change {from, to}');
error_ok(api(PATCH => "/api/courses/$own", token => $tok1,
    json => { title => 'Mine?' }), 403, 'forbidden',
    'the old author may no longer change it');
is(api(PATCH => "/api/courses/$own", token => $tok2,
    json => { title => "Owned2 $tag" })->{status}, 200,
    '...the new one may');
is(api(PUT => $opath, token => $atok, json => { instructor_id => $id2 })
    ->{status}, 200, 'reassigning to the same owner: 200');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action ="
    . " 'course.owner_change' AND target_id = :'p1'", $own), 1,
    '...and audits nothing new');
my $off = user_with_role('teacher', tag => 'crs-off');
sql("UPDATE users SET is_active = false WHERE id = :'p1'", $off->{user}{id});
my $unused = sql_one('SELECT coalesce(max(id), 0) + 1000 FROM users');
for my $bad ([$stu->{user}{id}, 'a student'], [$off->{user}{id},
    'an inactive teacher'], [$unused, 'an unknown user']) {
	field_error(api(PUT => $opath, token => $atok,
	    json => { instructor_id => $bad->[0] }), 'instructor_id',
	    "reassigning to $bad->[1]");
}
field_error(api(PUT => $opath, token => $atok, json => {}), 'instructor_id',
    'no instructor_id');
field_error(api(PUT => $opath, token => $atok,
    json => { instructor_id => "$id1" }), 'instructor_id',
    'instructor_id as a string');
field_error(api(PUT => $opath, token => $atok,
    json => { instructor_id => $id1, title => 'x' }), 'title',
    'another member beside instructor_id');
is(sql_one("SELECT instructor_id FROM courses WHERE id = :'p1'", $own), $id2,
    '...none of which changed the owner');
error_ok(api(PUT => "/api/admin/courses/$none/owner", token => $atok,
    json => { instructor_id => $id1 }), 404, 'not_found',
    'reassigning an unknown course');
$r = api(PUT => "/api/admin/courses/$enr/owner", token => $atok,
    json => { instructor_id => $ins->{user}{id} });
is($r->{status}, 200, 'an archived course can be reassigned');
is(json_body($r)->{instructor}{id}, $ins->{user}{id}, '...to an instructor');
$r = api(GET => $opath, token => $atok);
is($r->{status}, 405, 'GET on the owner path is 405');

done_testing();

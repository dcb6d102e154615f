#!/usr/bin/perl
# lectern — certificates (SPEC §6.6): issued in the transaction that
# completes a course's last lesson (exactly once, also when completions
# race), or by the author or an admin; public verification by code with
# ETag/304, frozen and anonymised names, revocation, and the PDF (one A4
# landscape page whose text and QR code say what they should, in any
# script).
use strict;
use warnings;
use utf8;
use Encode qw(decode encode);
use File::Temp ();
use Test::More;
use Lectern::Test;

base_url();

my $code_re = qr/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

my $author = user_with_role('teacher', tag => 'cert-auth');
my $atok = $author->{access_token};
my $admin = user_with_role('admin', tag => 'cert-adm');
my $learner = register_user(tag => 'cert-lrn', name => 'Ada Lovelace');
my $ltok = $learner->{access_token};
my $lid = $learner->{user}{id};
my $outsider = register_user(tag => 'cert-out');
my $otok = $outsider->{access_token};

sub new_course {
	my ($title) = @_;
	return sql_one("INSERT INTO courses (instructor_id, title, price_minor,"
	    . " published) VALUES (:'p1', :'p2', 0, true) RETURNING id",
	    $author->{user}{id}, $title);
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

sub certs_of {
	my ($uid, $cid) = @_;
	return sql_one("SELECT count(*) FROM certificates"
	    . " WHERE user_id = :'p1' AND course_id = :'p2'", $uid, $cid);
}

# Run each of @reqs ([lesson id, token]) in a child of its own, all at
# once; returns their statuses.
sub race {
	my (@reqs) = @_;
	my @pids;
	pipe(my $go_r, my $go_w) or die "pipe: $!";
	my $out = File::Temp->new;
	for my $i (0 .. $#reqs) {
		my $pid = fork() // die "fork: $!";
		if ($pid == 0) {
			close($go_w);
			# Everyone waits for the same moment.
			sysread($go_r, my $x, 1);
			my $r = api(POST => "/api/lessons/$reqs[$i][0]/complete",
			    token => $reqs[$i][1]);
			open(my $fh, '>>', $out->filename) or exit 1;
			print $fh "$r->{status}\n";
			close($fh);
			exit 0;
		}
		push @pids, $pid;
	}
	close($go_r);
	close($go_w);
	waitpid($_, 0) for @pids;
	open(my $fh, '<', $out->filename) or die;
	chomp(my @st = <$fh>);
	return @st;
}

# Completing the last lesson issues the certificate; the one before it
# does not.
my $cid = new_course('Analytical Engines');
my @l = map { add_lesson($cid, "Engine lesson $_") } 1 .. 2;
enroll($lid, $cid);
is(api(POST => "/api/lessons/$l[0]/complete", token => $ltok)->{status},
    204, 'the first lesson is completed');
is(certs_of($lid, $cid), 0, '...and no certificate yet');
my @st = race(map { [$l[1], $ltok] } 1 .. 10);
is(scalar(grep { $_ == 204 } @st), 10,
    'ten completions of the last lesson at once all answer 204');
is(certs_of($lid, $cid), 1, '...and exactly one certificate is issued');
is(api(POST => "/api/lessons/$l[1]/complete", token => $ltok)->{status},
    204, 'completing it again answers 204');
is(certs_of($lid, $cid), 1, '...and issues nothing more');

# Two different last lessons completed at once: the later sees the
# earlier, so the course is still certified once.
my $cid2 = new_course('Difference Engines');
my @m = map { add_lesson($cid2, "Difference lesson $_") } 1 .. 3;
enroll($lid, $cid2);
api(POST => "/api/lessons/$m[0]/complete", token => $ltok);
@st = race((map { [$m[1], $ltok] } 1 .. 5), (map { [$m[2], $ltok] } 1 .. 5));
is(scalar(grep { $_ == 204 } @st), 10,
    'the two remaining lessons completed at once all answer 204');
is(certs_of($lid, $cid2), 1, '...and the course is certified exactly once');

# A course without lessons is never completed.
is(sql_one("SELECT lectern_course_done(:'p1', :'p2')",
    new_course('Empty course'), $lid), 'f',
    'a course without lessons is not complete');

# Mine.
my $r = api(GET => '/api/certificates', token => $ltok);
is($r->{status}, 200, 'GET /api/certificates answers 200');
my @items = @{ json_body($r)->{items} || [] };
is(scalar(@items), 2, '...with the two certificates');
my ($cert) = grep { $_->{course_id} == $cid } @items;
like($cert->{code}, $code_re, '...codes shown as XXXX-XXXX-XXXX');
is($cert->{student_name}, 'Ada Lovelace', '...the student name');
is($cert->{course_title}, 'Analytical Engines', '...the course title');
ok($cert->{valid}, '...valid');
like($cert->{issued_at}, qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    '...issued_at in RFC 3339 UTC');
my $code = $cert->{code};
like($cert->{verify_url}, qr{/verify/\Q$code\E$},
    '...and the verify URL ends in the code');
is(scalar(@{ json_body(api(GET => '/api/certificates',
    token => $otok))->{items} }), 0, 'someone else sees none of them');
is(api(GET => '/api/certificates')->{status}, 401,
    'the list needs a token');

# Public verification.
$r = api(GET => "/api/certificates/$code");
is($r->{status}, 200, 'GET /api/certificates/{code} answers anyone');
my $v = json_body($r);
is_deeply([ @$v{qw(valid code student_name course_title)} ],
    [ JSON::PP::true, $code, 'Ada Lovelace', 'Analytical Engines' ],
    '...valid, with the code, name and title');
ok(!exists $v->{revoked_at} && !exists $v->{reason},
    '...and no revocation');
my $etag = $r->{headers}{etag};
ok(defined $etag && $etag =~ /^"[0-9a-f]+"$/, '...with an ETag');
$r = api(GET => "/api/certificates/$code",
    headers => { 'If-None-Match' => $etag });
is($r->{status}, 304, 'If-None-Match with that ETag answers 304');
(my $loose = lc($code)) =~ s/-//g;
$r = api(GET => "/api/certificates/$loose");
is($r->{status}, 200, 'the code in lower case without dashes is found');
is(json_body($r)->{code}, $code, '...as the same certificate');
error_ok(api(GET => '/api/certificates/ZZZZ-ZZZZ-ZZZZ'), 404, 'not_found',
    'an unknown code');
error_ok(api(GET => '/api/certificates/not-a-code'), 404, 'not_found',
    'a malformed code');

# Name and title are those at issue time.
is(api(PATCH => '/api/auth/me', token => $ltok,
    json => { name => 'Augusta King' })->{status}, 200, 'the learner renames');
sql("UPDATE courses SET title = 'Engines, revised' WHERE id = :'p1'", $cid);
$v = json_body(api(GET => "/api/certificates/$code"));
is_deeply([ @$v{qw(student_name course_title)} ],
    [ 'Ada Lovelace', 'Analytical Engines' ],
    '...the certificate keeps the name and title of its issue');

# Issued by the author or an admin.
my $cid3 = new_course('Notes on the Engine');
add_lesson($cid3, 'Note G');
my $other = register_user(tag => 'cert-oth', name => 'Luigi Menabrea');
enroll($other->{user}{id}, $cid3);
error_ok(api(POST => "/api/courses/$cid3/certificates", token => $otok,
    json => { user_id => $other->{user}{id} }), 403, 'forbidden',
    'a user who does not author the course');
error_ok(api(POST => "/api/courses/$cid3/certificates", token => $atok,
    json => { user_id => $outsider->{user}{id} }), 400, 'validation_failed',
    'a user who is not enrolled');
error_ok(api(POST => "/api/courses/$cid3/certificates", token => $atok,
    json => { user_id => 'x' }), 400, 'validation_failed', 'a bad user_id');
$r = api(POST => "/api/courses/$cid3/certificates", token => $atok,
    json => { user_id => $other->{user}{id} });
is($r->{status}, 201, 'the author issues a certificate: 201');
my $c3 = json_body($r)->{code};
like($c3, $code_re, '...with a code');
is($r->{headers}{location}, "/api/certificates/$c3", '...and Location');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action ="
    . " 'certificate.issue' AND actor_user_id = :'p1'", $author->{user}{id}),
    1, '...audited');
$r = api(POST => "/api/courses/$cid3/certificates",
    token => $admin->{access_token}, json => { user_id => $other->{user}{id} });
is($r->{status}, 200, 'issuing it again answers 200');
is(json_body($r)->{code}, $c3, '...with the same certificate');

# The PDF.
my $tmp = File::Temp->newdir;
sub pdf_of {
	my ($c, $file) = @_;
	my $res = api(GET => "/api/certificates/$c/pdf");
	return $res unless $res->{status} == 200;
	open(my $fh, '>:raw', "$tmp/$file") or die;
	print $fh $res->{content};
	close($fh);
	return $res;
}
sub pdf_text {
	my ($file) = @_;
	my $t = `pdftotext -q '$tmp/$file' - 2>/dev/null`;
	$t = decode('UTF-8', $t);
	$t =~ s/\s+/ /g;
	return $t;
}
$r = pdf_of($code, 'a.pdf');
is($r->{status}, 200, 'GET /api/certificates/{code}/pdf answers 200');
like($r->{headers}{'content-type'} // '', qr{^application/pdf},
    '...as application/pdf');
like($r->{content}, qr/^%PDF-/, '...and it is a PDF');
my $info = `pdfinfo '$tmp/a.pdf' 2>&1`;
like($info, qr/^Pages:\s+1$/m, 'pdfinfo: one page');
my ($w, $h) = $info =~ /^Page size:\s+([\d.]+) x ([\d.]+) pts/m;
ok(defined $w && abs($w - 841.89) < 1 && abs($h - 595.28) < 1,
    '...A4 landscape (842 x 595 points)') or diag($info);
my $text = pdf_text('a.pdf');
like($text, qr/Ada Lovelace/, 'its text holds the name');
like($text, qr/Analytical Engines/, '...the course');
like($text, qr/\Q$code\E/, '...the code');
my $url = $cert->{verify_url};
like($text, qr/\Q$url\E/, '...and the verify URL');
system("pdftoppm -r 150 -png -singlefile '$tmp/a.pdf' '$tmp/a' >/dev/null 2>&1");
my $qr = `zbarimg -q --raw '$tmp/a.png' 2>/dev/null`;
chomp($qr);
is($qr, $url, 'the QR code decodes to the verify URL');
is(pdf_of($loose, 'b.pdf')->{status}, 200,
    'the PDF is found by the loose code too');
error_ok(api(GET => '/api/certificates/ZZZZ-ZZZZ-ZZZZ/pdf'), 404,
    'not_found', 'the PDF of an unknown code');

# Names in other scripts: shaped, with fallback fonts, still text.
for my $name ('王小明', 'अनु शर्मा', 'Иван Петров') {
	my $u = register_user(tag => 'cert-intl', name => $name);
	enroll($u->{user}{id}, $cid3);
	my $res = api(POST => "/api/courses/$cid3/certificates",
	    token => $atok, json => { user_id => $u->{user}{id} });
	my $c = json_body($res)->{code};
	is(pdf_of($c, 'intl.pdf')->{status}, 200, "the PDF for $name");
	my $t = pdf_text('intl.pdf');
	(my $want = $name) =~ s/\s+/ /g;
	ok(index($t, $want) >= 0, "...holds the name $name as text")
	    or diag(encode('UTF-8', $t));
}

# Revocation.
error_ok(api(POST => "/api/admin/certificates/$c3/revoke", token => $atok,
    json => { reason => 'plagiarism' }), 403, 'forbidden',
    'a teacher revokes');
error_ok(api(POST => "/api/admin/certificates/$c3/revoke",
    token => $admin->{access_token}, json => {}), 400, 'validation_failed',
    'a revocation without a reason');
error_ok(api(POST => '/api/admin/certificates/ZZZZ-ZZZZ-ZZZZ/revoke',
    token => $admin->{access_token}, json => { reason => 'x' }), 404,
    'not_found', 'revoking an unknown code');
$r = api(POST => "/api/admin/certificates/$c3/revoke",
    token => $admin->{access_token},
    json => { reason => 'Issued to the wrong person' });
is($r->{status}, 200, 'an admin revokes: 200');
ok(!json_body($r)->{valid}, '...valid is false');
$v = json_body(api(GET => "/api/certificates/$c3"));
ok(!$v->{valid}, 'the verification then says valid false');
is($v->{reason}, 'Issued to the wrong person', '...with the reason');
like($v->{revoked_at} // '', qr/Z$/, '...and when');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action ="
    . " 'certificate.revoke' AND target_id = (SELECT id::text FROM"
    . " certificates WHERE code = :'p1')", $c3 =~ s/-//gr), 1,
    '...audited');
error_ok(api(POST => "/api/admin/certificates/$c3/revoke",
    token => $admin->{access_token}, json => { reason => 'again' }), 409,
    'conflict', 'revoking it again');
error_ok(api(GET => "/api/certificates/$c3/pdf"), 404, 'not_found',
    'a revoked certificate has no PDF');

# Erasure anonymises the frozen name.
my $gone = register_user(tag => 'cert-gone', name => 'Charles Babbage');
enroll($gone->{user}{id}, $cid3);
my $cg = json_body(api(POST => "/api/courses/$cid3/certificates",
    token => $atok, json => { user_id => $gone->{user}{id} }))->{code};
is(json_body(api(GET => "/api/certificates/$cg"))->{student_name},
    'Charles Babbage', 'a certificate names its student');
is(api(DELETE => '/api/auth/me', token => $gone->{access_token},
    json => { password => $gone->{password} })->{status}, 204,
    'the student erases their account');
$v = json_body(api(GET => "/api/certificates/$cg"));
is($v->{student_name}, 'Deleted user', '...and the certificate no longer'
    . ' names them');
ok($v->{valid}, '...but stays valid for the record');
is(sql_one("SELECT count(*) FROM certificates WHERE student_name ="
    . " 'Charles Babbage'"), 0, '...nor does any row');

done_testing();

#!/usr/bin/perl
# lectern — uploads on the local backend (SPEC §6.1): sign, PUT, GET and
# DELETE; the name, type, content, size and quota rules; signatures
# bound to id, method and expiry; who may attach to what; attachments
# on lessons and submissions; files leave with their lesson; and a full
# disk leaves no partial file behind.
use strict;
use warnings;
use utf8;
use Test::More;
use Digest::SHA qw(sha256_hex);
use File::Find ();
use Lectern::Test;

base_url();
my $dir = $ENV{LECTERN_UPLOAD_DIR};
ok($dir && -d $dir, 'the upload directory exists') or BAIL_OUT('no upload dir');

my $author = user_with_role('teacher', tag => 'up-tch');
my $atok = $author->{access_token};
my $aid = $author->{user}{id};
my $stu = register_user(tag => 'up-stu');
my $stok = $stu->{access_token};
my $other = register_user(tag => 'up-oth');
my $otok = $other->{access_token};

my $author2 = user_with_role('teacher', tag => 'up-tch2');

sub new_course {
	my ($title, $by) = @_;
	return sql_one("INSERT INTO courses (instructor_id, title, published)"
	    . " VALUES (:'p1', :'p2', true) RETURNING id", $by // $aid,
	    $title) + 0;
}
my $cid = new_course('Uploads 101');
my $cid2 = new_course('Another course', $author2->{user}{id});
my $lid = sql_one("INSERT INTO lessons (course_id, title, position, content)"
    . " VALUES (:'p1', 'Slides', 1, 'see the slides') RETURNING id", $cid) + 0;
my $lid2 = sql_one("INSERT INTO lessons (course_id, title, position)"
    . " VALUES (:'p1', 'Elsewhere', 1) RETURNING id", $cid2) + 0;
my $cwid = sql_one("INSERT INTO classwork (course_id, title)"
    . " VALUES (:'p1', 'Essay') RETURNING id", $cid) + 0;
sql("INSERT INTO enrollments (user_id, course_id) VALUES (:'p1', :'p2')",
    $stu->{user}{id}, $cid);

# The files on disk, temporary ones included.
sub files {
	my @f;
	File::Find::find({ no_chdir => 1,
	    wanted => sub { push @f, $_ if -f $_ } }, $dir);
	my @s = sort @f;
	return @s;
}

# The path and query of a signed URL (its host is LECTERN_PUBLIC_URL's).
sub rel { my ($u) = @_; $u =~ s{^https?://[^/]+}{}; return $u }

sub sign {
	my (%b) = @_;
	my $tok = delete $b{token} // $atok;
	return api(POST => '/api/uploads/sign', token => $tok, json => \%b);
}

my $pdf = "%PDF-1.4\n" . join('', map { chr($_ % 256) } 0 .. 70000)
    . "\n%%EOF\n";

# 1. sign → PUT → GET round-trips a PDF.
my $r = sign(filename => "Week 1 — slides.pdf", content_type => 'application/pdf',
    size => length($pdf), purpose => 'lesson', target_id => $lid);
is($r->{status}, 201, 'a teacher signs an upload for their lesson')
    or diag($r->{content});
my $s = json_body($r);
my $up = $s->{upload};
is($up->{status}, 'pending', '...pending');
is($up->{size}, length($pdf), '...with its size');
like($r->{headers}{location}, qr{^/api/uploads/$up->{id}$}, '...and Location');
is($s->{put}{method}, 'PUT', '...to be PUT');
is($s->{put}{headers}{'Content-Type'}, 'application/pdf', '...with its type');
like($s->{put}{url}, qr{/api/uploads/$up->{id}\?expires=\d+&sig=[0-9a-f]{64}$},
    '...to a signed URL');
my $put = rel($s->{put}{url});
my @before = files();

$r = api(PUT => $put, body => $pdf, type => 'application/pdf');
is($r->{status}, 201, 'the PUT stores it') or diag($r->{content});
is(json_body($r)->{sha256}, sha256_hex($pdf), '...with the right SHA-256');
is(json_body($r)->{status}, 'ready', '...ready');
is(sql_one("SELECT status || ' ' || sha256 FROM uploads WHERE id = :'p1'",
    $up->{id}), 'ready ' . sha256_hex($pdf), '...and so says the row');
is(scalar(files()), scalar(@before) + 1, '...one file more on disk');
ok(!grep({ m{^\Q$dir\E/tmp/} } files()), '...and no temporary file left');

$r = api(PUT => $put, body => $pdf, type => 'application/pdf');
error_ok($r, 409, 'conflict', 'a second PUT');

$r = api(GET => "/api/uploads/$up->{id}", token => $atok);
is($r->{status}, 200, 'the owner reads the upload');
my $get = json_body($r)->{get};
like($get->{url} // '', qr{/api/uploads/$up->{id}/content\?expires=\d+&sig=},
    '...with a signed download URL');
$r = api(GET => rel($get->{url}));
is($r->{status}, 200, 'the download answers');
ok($r->{content} eq $pdf, '...byte for byte');
is($r->{headers}{'content-type'}, 'application/pdf', '...as application/pdf');
like($r->{headers}{'content-disposition'} // '',
    qr/^attachment; filename="Week 1 _+ slides\.pdf"; filename\*=UTF-8''Week%201%20%E2%80%94%20slides\.pdf$/,
    '...as an attachment (RFC 6266)');
is($r->{headers}{'x-content-type-options'}, 'nosniff', '...nosniff');
like($r->{headers}{'content-security-policy'} // '', qr/\bsandbox\b/,
    '...in a sandbox');

# Signatures: altered, expired, for another method or id.
(my $bad = rel($get->{url})) =~ s/sig=(.)/'sig=' . ($1 eq 'a' ? 'b' : 'a')/e;
error_ok(api(GET => $bad), 403, 'forbidden', 'an altered signature');
(my $exp = rel($get->{url})) =~ s/expires=(\d+)/'expires=' . ($1 + 1)/e;
error_ok(api(GET => $exp), 403, 'forbidden', 'an altered expiry');
(my $nosig = rel($get->{url})) =~ s/\?.*//;
error_ok(api(GET => $nosig), 403, 'forbidden', 'no signature');
(my $asput = $put) =~ s{\?}{/content?};
error_ok(api(GET => $asput), 403, 'forbidden', "the PUT's signature for a GET");

# 2. Refusals, with nothing stored.
my $n = sql_one("SELECT count(*) FROM uploads");
my %ok = (content_type => 'application/pdf', size => 100, purpose => 'lesson',
    target_id => $lid);
for my $case (['../x.pdf', 'dot-dot'], ['a/b.pdf', 'a slash'],
    ["a\\b.pdf", 'a backslash'], ["a\x01b.pdf", 'a control character'],
    [('a' x 252) . '.pdf', 'a 256-byte name'],
    ['x.html', '.html'], ['x.svg', '.svg'], ['x.exe', '.exe'],
    ['x.png', 'an extension of another type'], ['noext', 'no extension']) {
	error_ok(sign(%ok, filename => $case->[0]), 400, 'validation_failed',
	    "a filename with $case->[1]");
}
error_ok(api(POST => '/api/uploads/sign', token => $atok,
    body => '{"filename":"a\u0000b.pdf","content_type":"application/pdf",'
    . '"size":1,"purpose":"avatar"}', type => 'application/json'),
    400, 'validation_failed', 'a filename with NUL');
for my $t ('text/html', 'image/svg+xml', 'application/x-msdownload') {
	error_ok(sign(%ok, filename => 'x.pdf', content_type => $t), 400,
	    'validation_failed', "type $t");
}
error_ok(sign(%ok, filename => 'x.pdf', size => 50 * 1024 * 1024 + 1), 413,
    'payload_too_large', 'a size over the limit');
error_ok(sign(%ok, filename => 'x.pdf', purpose => 'homework'), 400,
    'validation_failed', 'an unknown purpose');
error_ok(sign(%ok, filename => 'x.pdf', target_id => undef), 400,
    'validation_failed', 'a lesson upload without a target');
error_ok(sign(%ok, filename => 'x.pdf', token => $stok), 403, 'forbidden',
    "a student attaching to a lesson");
error_ok(sign(%ok, filename => 'x.pdf', target_id => $lid2), 403, 'forbidden',
    "a teacher attaching to another course's lesson");
error_ok(sign(%ok, filename => 'x.pdf', purpose => 'submission',
    target_id => $cwid, token => $otok), 403, 'forbidden',
    'a student of another course handing in');
error_ok(sign(%ok, filename => 'x.pdf', purpose => 'ticket',
    target_id => 999999999, token => $otok), 404, 'not_found',
    "someone else's (or no) ticket");
error_ok(api(POST => '/api/uploads/sign', json => { %ok, filename => 'x.pdf' }),
    401, 'unauthorized', 'signing without a token');
# The quota counts pending and ready uploads.
sql("UPDATE uploads SET size = 1073741000 WHERE id = :'p1'", $up->{id});
error_ok(sign(%ok, filename => 'x.pdf', size => 1000), 413, 'quota_exceeded',
    'a file over the quota');
sql("UPDATE uploads SET size = :'p2' WHERE id = :'p1'", $up->{id}, length($pdf));
is(sql_one("SELECT count(*) FROM uploads"), $n, '...and none made a row');

# A .pdf whose bytes are HTML; the wrong type or length; an expired URL.
my $html = "<!DOCTYPE html><script>alert(1)</script>" . (' ' x 60);
$s = json_body(sign(%ok, filename => 'evil.pdf', size => length($html)));
$r = api(PUT => rel($s->{put}{url}), body => $html, type => 'application/pdf');
error_ok($r, 400, 'validation_failed', 'a .pdf whose bytes are HTML');
is(sql_one("SELECT status FROM uploads WHERE id = :'p1'", $s->{upload}{id}),
    'pending', '...the upload stays pending');
is(scalar(files()), scalar(@before) + 1, '...and no file is left');
$r = api(PUT => rel($s->{put}{url}), body => $html, type => 'text/html');
error_ok($r, 400, 'validation_failed', 'a PUT of another type');
$r = api(PUT => rel($s->{put}{url}), body => $html . 'x',
    type => 'application/pdf');
error_ok($r, 400, 'validation_failed', 'a PUT of another length');
(my $late = rel($s->{put}{url})) =~ s/sig=.*//;
error_ok(api(PUT => "${late}sig=" . ('0' x 64), body => $html,
    type => 'application/pdf'), 403, 'forbidden', 'a forged signature');
sql("UPDATE uploads SET created_at = created_at WHERE id = :'p1'", $s->{upload}{id});
is(scalar(files()), scalar(@before) + 1, 'nothing refused left a file');

# 3. Who sees an upload: not others; a lesson's readers once attached.
error_ok(api(GET => "/api/uploads/$up->{id}", token => $otok), 404,
    'not_found', 'a stranger does not see it');
error_ok(api(GET => "/api/uploads/$up->{id}", token => $stok), 404,
    'not_found', 'nor the enrolled student before it is attached');
$r = api(PATCH => "/api/lessons/$lid", token => $atok,
    json => { attachments => [$up->{id}] });
is($r->{status}, 200, 'the author attaches it to the lesson') or diag($r->{content});
is_deeply([map { $_->{id} } @{ json_body($r)->{attachments} || [] }],
    [$up->{id}], '...and the lesson lists it');
$r = api(GET => "/api/lessons/$lid", token => $stok);
my ($att) = @{ json_body($r)->{attachments} || [] };
is($att->{filename}, "Week 1 — slides.pdf", 'an enrolled student sees the attachment');
$r = api(GET => rel($att->{url} // ''));
ok($r->{status} == 200 && $r->{content} eq $pdf, '...and downloads it');
is(api(GET => "/api/uploads/$up->{id}", token => $stok)->{status}, 200,
    '...and reads the upload');
$r = api(GET => "/api/lessons/$lid", token => $otok);
ok(!exists json_body($r)->{attachments}, 'a stranger gets no attachments');
error_ok(api(PATCH => "/api/lessons/$lid", token => $atok,
    json => { attachments => [$s->{upload}{id}] }), 400, 'validation_failed',
    'a pending upload cannot be attached');

# 4. Submissions carry attachment_ids.
my $essay = "%PDF-1.7\nessay\n";
$s = json_body(sign(filename => 'essay.pdf', content_type => 'application/pdf',
    size => length($essay), purpose => 'submission', target_id => $cwid,
    token => $stok));
ok($s->{upload}, 'an enrolled student signs a submission file');
is(api(PUT => rel($s->{put}{url}), body => $essay,
    type => 'application/pdf')->{status}, 201, '...and uploads it');
$r = api(POST => "/api/classwork/$cwid/submissions", token => $stok,
    json => { content => 'see attached', attachment_ids => [$s->{upload}{id}] });
is($r->{status}, 201, 'the submission names it') or diag($r->{content});
is_deeply(json_body($r)->{attachment_ids}, [$s->{upload}{id}],
    '...in attachment_ids');
is(api(GET => "/api/uploads/$s->{upload}{id}", token => $atok)->{status}, 200,
    'the author reads the submitted file');
error_ok(api(POST => "/api/classwork/$cwid/submissions", token => $stok,
    json => { content => 'x', attachment_ids => [$up->{id}] }), 400,
    'validation_failed', "someone else's file cannot be handed in");

# 5. DELETE, and files that go with their lesson.
error_ok(api(DELETE => "/api/uploads/$up->{id}", token => $stok), 404,
    'not_found', 'a reader cannot delete it');
my $key = sql_one("SELECT storage_key FROM uploads WHERE id = :'p1'", $up->{id});
ok(-f "$dir/$key", 'the file is on disk');
is(api(DELETE => "/api/lessons/$lid", token => $atok)->{status}, 204,
    'the lesson is deleted');
ok(!-f "$dir/$key", '...and its file with it');
is(sql_one("SELECT count(*) FROM uploads WHERE id = :'p1'", $up->{id}), 0,
    '...and its row');
$key = sql_one("SELECT storage_key FROM uploads WHERE id = :'p1'",
    $s->{upload}{id});
error_ok(api(DELETE => "/api/uploads/$s->{upload}{id}", token => $otok), 404,
    'not_found', 'a stranger cannot delete a file');
is(api(DELETE => "/api/uploads/$s->{upload}{id}", token => $stok)->{status},
    204, 'the owner deletes theirs');
ok(!-f "$dir/$key", '...and the file is gone');

# 6. lectern-admin cleanup: pending over a day, orphaned files.
{
	my %av = (content_type => 'application/pdf', size => 100,
	    purpose => 'avatar');
	my $stale = json_body(sign(%av, filename => 'stale.pdf'))->{upload}{id};
	sql("UPDATE uploads SET created_at = now() - interval '25 hours'"
	    . " WHERE id = :'p1'", $stale);
	my $fresh = json_body(sign(%av, filename => 'fresh.pdf'))->{upload}{id};
	my $orphan = "$dir/" . ('ab' x 16);
	my $tmpf = "$dir/tmp/" . ('cd' x 16) . '.XXXXXX';
	for my $f ($orphan, $tmpf) {
		open(my $fh, '>', $f) or die "$f: $!";
		print $fh "left behind\n";
		close($fh);
		utime(time - 2 * 86400, time - 2 * 86400, $f);
	}
	my @kept = grep { !m{/tmp/} && $_ ne $orphan } files();
	my $bin = builddir() . '/bin/lectern-admin';
	my $out = `DATABASE_URL='$ENV{LECTERN_TEST_DATABASE_URL}' $bin cleanup 2>&1`;
	is($?, 0, 'lectern-admin cleanup runs') or diag($out);
	like($out, qr/^uploads \(pending over a day\): [1-9]\d* deleted$/m,
	    '...and gives up pending uploads');
	like($out, qr/^upload files: [1-9]\d* orphans deleted$/m,
	    '...and removes orphaned files');
	is(sql_one("SELECT count(*) FROM uploads WHERE id = :'p1'", $stale), 0,
	    'the stale upload is gone');
	is(sql_one("SELECT status FROM uploads WHERE id = :'p1'", $fresh),
	    'pending', 'a fresh one stays');
	ok(!-e $orphan && !-e $tmpf, 'the orphan and the dead temporary file are gone');
	ok(!grep({ !-e $_ } @kept), '...and every named file stays');
}

# 7. A full disk: 507, and nothing partial left.
SKIP: {
	my $small = $ENV{LECTERN_TEST_UPLOAD_SMALL};
	skip 'no small file system (scripts/test mounts one as root)', 5
	    unless $small;
	my $url = base_url('uploads_small');
	my $big = "%PDF-1.4\n" . ('x' x (400 * 1024));
	$r = api(POST => '/api/uploads/sign', token => $atok,
	    url => $url,
	    json => { filename => 'big.pdf', content_type => 'application/pdf',
	    size => length($big), purpose => 'avatar' });
	is($r->{status}, 201, 'an upload to the small disk is signed')
	    or diag($r->{content});
	$s = json_body($r);
	$r = api(PUT => rel($s->{put}{url}), url => $url,
	    body => $big, type => 'application/pdf');
	error_ok($r, 507, 'insufficient_storage', 'a file the disk cannot hold');
	my @left;
	File::Find::find({ no_chdir => 1,
	    wanted => sub { push @left, $_ if -f $_ } }, $small);
	is(scalar(@left), 0, '...leaves no partial file');
	is(sql_one("SELECT status FROM uploads WHERE id = :'p1'",
	    $s->{upload}{id}), 'pending', '...and the upload pending');
	my $tiny = "%PDF-1.4\nok\n";
	$s = json_body(api(POST => '/api/uploads/sign', token => $atok,
	    url => $url,
	    json => { filename => 'tiny.pdf', content_type => 'application/pdf',
	    size => length($tiny), purpose => 'avatar' }));
	is(api(PUT => rel($s->{put}{url}), url => $url,
	    body => $tiny, type => 'application/pdf')->{status},
	    201, '...while a file that fits still goes in');
}

done_testing();

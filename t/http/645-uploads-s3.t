#!/usr/bin/perl
# lectern — uploads on the S3 backend (SPEC §6.1): presigned PUT, GET and
# HEAD (AWS Signature V4, ours) against a loopback S3 stand-in that
# checks every signature with botocore (t/lib/s3-standin.py): sign, PUT
# to the store, complete, download; a tampered or expired URL is
# refused by the store, and completing before the PUT is 409.
use strict;
use warnings;
use Test::More;
use Digest::SHA qw(sha256_hex);
use HTTP::Tiny;
use JSON::PP;
use Lectern::Test;

my $url = base_url('uploads');
my $s3 = $ENV{LECTERN_TEST_S3_URL} or BAIL_OUT('LECTERN_TEST_S3_URL not set');
my $bucket = $ENV{LECTERN_S3_BUCKET};

my $u = register_user(tag => 'up-s3', url => $url);
my $tok = $u->{access_token};
my $http = HTTP::Tiny->new(timeout => 30, max_redirect => 0, keep_alive => 0);

sub s3 {
	my ($method, $to, $body, $type) = @_;
	return $http->request($method, $to, { ($body ? (content => $body) : ()),
	    headers => { ($type ? ('Content-Type' => $type) : ()) } });
}

my $png = "\x89PNG\r\n\x1a\n" . join('', map { chr(($_ * 7) % 256) } 1 .. 5000);

my $r = api(POST => '/api/uploads/sign', url => $url, token => $tok,
    json => { filename => 'me.png', content_type => 'image/png',
    size => length($png), purpose => 'avatar' });
is($r->{status}, 201, 'an avatar upload is signed') or diag($r->{content});
my $s = json_body($r);
my $id = $s->{upload}{id};
my $put = $s->{put}{url} // '';
like($put, qr{^\Q$s3\E/\Q$bucket\E/[0-9a-f]{32}\?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=[^&]+%2Fs3%2Faws4_request&X-Amz-Date=\d{8}T\d{6}Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=[0-9a-f]{64}$},
    '...to a path-style presigned S3 URL');
is(sql_one("SELECT backend FROM uploads WHERE id = :'p1'", $id), 's3',
    '...on the s3 backend');

# Completing before the object is there.
$r = api(POST => "/api/uploads/$id/complete", url => $url, token => $tok);
error_ok($r, 409, 'conflict', 'completing before the PUT');

# Tampered URLs are refused by the store (botocore's check).
(my $bad = $put) =~ s/X-Amz-Signature=(.)/'X-Amz-Signature=' . ($1 eq 'a' ? 'b' : 'a')/e;
my $res = s3(PUT => $bad, $png, 'image/png');
is($res->{status}, 403, 'the store refuses an altered signature');
like($res->{content}, qr/SignatureDoesNotMatch/, '...as SignatureDoesNotMatch');
(my $longer = $put) =~ s/X-Amz-Expires=900/X-Amz-Expires=9000/;
is(s3(PUT => $longer, $png, 'image/png')->{status}, 403,
    '...and a longer expiry');
(my $other = $put) =~ s{/([0-9a-f]{32})\?}{'/' . ('0' x 32) . '?'}e;
is(s3(PUT => $other, $png, 'image/png')->{status}, 403, '...and another key');
is(s3(GET => $put)->{status}, 403, '...and the PUT URL used for a GET');

# The real PUT, then complete.
$res = s3(PUT => $put, $png, 'image/png');
is($res->{status}, 200, 'the store takes the PUT with the presigned URL')
    or diag($res->{content});
$r = api(POST => "/api/uploads/$id/complete", url => $url, token => $tok);
is($r->{status}, 200, 'complete confirms it with a signed HEAD')
    or diag($r->{content});
is(json_body($r)->{status}, 'ready', '...and the upload is ready');
error_ok(api(POST => "/api/uploads/$id/complete", url => $url, token => $tok),
    409, 'conflict', 'completing twice');
my $o = register_user(tag => 'up-s3o', url => $url);
error_ok(api(POST => "/api/uploads/$id/complete", url => $url,
    token => $o->{access_token}), 404, 'not_found', "someone else's upload");

# The download is a presigned GET the store accepts.
$r = api(GET => "/api/uploads/$id", url => $url, token => $tok);
is($r->{status}, 200, 'the owner reads the upload');
my $get = json_body($r)->{get}{url} // '';
like($get, qr{^\Q$s3\E/\Q$bucket\E/[0-9a-f]{32}\?X-Amz-}, '...with a presigned GET');
$res = s3(GET => $get);
is($res->{status}, 200, 'the store serves it');
ok($res->{content} eq $png, '...byte for byte');
is(sha256_hex($res->{content}), sha256_hex($png), '...same SHA-256');

# A size the store disagrees with.
$s = json_body(api(POST => '/api/uploads/sign', url => $url, token => $tok,
    json => { filename => 'b.png', content_type => 'image/png', size => 100,
    purpose => 'avatar' }));
is(s3(PUT => $s->{put}{url}, substr($png, 0, 50), 'image/png')->{status}, 200,
    'a shorter object is stored');
error_ok(api(POST => "/api/uploads/$s->{upload}{id}/complete", url => $url,
    token => $tok), 400, 'validation_failed', '...and complete refuses it');

# The local backend has nothing to complete.
my $l = json_body(api(POST => '/api/uploads/sign', token => $tok,
    json => { filename => 'c.png', content_type => 'image/png', size => 10,
    purpose => 'avatar' }));
error_ok(api(POST => "/api/uploads/$l->{upload}{id}/complete", token => $tok),
    404, 'not_found', 'complete on the local backend');

done_testing();

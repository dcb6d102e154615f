#!/usr/bin/perl
# lectern — conditional GETs of the course list and a course (SPEC §2):
# an ETag over the whole body, If-None-Match answered with 304 and no
# body, public revalidation for anonymous callers and private no-store
# for signed-in ones, and a new ETag once the course changes.
use strict;
use warnings;
use Test::More;
use JSON::PP ();
use Lectern::Test;

base_url();

my $tag = "etag$$" . time();
my $teacher = user_with_role('teacher', tag => 'etag-t');
my $tok = $teacher->{access_token};
my $student = register_user(tag => 'etag-s');

sub course {
	my (%body) = @_;
	my $r = api(POST => '/api/courses', token => $tok, json => {
		price => '100', published => JSON::PP::true, %body });
	die "create: $r->{status} $r->{content}\n" unless $r->{status} == 201;
	return json_body($r)->{id};
}

sub inm { (headers => { 'If-None-Match' => $_[0] }) }

my $old = course(title => "Older $tag");
my $cid = course(title => "Cached $tag");
my $detail = "/api/courses/$cid";
my $list = "/api/courses?q=$tag&per_page=1";
my $etag_re = qr/^"[0-9a-f]{16}"$/;

# The detail.
my $r = api(GET => $detail);
is($r->{status}, 200, 'an anonymous GET of a course: 200');
my $etag = $r->{headers}{etag} // '';
like($etag, $etag_re, '...with a strong ETag');
is($r->{headers}{'cache-control'}, 'public, max-age=0, must-revalidate',
    '...public, revalidated every time');
like($r->{headers}{vary} // '', qr/Authorization/, '...Vary: Authorization');
is(api(GET => $detail)->{headers}{etag}, $etag,
    'the same course gives the same ETag');
$r = api(GET => $detail, inm($etag));
is($r->{status}, 304, 'If-None-Match with it: 304');
is($r->{content} // '', '', '...with an empty body');
is($r->{headers}{etag}, $etag, '...and the ETag again');
is(api(GET => $detail, inm("W/$etag"))->{status}, 304,
    '...a weak form of it matches too');
is(api(GET => $detail, inm("\"0000000000000000\", $etag"))->{status}, 304,
    '...and so does a list holding it');
is(api(GET => $detail, inm('*'))->{status}, 304, '...and *');
$r = api(GET => $detail, inm('"0000000000000000"'));
is($r->{status}, 200, 'another ETag: 200');
is(json_body($r)->{id}, $cid, '...with the course');

# Signed in: private, not stored, still revalidatable.
$r = api(GET => $detail, token => $student->{access_token});
is($r->{status}, 200, 'a signed-in GET: 200');
is($r->{headers}{'cache-control'}, 'private, no-store',
    '...private, no-store');
like($r->{headers}{etag} // '', $etag_re, '...with an ETag');
is(api(GET => $detail, token => $student->{access_token},
    inm($r->{headers}{etag}))->{status}, 304, '...that If-None-Match matches');

# The list.
$r = api(GET => $list);
is($r->{status}, 200, 'the anonymous list: 200');
my $letag = $r->{headers}{etag} // '';
like($letag, $etag_re, '...with an ETag');
isnt($letag, $etag, '...not the course\'s');
is($r->{headers}{'cache-control'}, 'public, max-age=0, must-revalidate',
    '...public, revalidated');
like($r->{headers}{link} // '', qr/rel="next"/, '...and its Link');
$r = api(GET => $list, inm($letag));
is($r->{status}, 304, 'If-None-Match with it: 304');
is($r->{content} // '', '', '...with an empty body');
is($r->{headers}{etag}, $letag, '...and the ETag again');
isnt(api(GET => "/api/courses?q=$tag&per_page=2")->{headers}{etag}, $letag,
    'another page size is another ETag');
$r = api(GET => "/api/courses?q=$tag&mine=true&per_page=1", token => $tok);
is($r->{headers}{'cache-control'}, 'private, no-store',
    'the signed-in list is private, no-store');
like($r->{headers}{etag} // '', $etag_re, '...with an ETag');

# The ETag covers the whole body: the envelope too.
is(api(DELETE => "/api/courses/$old", token => $tok)->{status}, 204,
    'removing the older course');
$r = api(GET => $list, inm($letag));
is($r->{status}, 200, '...changes the list (same item, new total): 200');
is(json_body($r)->{total}, 1, '...total 1');
is(json_body($r)->{items}[0]{id}, $cid, '...the same one item');
isnt($r->{headers}{etag}, $letag, '...under a new ETag');
$letag = $r->{headers}{etag};
is(api(GET => $detail, inm($etag))->{status}, 304,
    '...while the course itself is still 304');

# After a change the old ETags are stale.
is(api(PATCH => $detail, token => $tok,
    json => { title => "Changed $tag" })->{status}, 200, 'PATCHing the course');
$r = api(GET => $detail, inm($etag));
is($r->{status}, 200, 'the old ETag then gets 200');
is(json_body($r)->{title}, "Changed $tag", '...with the new title');
like($r->{headers}{etag} // '', $etag_re, '...and an ETag');
isnt($r->{headers}{etag}, $etag, '...a new one');
is(api(GET => $detail, inm($r->{headers}{etag}))->{status}, 304,
    '...which then gets 304');
$r = api(GET => $list, inm($letag));
is($r->{status}, 200, 'the list\'s old ETag gets 200 too');
isnt($r->{headers}{etag}, $letag, '...with a new ETag');

# Unpublishing: the anonymous caller's If-None-Match gets no 304.
is(api(PATCH => $detail, token => $tok,
    json => { published => JSON::PP::false })->{status}, 200,
    'unpublishing the course');
$r = api(GET => $detail, inm('*'));
is($r->{status}, 404, 'then an anonymous conditional GET is 404');

done_testing();

#!/usr/bin/perl
# lectern — an endpoint that takes no body refuses one: text is 415
# (unsupported_media_type), any JSON is 400, before any database work
# (so before authentication too: no token is needed to be refused).
# Every operation docs/openapi.yaml documents without a requestBody is
# tried, with ids that name nothing (the body is checked first) and its
# required query parameters given, so that the body is the one fault.
use strict;
use warnings;
use Test::More;
use Lectern::Test;
use Lectern::OpenAPI ();

base_url();
my $doc = Lectern::OpenAPI::document();

my @ops;
for my $path (sort keys %{ $doc->{paths} }) {
	for my $m (qw(get post put patch delete)) {
		my $op = $doc->{paths}{$path}{$m} or next;
		next if $op->{requestBody};
		(my $url = $path) =~ s/\{(?:id|\w+_id)\}/987654321/g;
		$url =~ s/\{\w+\}/nothing-here/g;
		my @req = map { $_->{name} } grep {
			ref $_ eq 'HASH' && ($_->{in} // '') eq 'query' &&
			$_->{required} } @{ $op->{parameters} || [] };
		$url .= '?' . join('&', map { "$_=x" } @req) if @req;
		push @ops, [uc($m), $path, $url];
	}
}
ok(scalar(grep { $_->[0] eq 'POST' } @ops) >= 1,
    'there are bodyless POST endpoints to try');
ok(scalar(grep { $_->[0] eq 'DELETE' } @ops) >= 3, '...and DELETE ones');

for my $o (@ops) {
	my ($m, $path, $url) = @$o;
	my $r = api($m, $url, body => 'hello', type => 'text/plain');
	error_ok($r, 415, 'unsupported_media_type', "$m $path with a text body");
	$r = api($m, $url, body => '{}', type => 'application/json');
	is($r->{status}, 400, "$m $path with the JSON body {}: 400")
	    or diag($r->{content});
	$r = api($m, $url, json => { title => 'x', course_id => 1 });
	is($r->{status}, 400, "$m $path with a JSON object: 400")
	    or diag($r->{content});
}

# And with a signed-in caller, on things that exist: still refused, and
# nothing happens.
my $t = user_with_role('teacher', tag => 'bodies-t');
my $s = register_user(tag => 'bodies-s');
my $cid = sql_one("INSERT INTO courses (instructor_id, title, published)"
    . " VALUES (:'p1', 'Bodies', true) RETURNING id", $t->{user}{id});
my $r = api(POST => "/api/courses/$cid/enroll", token => $s->{access_token},
    json => { status => 'active' });
is($r->{status}, 400, 'POST /api/courses/{id}/enroll with a JSON body: 400');
is(sql_one("SELECT count(*) FROM enrollments WHERE course_id = :'p1'", $cid),
    0, '...and no enrollment is made');
$r = api(DELETE => "/api/courses/$cid", token => $t->{access_token},
    body => 'please', type => 'text/plain');
error_ok($r, 415, 'unsupported_media_type',
    'DELETE /api/courses/{id} with a text body');
is(sql_one("SELECT archived FROM courses WHERE id = :'p1'", $cid), 'f',
    '...and the course is untouched');
$r = api(POST => "/api/courses/$cid/enroll", token => $s->{access_token});
is($r->{status}, 201, 'the same enrollment without a body: 201');

done_testing();

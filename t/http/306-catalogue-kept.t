#!/usr/bin/perl
# lectern — the catalogue pages a FastCGI worker keeps (shared/list.c,
# schema/015): a page is sent again only while the catalogue's version
# is unchanged, so every change the list shows (a course changed or
# removed, an instructor renamed, a change made in SQL) is seen by the
# next request, whichever worker answers it; pages are kept apart by
# request and caller.  Under plain CGI nothing is kept, and the same
# requests must give the same answers.
use strict;
use warnings;
use Test::More;
use JSON::PP ();
use Lectern::Test;

base_url();

my $mode = $ENV{LECTERN_TEST_CGI_MODE} || 'cgi';
my $tag = "kept$$" . time();
my $teacher = user_with_role('teacher', tag => 'kept-t');
my $other = user_with_role('teacher', tag => 'kept-o');
my $tok = $teacher->{access_token};
# Enough requests to reach every worker of the pool more than once.
my $n = 24;

sub course {
	my ($title) = @_;
	my $r = api(POST => '/api/courses', token => $tok, json => {
		price => '100', published => JSON::PP::true, title => $title });
	die "create: $r->{status} $r->{content}\n" unless $r->{status} == 201;
	return json_body($r)->{id};
}

# What $n anonymous GETs of $path saw: a count per distinct value of
# $pick (a sub of the response's JSON), and whether all were 200.
sub seen {
	my ($path, $pick) = @_;
	my (%seen, $bad);
	for (1 .. $n) {
		my $r = api(GET => $path);
		$bad++ if $r->{status} != 200;
		$seen{$pick->(json_body($r))}++;
	}
	return ($bad, \%seen);
}

sub titles { join '|', map { $_->{title} } @{ $_[0]{items} || [] } }

my @ids = map { course("Kept $tag $_") } 1 .. 3;
my $list = "/api/courses?q=$tag&per_page=2";

my ($bad, $seen) = seen($list, \&titles);
ok(!$bad, "$n anonymous GETs of a page: all 200");
is_deeply([keys %$seen], ["Kept $tag 3|Kept $tag 2"],
    '...every one the same two newest courses');

# Changes through the API.
is(api(PATCH => "/api/courses/$ids[2]", token => $tok,
    json => { title => "Kept $tag 3 renamed" })->{status}, 200,
    'renaming the newest course');
($bad, $seen) = seen($list, \&titles);
is_deeply([keys %$seen], ["Kept $tag 3 renamed|Kept $tag 2"],
    '...every GET after it shows the new title') or diag explain $seen;

is(api(PATCH => '/api/auth/me', token => $tok,
    json => { name => "Renamed $tag" })->{status}, 200,
    'the instructor renames themself');
($bad, $seen) = seen($list, sub {
	join '|', map { $_->{instructor}{name} } @{ $_[0]{items} } });
is_deeply([keys %$seen], ["Renamed $tag|Renamed $tag"],
    '...every GET after it shows the instructor\'s new name')
    or diag explain $seen;

is(api(DELETE => "/api/courses/$ids[2]", token => $tok)->{status}, 204,
    'removing the newest course');
($bad, $seen) = seen($list, sub { titles($_[0]) . " total=$_[0]{total}" });
is_deeply([keys %$seen], ["Kept $tag 2|Kept $tag 1 total=2"],
    '...every GET after it shows the two left and the new total')
    or diag explain $seen;

# A change made in SQL moves the version as well.
sql("UPDATE courses SET title = 'Kept $tag 2 by SQL' WHERE id = $ids[1]");
($bad, $seen) = seen($list, \&titles);
is_deeply([keys %$seen], ["Kept $tag 2 by SQL|Kept $tag 1"],
    'a change made in SQL shows at once') or diag explain $seen;

# With the version held still (triggers off for one session), a kept
# page is what a worker sends: under FastCGI some GETs still show the
# old title; under CGI, where nothing is kept, none does.  Moving the
# version then brings every worker to the new one.
# (Tried again should anything else move the version meanwhile.)
my $unseen;
for my $try (1 .. 5) {
	my $v0 = sql_one('SELECT v FROM catalogue_version');
	seen($list, \&titles);
	$unseen = "Kept $tag 1 unseen $try";
	sql("SET session_replication_role = replica; UPDATE courses"
	    . " SET title = '$unseen' WHERE id = $ids[0]");
	($bad, $seen) = seen($list, \&titles);
	last if sql_one('SELECT v FROM catalogue_version') eq $v0;
	diag("the version moved during try $try");
}
if ($mode eq 'fastcgi') {
	ok(grep({ $_ ne "Kept $tag 2 by SQL|$unseen" } keys %$seen),
	    'FastCGI: with the version unchanged, workers send the page'
	    . ' they kept') or diag explain $seen;
} else {
	is_deeply([keys %$seen], ["Kept $tag 2 by SQL|$unseen"],
	    'CGI: nothing is kept, every GET reads the change')
	    or diag explain $seen;
}
sql('UPDATE catalogue_version SET v = txid_current()');
($bad, $seen) = seen($list, \&titles);
is_deeply([keys %$seen], ["Kept $tag 2 by SQL|$unseen"],
    'once the version moves, every GET shows the change')
    or diag explain $seen;

# Pages are kept apart: by page, with their own Link headers...
my $one = "/api/courses?q=$tag&per_page=1";
my ($p1, $p2);
for (1 .. 4) {
	$p1 = api(GET => "$one&page=1");
	$p2 = api(GET => "$one&page=2");
}
is(titles(json_body($p1)), "Kept $tag 2 by SQL",
    'page 1, asked again and again, is page 1');
like($p1->{headers}{link} // '', qr/page=2&per_page=1>; rel="next"/,
    '...with its own Link');
is(titles(json_body($p2)), $unseen, 'page 2 is page 2');
like($p2->{headers}{link} // '', qr/page=1&per_page=1>; rel="prev"/,
    '...with its own Link');
my $etag = $p1->{headers}{etag};
is(api(GET => "$one&page=1", headers => { 'If-None-Match' => $etag })
    ->{status}, 304, 'a kept page still answers If-None-Match with 304');

# A server whose schema lacks the version row (binaries updated before
# the migration ran) reads the list every time instead of failing.
sql('ALTER TABLE catalogue_version RENAME TO catalogue_version_gone');
($bad, $seen) = seen($list, \&titles);
sql('ALTER TABLE catalogue_version_gone RENAME TO catalogue_version');
ok(!$bad, 'without the version row every GET of the list is still 200');
is_deeply([keys %$seen], ["Kept $tag 2 by SQL|$unseen"],
    '...with the list as it is') or diag explain $seen;

# ...and by caller: the same mine=true URL for two teachers.
my $mine = "/api/courses?mine=true&q=$tag";
for (1 .. 4) {
	my $a = api(GET => $mine, token => $tok);
	my $b = api(GET => $mine, token => $other->{access_token});
	is(json_body($a)->{total}, 2, "mine=true, round $_: the author's two")
	    or diag explain json_body($a);
	is(json_body($b)->{total}, 0, '...and none for another teacher')
	    or diag explain json_body($b);
}

done_testing();

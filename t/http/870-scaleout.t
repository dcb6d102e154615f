#!/usr/bin/perl
# lectern — scale-out rehearsal (SPEC §13): two Apache nodes on their
# own loopback ports over one PostgreSQL primary and a streaming replica
# of it (t/lib/scaleout).  Nothing holds state outside PostgreSQL, so a
# logout on one node holds on the other at once and the sign-in limits
# count across both; anonymous catalogue and certificate reads go to
# the replica (LECTERN_DATABASE_READ_URL), still answer from the
# primary when the replica stops, and no write ever reaches it.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use Lectern::Test;

base_url();
my $tmp = $ENV{LECTERN_TEST_TMPDIR} && $ENV{LECTERN_TEST_PG_DIR}
    or plan(skip_all => 'LECTERN_TEST_TMPDIR not set (run scripts/test)');
my $dir = "$ENV{LECTERN_TEST_TMPDIR}/scaleout";
my $helper = srcdir() . '/t/lib/scaleout';

system($helper, 'start', $dir) == 0
    or BAIL_OUT('the scale-out servers did not start');
END { system($helper, 'stop', $dir) if $dir && -d $dir }

my %env;
open(my $fh, '<', "$dir/env") or BAIL_OUT("$dir/env: $!");
while (<$fh>) {
	$env{$1} = $2 if /^export (\w+)=(\S+)$/;
}
close($fh);
my ($A, $B) = @env{qw(SCALEOUT_URL_A SCALEOUT_URL_B)};
ok($A && $B && $A ne $B, 'two nodes on their own ports');

# psql on the replica as the superuser.
(my $replica_db = $ENV{LECTERN_TEST_DATABASE_URL})
    =~ s/:\d+\//:$env{SCALEOUT_REPLICA_PORT}\//;
sub replica_sql {
	my ($q) = @_;
	my $out = `psql -X -q -At -v ON_ERROR_STOP=1 -d '$replica_db' -c "$q"`;
	chomp $out;
	return $out;
}
is(replica_sql('SELECT pg_is_in_recovery()'), 't',
    'the replica is a standby');

# Wait (at most 10 s) until f returns true.
sub eventually {
	my ($f) = @_;
	for (1 .. 100) {
		return 1 if $f->();
		sleep(0.1);
	}
	return 0;
}

# Writes go through a node to the primary.
my $t = user_with_role('teacher', tag => 'scale-t');
my $r = api(POST => '/api/courses', url => $A, token => $t->{access_token},
    json => { title => "Scale $$", price => '0' });
is($r->{status}, 201, 'a course is created through node A');
my $cid = json_body($r)->{id};
sql("UPDATE courses SET published = true WHERE id = :'p1'", $cid);
ok(eventually(sub {
	api(GET => "/api/courses/$cid", url => $B)->{status} == 200
}), '...and node B shows it once the replica has it');

# With replay paused, the replica lags: anonymous reads show the old
# title, a signed-in caller (who reads the primary) the new one.
replica_sql('SELECT pg_wal_replay_pause()');
sql("UPDATE courses SET title = 'Renamed $$' WHERE id = :'p1'", $cid);
for my $node ($A, $B) {
	my $name = $node eq $A ? 'A' : 'B';
	is(json_body(api(GET => "/api/courses/$cid", url => $node))->{title},
	    "Scale $$", "node $name: an anonymous read comes from the replica");
	my $list = json_body(api(GET => "/api/courses?q=Scale+$$",
	    url => $node));
	is(scalar(@{ $list->{items} || $list->{data} || [] }), 1,
	    "node $name: ...and so does the catalogue");
	is(json_body(api(GET => "/api/courses/$cid", url => $node,
	    token => $t->{access_token}))->{title}, "Renamed $$",
	    "node $name: a signed-in read comes from the primary");
}
replica_sql('SELECT pg_wal_replay_resume()');
ok(eventually(sub {
	(json_body(api(GET => "/api/courses/$cid", url => $A))->{title} // '')
	    eq "Renamed $$"
}), 'replay resumed: the replica catches up');

# A certificate, verified on both nodes.
my @abc = split //, '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
my $code = join '', map { $abc[int(rand(@abc))] } 1 .. 12;
sql("INSERT INTO certificates (code, user_id, course_id, student_name,"
    . " course_title) VALUES (:'p1', :'p2', :'p3', 'Scale Learner',"
    . " 'Scale Course')", $code, $t->{user}{id}, $cid);
ok(eventually(sub {
	api(GET => "/api/certificates/$code", url => $B)->{status} == 200
}), 'a certificate verifies on node B from the replica');
is(api(GET => "/api/certificates/$code", url => $A)->{status}, 200,
    '...and on node A');

# A logout on node A holds on node B at once.
my $u = register_user(tag => 'scale-u', url => $A);
is(api(GET => '/api/auth/me', url => $B, token => $u->{access_token})
    ->{status}, 200, 'a token from node A works on node B');
is(api(POST => '/api/auth/logout', url => $A,
    token => $u->{access_token})->{status}, 204, 'logout on node A');
error_ok(api(GET => '/api/auth/me', url => $B,
    token => $u->{access_token}), 401, 'unauthorized',
    'the access token on node B right after');
error_ok(api(POST => '/api/auth/refresh', url => $B,
    json => { refresh_token => $u->{refresh_token} }), 401, 'unauthorized',
    'the refresh token on node B right after');

# The sign-in limit (4 a minute on these nodes) counts on both.
my $victim = register_user(tag => 'scale-rl');
my @left;
for my $node ($A, $B, $A, $B) {
	my $res = login_user($victim->{email}, 'Wrong-password-' . $$,
	    url => $node, from => '127.0.0.213');
	push @left, $res->{headers}{'x-ratelimit-remaining'} // 'none';
}
is_deeply(\@left, [3, 2, 1, 0], 'sign-ins alternate between the nodes'
    . ' and count in one place');
error_ok(login_user($victim->{email}, $victim->{password}, url => $B,
    from => '127.0.0.213'), 429, 'rate_limited', 'the fifth, on node B');
error_ok(login_user($victim->{email}, $victim->{password}, url => $A,
    from => '127.0.0.213'), 429, 'rate_limited', '...and on node A');

# What reached the replica: the public reads, and not one write.
my $log = do {
	local $/;
	open(my $lf, '<', $env{SCALEOUT_REPLICA_LOG})
	    or BAIL_OUT("replica log: $!");
	<$lf>;
};
my @app = grep { /lectern_app\@lectern .*(?:statement|execute [^:]*): / } split /\n/, $log;
ok((grep { /FROM courses c/ } @app), 'the catalogue was read on the replica');
ok((grep { /lectern_certificate_by_code/ } @app),
    '...and so was the certificate');
my @writes = grep { /\b(INSERT|UPDATE|DELETE)\b/i } @app;
is(scalar(@writes), 0, 'no write reached the replica')
    or diag(join("\n", @writes[0 .. ($#writes < 4 ? $#writes : 4)]));
unlike($log, qr/read-only transaction/,
    '...not even one that failed there');
unlike(join("\n", @app), qr/rate_limits|revoked_tokens|sessions/,
    'tokens and limits are never read from the replica');

# The replica stops: the same reads answer from the primary.
system($helper, 'replica-stop', $dir) == 0 or BAIL_OUT('replica-stop');
for my $node ($A, $B, $A, $B) {
	my $name = $node eq $A ? 'A' : 'B';
	my $res = api(GET => "/api/courses/$cid", url => $node);
	is($res->{status}, 200, "replica stopped: node $name still answers");
	is(json_body($res)->{title}, "Renamed $$", '...from the primary');
	is(api(GET => "/api/courses?q=Scale+$$", url => $node)->{status}, 200,
	    '...the catalogue too');
	is(api(GET => "/api/certificates/$code", url => $node)->{status}, 200,
	    '...and certificate verification');
}

done_testing();

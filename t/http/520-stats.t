#!/usr/bin/perl
# lectern — GET /api/admin/stats: the admin dashboard's figures (users by
# role, active enrollments, revenue by month and method, completion per
# course), for admins only.  The plans of its queries are checked in
# t/schema/180-live-indexes.sql.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();

my $admin = user_with_role('admin', tag => 'stat-adm');
my $tok = $admin->{access_token};
my $teacher = user_with_role('teacher', tag => 'stat-t');
my $student = register_user(tag => 'stat-s');

is(api(GET => '/api/admin/stats')->{status}, 401, 'no token: 401');
error_ok(api(GET => '/api/admin/stats', token => $student->{access_token}),
    403, 'forbidden', 'a student');
error_ok(api(GET => '/api/admin/stats', token => $teacher->{access_token}),
    403, 'forbidden', 'a teacher');
error_ok(api(GET => '/api/admin/stats?per_page=1000', token => $tok), 400,
    'validation_failed', 'a bad per_page');

# A course of the teacher's with two learners, one certified, and a paid
# payment of each method this month.
my $cid = sql_one("INSERT INTO courses (instructor_id, title, price_minor,"
    . " published) VALUES (:'p1', 'Stats course', 50000, true)"
    . " RETURNING id", $teacher->{user}{id});
my $other = register_user(tag => 'stat-o');
for my $u ($student->{user}{id}, $other->{user}{id}) {
	sql("INSERT INTO enrollments (user_id, course_id, status, source)"
	    . " VALUES (:'p1', :'p2', 'active', 'manual')", $u, $cid);
}
sql("INSERT INTO certificates (code, user_id, course_id, student_name,"
    . " course_title) VALUES ('STATS0000000', :'p1', :'p2', 'S', 'Stats course')",
    $student->{user}{id}, $cid);
my $before = json_body(api(GET => '/api/admin/stats', token => $tok));
sql("INSERT INTO payments (user_id, course_id, method, status, amount,"
    . " currency, recorded_by_user_id, paid_at) VALUES (:'p1', :'p2',"
    . " 'manual', 'paid', 12345, 'INR', :'p3', now())",
    $other->{user}{id}, $cid, $admin->{user}{id});

my $r = api(GET => '/api/admin/stats', token => $tok);
is($r->{status}, 200, 'an admin gets the figures');
like($r->{headers}{'cache-control'} // '', qr/no-store/, '...not cached');
my $s = json_body($r);

my %role = map { $_->[0] => $_->[1] }
    sql("SELECT role, count(*) FROM users GROUP BY role");
is_deeply($s->{users_by_role}, { map { $_ => ($role{$_} // 0) + 0 }
    qw(student teacher instructor admin) },
    'users by role agree with the table');
is($s->{active_enrollments}, sql_one("SELECT count(*) FROM enrollments"
    . " WHERE status = 'active'"), 'active enrollments agree');
is($s->{open_tickets}, sql_one("SELECT count(*) FROM tickets"
    . " WHERE status IN ('open', 'pending')"), 'open tickets agree');
is($s->{new_leads}, sql_one("SELECT count(*) FROM leads WHERE status = 'new'"),
    'new leads agree');

my $month = sql_one("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')");
sub manual_now {
	my ($st) = @_;
	my ($m) = grep { $_->{month} eq $month && $_->{method} eq 'manual'
	    && $_->{currency} eq 'INR' } @{ $st->{revenue_by_month} || [] };
	return $m || { amount => 0, payments => 0 };
}
is(manual_now($s)->{amount} - manual_now($before)->{amount}, 12345,
    'this month\'s manual revenue grew by the new payment');
is(manual_now($s)->{payments} - manual_now($before)->{payments}, 1,
    '...one payment more');
like($_->{month}, qr/^\d{4}-\d\d$/, "month $_->{month} is YYYY-MM")
    for @{ $s->{revenue_by_month} };

my $c = $s->{completion};
ok($c->{total} >= 1 && $c->{page} == 1 && $c->{per_page} == 20,
    'completion pages like a list');
my ($mine) = grep { $_->{course_id} == $cid } @{ $c->{items} };
ok($mine, 'the new course is on the first page (newest first)');
is_deeply([ @$mine{qw(title enrolled completed percent)} ],
    [ 'Stats course', 2, 1, 50 ], '...2 enrolled, 1 completed, 50%');
$r = api(GET => '/api/admin/stats?per_page=1&page=1', token => $tok);
is(scalar(@{ json_body($r)->{completion}{items} }), 1,
    'per_page limits the courses');

done_testing();

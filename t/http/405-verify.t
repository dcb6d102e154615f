#!/usr/bin/perl
# lectern — POST /api/payments/verify, GET /api/payments and GET
# /api/admin/payments: a good signature pays and enrolls exactly once
# (also under 20 concurrent verifies), a bad one is 400 and logged, an
# order of someone else's is not found, and the lists show each user
# their own and admins everything, with filters.
use strict;
use warnings;
use Digest::SHA qw(hmac_sha256_hex);
use File::Temp ();
use HTTP::Tiny;
use JSON::PP;
use POSIX ();
use Test::More;
use Lectern::Test;

base_url();
my $rzp = $ENV{LECTERN_TEST_RAZORPAY_URL}
    or BAIL_OUT('LECTERN_TEST_RAZORPAY_URL is not set (run scripts/test)');
my $secret = $ENV{LECTERN_RAZORPAY_KEY_SECRET}
    or BAIL_OUT('LECTERN_RAZORPAY_KEY_SECRET is not set');
my $json = JSON::PP->new->utf8->canonical;
my $ts_re = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

sub control {
	my ($method, $path, $data) = @_;
	my $res = HTTP::Tiny->new(timeout => 10)->request($method,
	    "$rzp/__control$path", defined $data ? {
		headers => { 'Content-Type' => 'application/json' },
		content => $json->encode($data) } : {});
	die "stand-in $path: $res->{status}\n" unless $res->{success};
	return $json->decode($res->{content});
}
END { eval { control(POST => '/mode', { mode => 'ok' }) } }
control(POST => '/reset');

my $teacher = user_with_role('teacher', tag => 'ver-t');
my $admin = user_with_role('admin', tag => 'ver-a');
my $alice = register_user(tag => 'ver-alice');
my $bob = register_user(tag => 'ver-bob');
my ($atok, $aid) = ($alice->{access_token}, $alice->{user}{id});
my ($btok, $bid) = ($bob->{access_token}, $bob->{user}{id});

my $course = sql_one("INSERT INTO courses (instructor_id, title, price_minor,"
    . " published) VALUES (:'p1', 'Verify course', 49900, true) RETURNING id",
    $teacher->{user}{id});

my $r = api(POST => '/api/payments/create-order',
    json => { course_id => $course + 0 }, token => $atok);
is($r->{status}, 201, 'alice opens an order') or diag($r->{content});
my ($oid, $receipt) = @{ json_body($r) }{qw(order_id receipt)};
my $pay = 'pay_' . join('', map { sprintf('%x', int(rand(16))) } 1 .. 14);
my $sig = hmac_sha256_hex("$oid|$pay", $secret);

sub verify {
	my ($tok, %o) = @_;
	return api(POST => '/api/payments/verify', token => $tok, json => {
	    razorpay_order_id => $o{order} // $oid,
	    razorpay_payment_id => $o{payment} // $pay,
	    razorpay_signature => $o{sig} // $sig });
}
sub payments_of_order {
	sql_one("SELECT count(*) FROM payments WHERE provider_order_id = :'p1'",
	    $oid);
}
sub enrollments_in {
	sql_one("SELECT count(*) FROM enrollments WHERE course_id = :'p1'",
	    $course);
}

# Refusals.
$r = api(POST => '/api/payments/verify', json => {
    razorpay_order_id => $oid, razorpay_payment_id => $pay,
    razorpay_signature => $sig });
error_ok($r, 401, 'unauthorized', 'verify without a token');
$r = api(POST => '/api/payments/verify', token => $atok, json => {
    razorpay_order_id => $oid, razorpay_payment_id => $pay });
error_ok($r, 400, 'validation_failed', 'verify without a signature');
$r = api(POST => '/api/payments/verify', token => $atok, json => {
    razorpay_order_id => $oid, razorpay_payment_id => $pay,
    razorpay_signature => $sig, amount => 1 });
error_ok($r, 400, 'validation_failed', 'an unknown field');
$r = verify($atok, order => 'order-x/../y');
error_ok($r, 400, 'validation_failed', 'an order id that is not an id');
$r = verify($atok, payment => 'p' x 65);
error_ok($r, 400, 'validation_failed', 'a payment id over 64 characters');
$r = verify($atok, order => 'order_doesnotexist1');
error_ok($r, 404, 'not_found', 'an unknown order');

# A flipped character.
(my $bad = $sig) =~ s/^(.)/$1 eq 'a' ? 'b' : 'a'/e;
$r = verify($atok, sig => $bad);
error_ok($r, 400, 'invalid_signature', 'a signature with one character flipped');
my $rid = $r->{headers}{'x-request-id'};
my @log = sql("SELECT status, code, method, path, message FROM error_logs"
    . " WHERE request_id = :'p1'", $rid);
is(scalar(@log), 1, '...recorded in error_logs');
is_deeply([@{ $log[0] || [] }[0 .. 3]],
    [400, 'invalid_signature', 'POST', '/api/payments/verify'],
    '...as 400 invalid_signature of POST /api/payments/verify');
unlike(join(' ', map { $_ // '' } @{ $log[0] || [] }), qr/\Q$bad\E|\Q$sig\E/,
    '...without the signature');
unlike($r->{content}, qr/\Q$sig\E/, '...nor in the answer');
$r = verify($atok, sig => 'abc123');
error_ok($r, 400, 'invalid_signature', 'a signature of the wrong length');
$r = verify($atok, sig => hmac_sha256_hex("$oid|$pay", 'not-the-secret'));
error_ok($r, 400, 'invalid_signature', 'a signature under another key');
$r = verify($atok, payment => 'pay_other1234567');
error_ok($r, 400, 'invalid_signature', 'the signature of another payment');
is(payments_of_order(), 0, '...no payment written by any of them');
is(enrollments_in(), 0, '...no enrollment');

# Someone else's order, even with its right signature.
$r = verify($btok);
error_ok($r, 404, 'not_found', 'bob verifying alice\'s order');
is(payments_of_order(), 0, '...no payment written');
is(enrollments_in(), 0, '...no enrollment');
is(sql_one("SELECT status FROM payment_orders WHERE provider_order_id ="
    . " :'p1'", $oid), 'created', '...the order is still open');

# 20 verifies at once.
my $dir = File::Temp->newdir();
my @pids;
for my $i (1 .. 20) {
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		my $x = verify($atok);
		my $xb = json_body($x);
		open(my $fh, '>', "$dir/$i") or POSIX::_exit(1);
		print $fh join(' ', $x->{status}, $xb->{payment}{id} // '-',
		    $xb->{enrollment}{id} // '-'), "\n";
		close($fh);
		POSIX::_exit(0);
	}
	push @pids, $pid;
}
waitpid($_, 0) for @pids;
my (%status, %answers);
for my $i (1 .. 20) {
	open(my $fh, '<', "$dir/$i") or next;
	my ($st, $p, $e) = split ' ', scalar(<$fh>);
	$status{$st}++;
	$answers{"$p $e"}++;
}
is($status{200} // 0, 20, '20 concurrent verifies: all 200')
    or diag(join(', ', map { "$_ x$status{$_}" } sort keys %status));
is(scalar(keys %answers), 1, '...all with the same payment and enrollment');
is(payments_of_order(), 1, '...exactly one payments row');
is(sql_one("SELECT count(*) FROM payments WHERE provider_payment_id = :'p1'",
    $pay), 1, '...for that payment id');
is(enrollments_in(), 1, '...exactly one enrollment');
my @p = @{ (sql("SELECT id, user_id, course_id, order_id, method, status,"
    . " amount, currency, provider_order_id, provider_payment_id,"
    . " paid_at IS NOT NULL FROM payments WHERE provider_order_id = :'p1'",
    $oid))[0] || [] };
my $pid = $p[0];
is_deeply([@p[1 .. 10]], [$aid, $course, $receipt, 'razorpay', 'paid',
    49900, 'INR', $oid, $pay, 't'],
    '...paid, for the order\'s amount, with paid_at');
is_deeply([sql("SELECT user_id, status, source FROM enrollments"
    . " WHERE course_id = :'p1'", $course)], [[$aid, 'active', 'payment']],
    '...alice is enrolled, active, by payment');
is(sql_one("SELECT status FROM payment_orders WHERE provider_order_id ="
    . " :'p1'", $oid), 'paid', '...the order is paid');
is(sql_one("SELECT count(*) FROM payment_transitions WHERE payment_id ="
    . " :'p1'", $pid), 1, '...one status transition logged');

# Once more: the same answer, nothing new.
$r = verify($atok);
is($r->{status}, 200, 'verify again: 200') or diag($r->{content});
my $vb = json_body($r);
is($vb->{payment}{id}, $pid, '...the same payment');
is($vb->{payment}{status}, 'paid', '...paid');
is($vb->{payment}{amount}, 49900, '...amount in paise');
is($vb->{payment}{currency}, 'INR', '...INR');
is($vb->{payment}{method}, 'razorpay', '...method razorpay');
is($vb->{payment}{order_id}, $receipt, '...our order id');
is($vb->{payment}{provider_order_id}, $oid, '...the gateway\'s order id');
is($vb->{payment}{provider_payment_id}, $pay, '...the gateway\'s payment id');
like($vb->{payment}{paid_at} // '', $ts_re, '...paid_at in RFC 3339');
like($vb->{payment}{created_at} // '', $ts_re, '...created_at in RFC 3339');
is_deeply({ map { $_ => $vb->{enrollment}{$_} }
    qw(course_id user_id status source) },
    { course_id => $course, user_id => $aid, status => 'active',
    source => 'payment' }, '...the enrollment, active by payment');
ok($vb->{enrollment}{id}, '...with its id');
is(payments_of_order(), 1, '...still one payment');
is(enrollments_in(), 1, '...still one enrollment');
is($r->{headers}{'cache-control'}, 'no-store', '...Cache-Control: no-store');

# Now enrolled: no new order.
$r = api(POST => '/api/payments/create-order',
    json => { course_id => $course + 0 }, token => $atok);
error_ok($r, 409, 'already_enrolled', 'create-order after paying');

# GET /api/payments: one's own.
$r = api(GET => '/api/payments', token => $atok);
is($r->{status}, 200, 'alice lists her payments');
my $lb = json_body($r);
is($lb->{total}, 1, '...one');
is($lb->{items}[0]{id}, $pid, '...the payment');
is($lb->{items}[0]{status}, 'paid', '...paid');
is_deeply([@{$lb}{qw(page per_page total_pages)}], [1, 20, 1],
    '...page 1 of 1, 20 a page');
ok(!$lb->{has_next} && !$lb->{has_prev}, '...no next, no prev');
$r = api(GET => '/api/payments', token => $btok);
is($r->{status}, 200, 'bob lists his payments');
is(json_body($r)->{total}, 0, '...none');
is_deeply(json_body($r)->{items}, [], '...an empty list');
$r = api(GET => '/api/payments?per_page=0', token => $atok);
error_ok($r, 400, 'validation_failed', 'per_page=0');
$r = api(GET => '/api/payments');
error_ok($r, 401, 'unauthorized', 'the list without a token');
$r = api(GET => '/api/payments', token => $admin->{access_token});
is(json_body($r)->{total}, 0, 'an admin\'s own list has only their own');

# GET /api/admin/payments.
my $q = "course_id=$course&user_id=$aid";
sub admin_list {
	return api(GET => "/api/admin/payments?$_[0]",
	    token => $admin->{access_token});
}
$r = admin_list("method=razorpay&status=paid&$q");
is($r->{status}, 200, 'admin list with method, status, course_id, user_id');
is(json_body($r)->{total}, 1, '...finds the payment');
is(json_body($r)->{items}[0]{id}, $pid, '...that one');
is(json_body($r)->{items}[0]{user_id}, $aid, '...alice\'s');
is(json_body(admin_list("method=manual&$q"))->{total}, 0,
    '...method=manual: none');
is(json_body(admin_list("status=failed&$q"))->{total}, 0,
    '...status=failed: none');
is(json_body(admin_list("user_id=$bid"))->{total}, 0, '...user_id=bob: none');
is(json_body(admin_list("from=2999-01-01T00:00:00Z&$q"))->{total}, 0,
    '...from the future: none');
is(json_body(admin_list("from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z&$q"))
    ->{total}, 1, '...from 2000 to 2999: the payment');
ok(json_body(admin_list(''))->{total} >= 1, '...no filter: all payments');
error_ok(admin_list('method=cash'), 400, 'validation_failed', 'method=cash');
error_ok(admin_list('status=done'), 400, 'validation_failed', 'status=done');
error_ok(admin_list('user_id=abc'), 400, 'validation_failed', 'user_id=abc');
error_ok(admin_list('from=yesterday'), 400, 'validation_failed', 'from=yesterday');
$r = api(GET => '/api/admin/payments', token => $atok);
error_ok($r, 403, 'forbidden', 'a student listing all payments');
$r = api(GET => '/api/admin/payments');
error_ok($r, 401, 'unauthorized', 'no token');

done_testing();

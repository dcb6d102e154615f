#!/usr/bin/perl
# lectern — POST /api/payments/create-order against the Razorpay
# stand-in: the order it is asked for (basic auth, JSON, amount in
# paise, our id as the receipt), the open order returned again, the
# courses that cannot be bought, a gateway that fails, is down or is
# slow (502 and nothing written), and concurrent calls ending in one
# open order.
use strict;
use warnings;
use File::Temp ();
use HTTP::Tiny;
use JSON::PP;
use POSIX ();
use Time::HiRes ();
use Test::More;
use Lectern::Test;

base_url();
my $rzp = $ENV{LECTERN_TEST_RAZORPAY_URL}
    or BAIL_OUT('LECTERN_TEST_RAZORPAY_URL is not set (run scripts/test)');
my $json = JSON::PP->new->utf8->canonical;

# The stand-in's control API.
sub control {
	my ($method, $path, $data) = @_;
	my $res = HTTP::Tiny->new(timeout => 10)->request($method,
	    "$rzp/__control$path", defined $data ? {
		headers => { 'Content-Type' => 'application/json' },
		content => $json->encode($data) } : {});
	die "stand-in $path: $res->{status}\n" unless $res->{success};
	return $json->decode($res->{content});
}
sub set_mode { control(POST => '/mode', { mode => $_[0] }) }
sub seen { @{ control(GET => '/requests')->{items} } }
sub order_calls { grep { $_->{path} eq '/v1/orders' } seen() }

END { eval { set_mode('ok') } }
control(POST => '/reset');

my $teacher = user_with_role('teacher', tag => 'ord-t');
my $student = register_user(tag => 'ord-s');
my $stok = $student->{access_token};
my $sid = $student->{user}{id};

sub new_course {
	my (%o) = @_;
	return sql_one("INSERT INTO courses (instructor_id, title, price_minor,"
	    . " published, archived) VALUES (:'p1', 'Orders course', :'p2',"
	    . " :'p3', :'p4') RETURNING id", $teacher->{user}{id},
	    $o{price} // 49900, ($o{published} // 1) ? 'true' : 'false',
	    $o{archived} ? 'true' : 'false');
}

sub create_order {
	my ($cid, $tok) = @_;
	return api(POST => '/api/payments/create-order',
	    json => { course_id => $cid + 0 }, token => $tok);
}

sub orders_of {
	my ($uid, $cid) = @_;
	return sql_one("SELECT count(*) FROM payment_orders WHERE user_id ="
	    . " :'p1' AND course_id = :'p2'", $uid, $cid);
}

my $course = new_course();

# Who may ask, and what.
my $r = api(POST => '/api/payments/create-order',
    json => { course_id => $course + 0 });
error_ok($r, 401, 'unauthorized', 'create-order without a token');
$r = api(POST => '/api/payments/create-order', json => {}, token => $stok);
error_ok($r, 400, 'validation_failed', 'create-order without course_id');
$r = api(POST => '/api/payments/create-order',
    json => { course_id => "$course" }, token => $stok);
error_ok($r, 400, 'validation_failed', 'course_id as a string');
$r = api(POST => '/api/payments/create-order',
    json => { course_id => $course + 0, amount => 1 }, token => $stok);
error_ok($r, 400, 'validation_failed', 'an unknown field (amount)');
is(scalar(order_calls()), 0, '...and the gateway was not called');

# A new order.
$r = create_order($course, $stok);
is($r->{status}, 201, 'create-order: 201') or diag($r->{content});
my $b = json_body($r);
like($b->{order_id} // '', qr/^order_[A-Za-z0-9]+$/,
    '...order_id is the gateway\'s order id');
is($b->{amount}, 49900, '...amount is the price in paise');
like($r->{content}, qr/"amount":49900[,}]/, '...as a JSON integer');
is($b->{currency}, 'INR', '...currency INR');
is($b->{key_id}, $ENV{LECTERN_RAZORPAY_KEY_ID}, '...key_id is the public key id');
like($b->{receipt} // '', qr/^[1-9]\d*$/, '...receipt is our order id');
is_deeply([sort keys %$b], [qw(amount currency key_id order_id receipt)],
    '...and nothing else (no secret)');
is($r->{headers}{location}, '/api/payments', '...Location /api/payments');
is($r->{headers}{'cache-control'}, 'no-store', '...Cache-Control: no-store');
ok(defined $r->{headers}{'x-ratelimit-limit'}, '...rate limited (payment class)');
my ($oid, $receipt) = ($b->{order_id}, $b->{receipt});

my @row = @{ (sql("SELECT id, user_id, course_id, amount, currency,"
    . " provider_order_id, status, provider FROM payment_orders"
    . " WHERE provider_order_id = :'p1'", $oid))[0] || [] };
is_deeply(\@row, [$receipt, $sid, $course, 49900, 'INR', $oid, 'created',
    'razorpay'], '...the payment_orders row: our id, the gateway\'s id, created');

my @calls = order_calls();
is(scalar(@calls), 1, 'the stand-in saw one order request');
my $c = $calls[0] || {};
is($c->{method}, 'POST', '...a POST to /v1/orders');
ok($c->{auth_ok}, '...with basic auth: the key id and secret');
like($c->{content_type} // '', qr{^application/json\b},
    '...Content-Type application/json');
my $sent = eval { $json->decode($c->{body} // '') } || {};
is($sent->{amount}, 49900, '...amount in paise');
is($sent->{currency}, 'INR', '...currency INR');
is($sent->{receipt}, $receipt, '...receipt = our order id');
is_deeply($sent->{notes}, { course_id => "$course", user_id => "$sid" },
    '...notes name the course and the user');

# Asking again returns the open order, without a new gateway order.
$r = create_order($course, $stok);
is($r->{status}, 200, 'create-order again: 200');
is_deeply(json_body($r), $b, '...the same order, same body')
    or diag($r->{content});
ok(!defined $r->{headers}{location}, '...without Location (nothing new)');
is(scalar(order_calls()), 1, '...and no second gateway order');
is(orders_of($sid, $course), 1, '...and still one payment_orders row');

# A price change: the old open order gives way to one at the new price.
sql("UPDATE courses SET price_minor = 59900 WHERE id = :'p1'", $course);
$r = create_order($course, $stok);
is($r->{status}, 201, 'after a price change: a new order (201)');
is(json_body($r)->{amount}, 59900, '...at the new price');
isnt(json_body($r)->{order_id}, $oid, '...with a new gateway order');
is(sql_one("SELECT status FROM payment_orders WHERE id = :'p1'", $receipt),
    'failed', '...and the old open order is closed');
is(sql_one("SELECT count(*) FROM payment_orders WHERE user_id = :'p1'"
    . " AND course_id = :'p2' AND status = 'created'", $sid, $course), 1,
    '...one open order remains');
sql("UPDATE courses SET price_minor = 49900 WHERE id = :'p1'", $course);

# What cannot be bought.
my $enrolled = register_user(tag => 'ord-e');
sql("INSERT INTO enrollments (user_id, course_id, status, source)"
    . " VALUES (:'p1', :'p2', 'active', 'manual')", $enrolled->{user}{id},
    $course);
my $before = scalar(order_calls());
$r = create_order($course, $enrolled->{access_token});
error_ok($r, 409, 'already_enrolled', 'an enrolled user');
my $free = new_course(price => 0);
$r = create_order($free, $stok);
error_ok($r, 409, 'conflict', 'a free course');
like(json_body($r)->{error}{message} // '', qr/free/, '...says it is free');
my $draft = new_course(published => 0);
$r = create_order($draft, $stok);
error_ok($r, 404, 'not_found', 'a draft course');
$r = create_order($draft, $teacher->{access_token});
error_ok($r, 404, 'not_found', 'a draft course, for its author too');
my $archived = new_course(archived => 1);
$r = create_order($archived, $stok);
error_ok($r, 404, 'not_found', 'an archived course');
$r = create_order(999999999, $stok);
error_ok($r, 404, 'not_found', 'an unknown course');
is(scalar(order_calls()), $before, '...none of them reached the gateway');
is(sql_one("SELECT count(*) FROM payment_orders WHERE course_id IN"
    . " (:'p1', :'p2', :'p3')", $free, $draft, $archived), 0,
    '...and none wrote an order');

# A gateway that fails: 502, nothing written.
my $buyer = register_user(tag => 'ord-b');
my $btok = $buyer->{access_token};
my $bid = $buyer->{user}{id};
my $seq = sql_one("SELECT last_value FROM payment_orders_id_seq");
for my $mode (qw(error down)) {
	set_mode($mode);
	$r = create_order($course, $btok);
	error_ok($r, 502, 'upstream_error', "gateway $mode");
	is(orders_of($bid, $course), 0, '...no payment_orders row');
	is(sql_one("SELECT count(*) FROM error_logs WHERE request_id = :'p1'"
	    . " AND status = 502 AND code = 'upstream_error'",
	    $r->{headers}{'x-request-id'}), 1, '...and an error_logs entry');
	my $logged = sql_one("SELECT message FROM error_logs WHERE"
	    . " request_id = :'p1'", $r->{headers}{'x-request-id'}) // '';
	like($logged, $mode eq 'error' ? qr/\(HTTP 5\d\d\)$/ :
	    qr/did not answer \((?!-\)).+\)$/, '...saying why, for the operator')
	    or diag($logged);
	unlike(json_body($r)->{error}{message} // '', qr/\(/,
	    '...which the client is not told');
}
set_mode('slow');
my $t0 = Time::HiRes::time();
$r = create_order($course, $btok);
my $took = Time::HiRes::time() - $t0;
error_ok($r, 502, 'upstream_error', 'gateway slow (15 s)');
ok($took >= 9 && $took < 13, sprintf('...given up after about 10 s (%.1f s)',
    $took));
is(orders_of($bid, $course), 0, '...no payment_orders row');
set_mode('ok');
$r = create_order($course, $btok);
is($r->{status}, 201, 'gateway back: create-order 201')
    or diag($r->{content});
is(orders_of($bid, $course), 1, '...one row');
ok(json_body($r)->{receipt} > $seq, '...with a freshly reserved id');

# Concurrent calls for one user and course: one open order, the same
# answer for all.
my $racer = register_user(tag => 'ord-r');
my $calls_before = scalar(order_calls());
my $rtok = $racer->{access_token};
my $dir = File::Temp->newdir();
my @pids;
for my $i (1 .. 6) {
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		my $x = create_order($course, $rtok);
		open(my $fh, '>', "$dir/$i") or POSIX::_exit(1);
		print $fh "$x->{status} " . (json_body($x)->{order_id} // '-')
		    . ' ' . (json_body($x)->{receipt} // '-') . ' '
		    . (json_body($x)->{error}{message} // '') . "\n";
		close($fh);
		POSIX::_exit(0);
	}
	push @pids, $pid;
}
waitpid($_, 0) for @pids;
my (%status, %ids);
for my $i (1 .. 6) {
	open(my $fh, '<', "$dir/$i") or next;
	my ($st, $o, $rc, @why) = split ' ', scalar(<$fh>);
	diag("create-order $i: $st @why") if $st != 200 && $st != 201;
	$status{$st}++;
	$ids{"$o $rc"}++;
}
is(($status{201} // 0) + ($status{200} // 0), 6,
    '6 concurrent create-orders: all 200 or 201')
    or diag(join(', ', map { "$_ x$status{$_}" } sort keys %status));
ok(($status{201} // 0) >= 1, '...at least one made it');
is(scalar(keys %ids), 1, '...all returned the same order')
    or diag(join(', ', keys %ids));
is(sql_one("SELECT count(*) FROM payment_orders WHERE user_id = :'p1'",
    $racer->{user}{id}), 1, '...and one payment_orders row exists');
note(sprintf('%d gateway orders were made for the 6 callers',
    scalar(order_calls()) - $calls_before));
my ($one) = keys %ids;
is((split ' ', $one)[0], sql_one("SELECT provider_order_id FROM"
    . " payment_orders WHERE user_id = :'p1'", $racer->{user}{id}),
    '...the one in the database');

# Method.
$r = api(GET => '/api/payments/create-order', token => $stok);
error_ok($r, 405, 'method_not_allowed', 'GET create-order');

done_testing();

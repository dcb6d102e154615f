#!/usr/bin/perl
# lectern — a payment for an order that is no longer the student's
# current one, or for less than the course costs now, is recorded (the
# money moved) but held: verify answers 202 and nobody is enrolled until
# an admin confirms it through POST /api/admin/payments/{id}/confirm,
# which is audited and shows in GET /api/admin/payments?held=true.
use strict;
use warnings;
use Digest::SHA qw(hmac_sha256_hex);
use HTTP::Tiny;
use JSON::PP;
use Test::More;
use Lectern::Test;

base_url();
my $rzp = $ENV{LECTERN_TEST_RAZORPAY_URL}
    or BAIL_OUT('LECTERN_TEST_RAZORPAY_URL is not set (run scripts/test)');
my $secret = $ENV{LECTERN_RAZORPAY_KEY_SECRET}
    or BAIL_OUT('LECTERN_RAZORPAY_KEY_SECRET is not set');
my $json = JSON::PP->new->utf8->canonical;

HTTP::Tiny->new(timeout => 10)->post("$rzp/__control/mode", {
    headers => { 'Content-Type' => 'application/json' },
    content => $json->encode({ mode => 'ok' }) });

my $teacher = user_with_role('teacher', tag => 'held-t');
my $admin = user_with_role('admin', tag => 'held-a');
my $stu = register_user(tag => 'held-s');
my ($stok, $sid) = ($stu->{access_token}, $stu->{user}{id});
my $atok = $admin->{access_token};

sub course_at {
	my ($title, $price) = @_;
	return sql_one("INSERT INTO courses (instructor_id, title, price_minor,"
	    . " published) VALUES (:'p1', :'p2', :'p3', true) RETURNING id",
	    $teacher->{user}{id}, $title, $price);
}
sub set_price {
	my ($course, $price) = @_;
	sql_one("UPDATE courses SET price_minor = :'p2' WHERE id = :'p1'"
	    . " RETURNING id", $course, $price);
}
sub order {
	my ($course) = @_;
	my $r = api(POST => '/api/payments/create-order', token => $stok,
	    json => { course_id => $course + 0 });
	is($r->{status}, 201, "an order for course $course") or
	    diag($r->{content});
	return json_body($r);
}
sub pay_id {
	return 'pay_' . join('', map { sprintf('%x', int(rand(16))) } 1 .. 14);
}
sub verify {
	my ($oid, $pay) = @_;
	return api(POST => '/api/payments/verify', token => $stok, json => {
	    razorpay_order_id => $oid, razorpay_payment_id => $pay,
	    razorpay_signature => hmac_sha256_hex("$oid|$pay", $secret) });
}
sub active_in {
	my ($course) = @_;
	return sql_one("SELECT count(*) FROM enrollments WHERE user_id = :'p1'"
	    . " AND course_id = :'p2' AND status = 'active'", $sid, $course);
}
sub audits {
	my ($action, $pid) = @_;
	return sql_one("SELECT count(*) FROM audit_logs WHERE action = :'p1'"
	    . " AND target_type = 'payment' AND target_id = :'p2'",
	    $action, $pid);
}

# Replaced: order A at 1.00, the price goes back to 499.00, order B
# replaces A; A is then paid with a good signature.
my $c1 = course_at('Held: replaced', 100);
my $a = order($c1);
is($a->{amount}, 100, 'order A is for 1.00');
set_price($c1, 49900);
my $b = order($c1);
is($b->{amount}, 49900, 'order B is for 499.00');
isnt($b->{order_id}, $a->{order_id}, 'B is a new order');
is(sql_one("SELECT status FROM payment_orders WHERE provider_order_id ="
    . " :'p1'", $a->{order_id}), 'failed', 'A gave way to B');

my $pay_a = pay_id();
my $r = verify($a->{order_id}, $pay_a);
is($r->{status}, 202, 'paying the replaced order is held: 202')
    or diag($r->{content});
my $body = json_body($r);
is($body->{payment}{status}, 'paid', 'the money moved: the payment is paid');
is($body->{payment}{held_reason}, 'replaced', 'held because replaced');
is($body->{payment}{confirmed_at}, undef, 'not confirmed');
ok(exists $body->{enrollment} && !defined $body->{enrollment},
    'no enrollment in the answer');
is(active_in($c1), 0, 'and the student is not enrolled');
my $held_id = $body->{payment}{id};
is(audits('payment.held', $held_id), 1, 'the hold is audited');

$r = verify($a->{order_id}, $pay_a);
is($r->{status}, 202, 'verifying again: still held');
is(json_body($r)->{payment}{id}, $held_id, 'the same payment');
is(active_in($c1), 0, 'still not enrolled');
is(audits('payment.held', $held_id), 1, 'and audited once');
is(sql_one("SELECT count(*) FROM payments WHERE provider_payment_id ="
    . " :'p1'", $pay_a), 1, 'one payment row');

# The admin sees it, and only held ones under held=true.
$r = api(GET => '/api/admin/payments?held=true&user_id=' . $sid,
    token => $atok);
is($r->{status}, 200, 'admin lists held payments');
my @ids = map { $_->{id} } @{ json_body($r)->{items} };
is_deeply(\@ids, [$held_id], 'the held payment, and only it');
$r = api(GET => '/api/admin/payments?held=maybe', token => $atok);
error_ok($r, 400, 'validation_failed', 'held must be true or false');
$r = api(GET => '/api/payments', token => $stok);
my ($mine) = grep { $_->{id} == $held_id } @{ json_body($r)->{items} };
is($mine->{held_reason}, 'replaced', 'the student sees why it is held');

# Confirmation: admin only, audited once, enrolls.
$r = api(POST => "/api/admin/payments/$held_id/confirm", token => $stok);
error_ok($r, 403, 'forbidden', 'a student cannot confirm');
is(active_in($c1), 0, 'nothing changed');
$r = api(POST => "/api/admin/payments/$held_id/confirm", token => $atok,
    json => { note => 'Phoned the student; the old price was honoured' });
is($r->{status}, 200, 'the admin confirms') or diag($r->{content});
$body = json_body($r);
ok(defined $body->{payment}{confirmed_at}, 'confirmed_at is set');
is($body->{enrollment}{status}, 'active', 'the enrollment is active');
is(active_in($c1), 1, 'the student is enrolled');
is(sql_one("SELECT confirmed_by_user_id FROM payments WHERE id = :'p1'",
    $held_id), $admin->{user}{id}, 'the confirming admin is recorded');
is(sql_one("SELECT details->>'note' FROM audit_logs WHERE action ="
    . " 'payment.confirm' AND target_id = :'p1'", $held_id),
    'Phoned the student; the old price was honoured', 'audited with the note');
$r = api(POST => "/api/admin/payments/$held_id/confirm", token => $atok);
is($r->{status}, 200, 'confirming again answers the same');
is(audits('payment.confirm', $held_id), 1, 'and audits nothing new');
$r = api(GET => '/api/admin/payments?held=true&user_id=' . $sid,
    token => $atok);
is(scalar @{ json_body($r)->{items} }, 0, 'nothing waits any more');

# Underpriced: the course costs more now than the order it was paid for.
my $c2 = course_at('Held: underpriced', 100);
my $c = order($c2);
set_price($c2, 49900);
$r = verify($c->{order_id}, pay_id());
is($r->{status}, 202, 'paying below the price is held: 202');
$body = json_body($r);
is($body->{payment}{held_reason}, 'underpriced', 'held because underpriced');
is(active_in($c2), 0, 'not enrolled');

# An order paid at the current price is not held; it cannot be confirmed.
my $c3 = course_at('Not held', 49900);
my $d = order($c3);
$r = verify($d->{order_id}, pay_id());
is($r->{status}, 200, 'a current order at the current price: 200');
$body = json_body($r);
is($body->{payment}{held_reason}, undef, 'not held');
is(active_in($c3), 1, 'enrolled at once');
$r = api(POST => "/api/admin/payments/$body->{payment}{id}/confirm",
    token => $atok);
error_ok($r, 409, 'conflict', 'a payment that was never held: 409');
$r = api(POST => '/api/admin/payments/999999999/confirm', token => $atok);
error_ok($r, 404, 'not_found', 'an unknown payment: 404');
$r = api(POST => '/api/admin/payments/x1/confirm', token => $atok);
is($r->{status}, 404, 'an id that is not one: 404');

done_testing();

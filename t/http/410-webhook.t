#!/usr/bin/perl
# lectern — POST /api/payments/webhook: the signature over the raw body,
# idempotent delivery by event id, payment.captured / order.paid /
# payment.failed in any order, events and orders we do not know, amounts
# that differ, and races (verify and webhook at once; ten deliveries of
# one event at once).  Orders are made with SQL, not through
# create-order.
use strict;
use warnings;
use Digest::SHA qw(hmac_sha256_hex);
use File::Temp ();
use JSON::PP;
use POSIX ();
use Time::HiRes ();
use Test::More;
use Lectern::Test;

base_url();

my $secret = $ENV{LECTERN_RAZORPAY_WEBHOOK_SECRET};
unless (defined $secret && length $secret) {
	BAIL_OUT('LECTERN_RAZORPAY_WEBHOOK_SECRET is not set')
	    if $ENV{LECTERN_TEST_STRICT};
	plan(skip_all => 'LECTERN_RAZORPAY_WEBHOOK_SECRET not set');
}
my $key_secret = $ENV{LECTERN_RAZORPAY_KEY_SECRET} // '';

my $json = JSON::PP->new->utf8->canonical;
my $teacher = user_with_role('teacher', tag => 'wh-tch');
my $student = register_user(tag => 'wh-stu', name => 'Webhook Student');
my $sid = $student->{user}{id};
my $run = "$$" . time();
my $seq = 0;
my @sent_sigs;

# A published course of the teacher at price (paise).
sub new_course {
	my ($price) = @_;
	return sql_one("INSERT INTO courses (instructor_id, title, price_minor,"
	    . " published) VALUES (:'p1', :'p2', :'p3', true) RETURNING id",
	    $teacher->{user}{id}, 'Webhook course ' . ++$seq, $price);
}

# An open order of user for a new course: (provider order id, our
# order id, course id).  Written directly, as create-order would.
sub new_order {
	my (%o) = @_;
	my $amount = $o{amount} // 49900;
	my $cid = new_course($amount);
	my $poid = "order_wh${run}n" . ++$seq;
	my $oid = sql_one("INSERT INTO payment_orders (user_id, course_id,"
	    . " amount, currency, provider_order_id) VALUES (:'p1', :'p2',"
	    . " :'p3', 'INR', :'p4') RETURNING id", $o{user} // $sid, $cid,
	    $amount, $poid);
	return ($poid, $oid, $cid);
}

sub new_pay_id { "pay_wh${run}n" . ++$seq }
sub new_event_id { "evt_wh${run}n" . ++$seq }

# The body of a Razorpay event about payment pid of order poid.
sub event_body {
	my ($event, $poid, $pid, %o) = @_;
	my $entity = {
		id => $pid, entity => 'payment', amount => $o{amount} // 49900,
		currency => $o{currency} // 'INR',
		status => $event eq 'payment.failed' ? 'failed' : 'captured',
		order_id => $poid, method => 'upi', captured => JSON::PP::true,
		email => 'payer@example.com', contact => '+919000090000',
		created_at => time(),
	};
	my $b = {
		entity => 'event', account_id => 'acc_lectern_test',
		event => $event, contains => ['payment'],
		payload => { payment => { entity => $entity } },
		created_at => time(),
	};
	if ($event eq 'order.paid') {
		$b->{contains} = ['payment', 'order'];
		$b->{payload}{order}{entity} = {
			id => $poid, entity => 'order',
			amount => $entity->{amount},
			amount_paid => $entity->{amount}, amount_due => 0,
			currency => $entity->{currency}, status => 'paid',
		};
		delete $entity->{order_id} if $o{no_payment_order_id};
	}
	return $json->encode($b);
}

# Deliver body: sig (default: the right one; undef in %o to leave the
# header out), event id (default: a new one; undef to leave it out).
sub deliver {
	my ($body, %o) = @_;
	my %h;
	my $sig = exists $o{sig} ? $o{sig} : hmac_sha256_hex($body, $secret);
	my $eid = exists $o{event_id} ? $o{event_id} : new_event_id();
	if (defined $sig) {
		$h{'X-Razorpay-Signature'} = $sig;
		push @sent_sigs, $sig;
	}
	$h{'X-Razorpay-Event-Id'} = $eid if defined $eid;
	return api(POST => '/api/payments/webhook', body => $body,
	    type => $o{type} // 'application/json', headers => \%h);
}

sub status_is {
	my ($r, $want, $what) = @_;
	my $ok = is($r->{status} . ' ' . (json_body($r)->{status} // '-'),
	    "200 $want", $what);
	diag($r->{content}) unless $ok;
	return $ok;
}

sub payment_row {
	my ($pid) = @_;
	my @r = sql("SELECT status, method, amount, currency, order_id,"
	    . " provider_order_id, (paid_at IS NOT NULL) FROM payments"
	    . " WHERE provider_payment_id = :'p1'", $pid);
	return $r[0] || [];
}

sub order_status {
	sql_one("SELECT status FROM payment_orders WHERE provider_order_id"
	    . " = :'p1'", $_[0]);
}

sub enrollment {
	my ($uid, $cid) = @_;
	my @r = sql("SELECT status, source FROM enrollments WHERE user_id ="
	    . " :'p1' AND course_id = :'p2'", $uid, $cid);
	return @r ? join(' ', @{ $r[0] }) : 'none';
}

# Counts that must not move on a redelivery.
sub counts {
	return join(' ', map { sql_one($_) } (
	    'SELECT count(*) FROM payments',
	    'SELECT count(*) FROM payment_transitions',
	    'SELECT count(*) FROM enrollments',
	    'SELECT count(*) FROM webhook_events',
	    'SELECT count(*) FROM payment_orders WHERE status = \'paid\''));
}

# Run n children at once (each waits for a common start instant);
# returns what each returned (one line of text).
sub parallel {
	my (@subs) = @_;
	my $start = Time::HiRes::time() + 1.0;
	my @kids;
	for my $i (0 .. $#subs) {
		my $tmp = File::Temp->new;
		my $pid = fork() // die "fork: $!";
		if ($pid == 0) {
			my $wait = $start - Time::HiRes::time();
			Time::HiRes::sleep($wait) if $wait > 0;
			my $out = eval { $subs[$i]->() } // "error $@";
			open(my $fh, '>', $tmp->filename) or POSIX::_exit(1);
			print $fh $out;
			close($fh);
			POSIX::_exit(0);
		}
		push @kids, [$pid, $tmp];
	}
	my @out;
	for my $k (@kids) {
		waitpid($k->[0], 0);
		open(my $fh, '<', $k->[1]->filename) or die "child output: $!";
		local $/;
		push @out, scalar <$fh>;
		close($fh);
	}
	return @out;
}

# 1. payment.captured with the right signature: paid and enrolled.
my ($poid, $oid, $cid) = new_order();
my $pid = new_pay_id();
my $eid = new_event_id();
my $body = event_body('payment.captured', $poid, $pid);
my $r = deliver($body, event_id => $eid);
status_is($r, 'processed', 'payment.captured with the right signature');
is_deeply(payment_row($pid), ['paid', 'razorpay', 49900, 'INR', $oid, $poid,
    't'], '...records the payment paid, for the order, with paid_at');
is(order_status($poid), 'paid', '...marks the order paid');
is(enrollment($sid, $cid), 'active payment', '...and enrolls the payer');
is(sql_one("SELECT event FROM webhook_events WHERE event_id = :'p1'", $eid),
    'payment.captured', '...recording the event by its id');
is(sql_one("SELECT string_agg(coalesce(t.from_status, '-') || '>'"
    . " || t.to_status || ':' || t.source, ',' ORDER BY t.id)"
    . " FROM payment_transitions t JOIN payments p ON p.id = t.payment_id"
    . " WHERE p.provider_payment_id = :'p1'", $pid), '->paid:webhook',
    '...with one transition, made by the webhook');
like($r->{headers}{'x-request-id'} // '', qr/^\S{16,}$/,
    '...and an X-Request-Id');

# 2. The same delivery again: nothing more happens.
my $before = counts();
$r = deliver($body, event_id => $eid);
status_is($r, 'duplicate', 'the same event id again');
is(counts(), $before,
    '...changes no count (payments, transitions, enrollments, events)');
# A redelivery of the same id is a duplicate even with another body.
$r = deliver(event_body('payment.failed', $poid, $pid), event_id => $eid);
status_is($r, 'duplicate', '...also when its body differs');
is(payment_row($pid)->[0], 'paid', '...and the payment stays paid');

# 3. Signatures.
my ($poid3, $oid3, $cid3) = new_order();
my $pid3 = new_pay_id();
my $body3 = event_body('payment.captured', $poid3, $pid3);
$before = counts();
error_ok(deliver($body3, sig => hmac_sha256_hex($body3, "not-$secret")),
    400, 'invalid_signature', 'a signature made with another secret');
error_ok(deliver($body3, sig => undef), 400, 'invalid_signature',
    'no signature');
error_ok(deliver($body3, sig => ''), 400, 'invalid_signature',
    'an empty signature');
error_ok(deliver($body3, sig => substr(hmac_sha256_hex($body3, $secret),
    0, 32)), 400, 'invalid_signature', 'half the right signature');
my $pretty = JSON::PP->new->utf8->canonical->pretty->encode(
    $json->decode($body3));
isnt($pretty, $body3, 'the body re-serialised with other white space'
    . ' differs in its bytes');
error_ok(deliver($pretty, sig => hmac_sha256_hex($body3, $secret)), 400,
    'invalid_signature', '...and with the original signature is refused');
(my $spaced = $body3) =~ s/,/, /;
error_ok(deliver($spaced, sig => hmac_sha256_hex($body3, $secret)), 400,
    'invalid_signature', 'one space added is refused too');
is(counts(), $before, 'no refused delivery wrote anything');
is(scalar(@{ payment_row($pid3) }), 0, '...no payment');
is(order_status($poid3), 'created', '...the order is still open');
error_ok(deliver($body3, type => 'text/plain'), 415,
    'unsupported_media_type', 'a body that is not application/json');

# The event id header.
error_ok(deliver($body3, event_id => undef), 400, 'validation_failed',
    'a signed delivery without X-Razorpay-Event-Id');
ok(exists json_body(deliver($body3, event_id => 'evt bad/id'))->{error}
    {fields}{'X-Razorpay-Event-Id'}, '...or with one of odd characters,'
    . ' naming the header');
error_ok(deliver($body3, event_id => 'e' x 129), 400, 'validation_failed',
    '...or one of 129 characters');
is(scalar(@{ payment_row($pid3) }), 0, '...and nothing was applied');

# Malformed events that are signed.
error_ok(deliver('{"event":"payment.captured"'), 400, 'invalid_json',
    'signed malformed JSON');
error_ok(deliver('[1,2]'), 400, 'invalid_json', 'a signed array');
my $r3 = deliver($json->encode({ event => 'payment.captured',
    payload => { payment => { entity => { id => $pid3, order_id => $poid3,
    amount => '49900', currency => 'INR' } } } }));
error_ok($r3, 400, 'validation_failed', 'an amount that is a string');
ok(json_body($r3)->{error}{fields}{'payload.payment.entity.amount'},
    '...names the member');
error_ok(deliver($json->encode({ event => 'payment.captured' })), 400,
    'validation_failed', 'payment.captured without a payment entity');
is(counts(), $before, '...and none of them wrote anything');

# Now the good one for order 3 goes through.
status_is(deliver($body3), 'processed', 'the right delivery after all that');

# 4. payment.failed after the payment was captured: it stays paid.
$before = sql_one('SELECT count(*) FROM payment_transitions');
$r = deliver(event_body('payment.failed', $poid, $pid));
status_is($r, 'processed', 'payment.failed for a paid payment');
is(payment_row($pid)->[0], 'paid', '...leaves the payment paid');
is(order_status($poid), 'paid', '...and the order paid');
is(enrollment($sid, $cid), 'active payment', '...and the enrollment active');
is(sql_one('SELECT count(*) FROM payment_transitions'), $before,
    '...with no transition');

# 5. payment.failed first, then payment.captured of another attempt of
# the same order: paid.
my ($poid5, $oid5, $cid5) = new_order();
my ($fail5, $pay5) = (new_pay_id(), new_pay_id());
status_is(deliver(event_body('payment.failed', $poid5, $fail5)),
    'processed', 'payment.failed of a first attempt');
is(payment_row($fail5)->[0], 'failed', '...records it failed');
is(payment_row($fail5)->[6], 'f', '...without paid_at');
is(order_status($poid5), 'created', '...and leaves the order open');
is(enrollment($sid, $cid5), 'none', '...enrolling nobody');
status_is(deliver(event_body('payment.captured', $poid5, $pay5)),
    'processed', 'payment.captured of a second attempt');
is(payment_row($pay5)->[0], 'paid', '...records that one paid');
is(payment_row($fail5)->[0], 'failed', '...the first stays failed');
is(order_status($poid5), 'paid', '...the order is paid');
is(enrollment($sid, $cid5), 'active payment', '...and the payer enrolled');

# The same payment failed, then captured (out of order): failed -> paid.
my ($poid5b, $oid5b, $cid5b) = new_order();
my $pay5b = new_pay_id();
status_is(deliver(event_body('payment.failed', $poid5b, $pay5b)),
    'processed', 'payment.failed of a payment');
status_is(deliver(event_body('payment.captured', $poid5b, $pay5b)),
    'processed', '...then payment.captured of the same payment');
is(payment_row($pay5b)->[0], 'paid', '...moves it forward to paid');
is(sql_one("SELECT string_agg(coalesce(t.from_status, '-') || '>'"
    . " || t.to_status, ',' ORDER BY t.id) FROM payment_transitions t"
    . " JOIN payments p ON p.id = t.payment_id"
    . " WHERE p.provider_payment_id = :'p1'", $pay5b), '->failed,failed>paid',
    '...through both transitions');
is(enrollment($sid, $cid5b), 'active payment', '...and enrolls');

# 6. order.paid.
my ($poid6, $oid6, $cid6) = new_order(amount => 150000);
my $pay6 = new_pay_id();
status_is(deliver(event_body('order.paid', $poid6, $pay6, amount => 150000,
    no_payment_order_id => 1)), 'processed',
    'order.paid (the order named in payload.order.entity)');
is_deeply(payment_row($pay6), ['paid', 'razorpay', 150000, 'INR', $oid6,
    $poid6, 't'], '...records the payment paid');
is(order_status($poid6), 'paid', '...the order paid');
is(enrollment($sid, $cid6), 'active payment', '...and enrolls');
status_is(deliver(event_body('payment.captured', $poid6, $pay6,
    amount => 150000)), 'processed',
    'payment.captured of the same payment afterwards (another event id)');
is(sql_one("SELECT count(*) FROM payments WHERE order_id = :'p1'", $oid6), 1,
    '...still one payment');

# 7. Events we do not act on.
my $eid7 = new_event_id();
$before = counts();
$r = deliver($json->encode({ entity => 'event', event => 'refund.created',
    payload => { refund => { entity => { id => 'rfnd_x' } } },
    extra => [1, 2, 3] }), event_id => $eid7);
status_is($r, 'ignored', 'an event we do not handle');
is(sql_one("SELECT event FROM webhook_events WHERE event_id = :'p1'", $eid7),
    'refund.created', '...is still recorded');
my $unknown = "order_wh${run}unknown";
my $pay7 = new_pay_id();
status_is(deliver(event_body('payment.captured', $unknown, $pay7)),
    'ignored', 'payment.captured for an order we do not know');
is(scalar(@{ payment_row($pay7) }), 0, '...records no payment');
status_is(deliver(event_body('payment.failed', $unknown, $pay7)),
    'ignored', '...and so does payment.failed');
my @c0 = split ' ', $before;
my @c1 = split ' ', counts();
is_deeply([@c1[0 .. 2, 4]], [@c0[0 .. 2, 4]],
    '...no payment, transition, enrollment or order changed');
is($c1[3], $c0[3] + 3, '...three events recorded');

# 8. An amount or currency that differs from the order's.
my ($poid8, $oid8, $cid8) = new_order();
my $pay8 = new_pay_id();
$r = deliver(event_body('payment.captured', $poid8, $pay8, amount => 100));
status_is($r, 'rejected', 'payment.captured for another amount');
is(scalar(@{ payment_row($pay8) }), 0, '...records no payment');
is(order_status($poid8), 'created', '...leaves the order open');
is(enrollment($sid, $cid8), 'none', '...enrolls nobody');
my $rid8 = $r->{headers}{'x-request-id'};
is(sql_one("SELECT status || ' ' || code FROM error_logs"
    . " WHERE request_id = :'p1'", $rid8), '502 upstream_error',
    '...and is in the error log');
like(sql_one("SELECT message FROM error_logs WHERE request_id = :'p1'",
    $rid8), qr/\Q$poid8\E/, '...naming the order');
status_is(deliver(event_body('payment.captured', $poid8, new_pay_id(),
    currency => 'USD')), 'rejected', '...another currency too');
is(order_status($poid8), 'created', '...and the order is still open');

# 9. Verify and webhook for the same payment at the same moment.
{
	my @rounds;
	for my $i (1 .. 4) {
		my ($po, $o, $c) = new_order();
		push @rounds, [$po, $o, $c, new_pay_id()];
	}
	my (@vst, @wst);
	for my $rd (@rounds) {
		my ($po, $o, $c, $p) = @$rd;
		my $vsig = hmac_sha256_hex("$po|$p", $key_secret);
		my $wbody = event_body('payment.captured', $po, $p);
		my $weid = new_event_id();	# not in the child: forks share $seq
		my @out = parallel(
		    sub {
			    my $x = api(POST => '/api/payments/verify',
				token => $student->{access_token},
				json => { razorpay_order_id => $po,
				razorpay_payment_id => $p,
				razorpay_signature => $vsig });
			    return $x->{status};
		    },
		    sub {
			    my $x = deliver($wbody, event_id => $weid);
			    return "$x->{status} "
				. (json_body($x)->{status} // '-');
		    });
		push @vst, $out[0];
		push @wst, $out[1];
	}
	is_deeply(\@vst, [(200) x 4], 'verify at the same moment as the'
	    . ' webhook answers 200 (four rounds)');
	is_deeply(\@wst, [('200 processed') x 4], '...and so does the webhook');
	my $in = join(',', map { $_->[1] } @rounds);
	is(sql_one("SELECT count(*) FROM payments WHERE order_id = ANY"
	    . " (string_to_array(:'p1', ',')::bigint[])", $in), 4,
	    '...one payment per order');
	is(sql_one("SELECT count(*) FROM payments WHERE order_id = ANY"
	    . " (string_to_array(:'p1', ',')::bigint[]) AND status = 'paid'",
	    $in), 4, '...each paid');
	is(sql_one("SELECT count(*) FROM payment_transitions t JOIN payments p"
	    . " ON p.id = t.payment_id WHERE p.order_id = ANY"
	    . " (string_to_array(:'p1', ',')::bigint[])", $in), 4,
	    '...with one transition each');
	is(sql_one("SELECT count(*) FROM enrollments WHERE user_id = :'p1'"
	    . " AND course_id = ANY (string_to_array(:'p2', ',')::bigint[])"
	    . " AND status = 'active'", $sid,
	    join(',', map { $_->[2] } @rounds)), 4, '...one enrollment each');
	is(sql_one("SELECT count(*) FROM payment_orders WHERE id = ANY"
	    . " (string_to_array(:'p1', ',')::bigint[]) AND status = 'paid'",
	    $in), 4, '...and every order paid');
}

# 10. Ten deliveries of one event at once: one effect.
my ($poid10, $oid10, $cid10) = new_order();
my $pay10 = new_pay_id();
my $eid10 = new_event_id();
my $body10 = event_body('payment.captured', $poid10, $pay10);
my @out = parallel(map { sub {
	my $x = deliver($body10, event_id => $eid10);
	return "$x->{status} " . (json_body($x)->{status} // '-');
} } 1 .. 10);
is(scalar(grep { $_ eq '200 processed' } @out), 1,
    'ten deliveries of one event at once: one is processed')
    or diag(join(', ', @out));
is(scalar(grep { $_ eq '200 duplicate' } @out), 9,
    '...nine are duplicates');
is(sql_one("SELECT count(*) FROM payments WHERE order_id = :'p1'", $oid10),
    1, '...one payment');
is(sql_one("SELECT count(*) FROM payment_transitions t JOIN payments p"
    . " ON p.id = t.payment_id WHERE p.order_id = :'p1'", $oid10), 1,
    '...one transition');
is(sql_one("SELECT count(*) FROM enrollments WHERE user_id = :'p1'"
    . " AND course_id = :'p2'", $sid, $cid10), 1, '...one enrollment');
is(sql_one("SELECT count(*) FROM webhook_events WHERE event_id = :'p1'",
    $eid10), 1, '...one recorded event');

# Different events about one payment at once (captured and order.paid,
# each delivered with its own id): still one payment.
my ($poid11, $oid11, $cid11) = new_order();
my $pay11 = new_pay_id();
@out = parallel(map { my $ev = $_ % 2 ? 'order.paid' : 'payment.captured';
    my $e = new_event_id(); sub {
	my $x = deliver(event_body($ev, $poid11, $pay11), event_id => $e);
	return "$x->{status} " . (json_body($x)->{status} // '-');
} } 1 .. 6);
is(scalar(grep { $_ eq '200 processed' } @out), 6,
    'six different events about one payment at once are all processed')
    or diag(join(', ', @out));
is(sql_one("SELECT count(*) || ' ' || count(*) FILTER (WHERE status ="
    . " 'paid') FROM payments WHERE order_id = :'p1'", $oid11), '1 1',
    '...into one paid payment');
is(sql_one("SELECT count(*) FROM payment_transitions t JOIN payments p"
    . " ON p.id = t.payment_id WHERE p.order_id = :'p1'", $oid11), 1,
    '...with one transition');

# No signature we sent is in the server's logs or the error log table.
my $logdir = $ENV{LECTERN_TEST_LOGDIR};
ok($logdir && -d $logdir, 'LECTERN_TEST_LOGDIR names the server logs');
{
	my $text = '';
	for my $f (glob("$logdir/*")) {
		next unless -f $f;
		open(my $fh, '<', $f) or next;
		local $/;
		$text .= <$fh> // '';
		close($fh);
	}
	ok(length($text) > 0, 'the server logs were read');
	my @leaked = grep { length($_) >= 16 && index($text, $_) >= 0 }
	    @sent_sigs;
	is(scalar(@leaked), 0, '...and hold none of the signatures sent');
}
my $rows = join("\n", map { join(' ', map { $_ // '' } @$_) }
    sql('SELECT code, message, path FROM error_logs'));
is(scalar(grep { length($_) >= 16 && index($rows, $_) >= 0 } @sent_sigs), 0,
    'error_logs holds none of the signatures sent');

done_testing();

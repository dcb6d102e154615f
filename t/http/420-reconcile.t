#!/usr/bin/perl
# lectern — bin/lectern-reconcile: open orders older than --older-than
# are settled from what the gateway (the Razorpay stand-in) lists for
# them, exactly once, as the application role; young orders, empty
# lists, failed and merely authorized payments, gateway errors, a
# dry run and bad configuration each do what the program documents.
use strict;
use warnings;
use File::Temp ();
use HTTP::Tiny;
use JSON::PP;
use Test::More;
use Lectern::Test;

base_url();

my $bin = builddir() . '/bin/lectern-reconcile';
ok(-x $bin, 'bin/lectern-reconcile is built') or BAIL_OUT("no $bin");
for my $v (qw(LECTERN_DATABASE_URL LECTERN_TEST_RAZORPAY_URL
    LECTERN_RAZORPAY_API_BASE LECTERN_RAZORPAY_KEY_ID
    LECTERN_RAZORPAY_KEY_SECRET)) {
	BAIL_OUT("$v is not set (run scripts/test)") unless $ENV{$v};
}
my $appdb = $ENV{LECTERN_DATABASE_URL};
my $rzp = $ENV{LECTERN_TEST_RAZORPAY_URL};
my $key_secret = $ENV{LECTERN_RAZORPAY_KEY_SECRET};
my $json = JSON::PP->new->utf8->canonical;
my $price = 49900;

# control(PATH, DATA): one call to the stand-in's control API.
sub control {
	my ($path, $data) = @_;
	my $r = HTTP::Tiny->new(timeout => 10)->request(
	    $data ? 'POST' : 'GET', "$rzp/__control/$path", $data ? {
		headers => { 'Content-Type' => 'application/json' },
		content => $json->encode($data) } : {});
	die "stand-in $path: $r->{status}\n" unless $r->{success};
	return $json->decode($r->{content} || '{}');
}

# run(\%env, @args): exit status, standard output and standard error of
# one run, as the application role (DATABASE_URL, the owner, removed).
sub run {
	my ($env, @args) = @_;
	my $out = File::Temp->new;
	my $err = File::Temp->new;
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		delete $ENV{DATABASE_URL};
		$ENV{LECTERN_DATABASE_URL} = $appdb;
		for my $k (keys %$env) {
			if (defined $env->{$k}) {
				$ENV{$k} = $env->{$k};
			} else {
				delete $ENV{$k};
			}
		}
		open(STDIN, '<', '/dev/null') or die;
		open(STDOUT, '>', $out->filename) or die;
		open(STDERR, '>', $err->filename) or die;
		exec($bin, @args) or exit(127);
	}
	waitpid($pid, 0);
	my $rc = $? >> 8;
	local $/;
	open(my $fh, '<', $out->filename) or die;
	my $o = <$fh> // '';
	open($fh, '<', $err->filename) or die;
	my $e = <$fh> // '';
	return ($rc, $o, $e);
}

# Everything printed must be free of the key secret and the database URL
# (whose password it holds).
my $printed = '';
sub run_logged {
	my @r = run(@_);
	$printed .= $r[1] . $r[2];
	return @r;
}

sub rand_id { join('', map { ('a' .. 'z', 0 .. 9)[rand 36] } 1 .. 12) }

# The state of the payment tables that a run could change.
sub snapshot {
	return join(' ', map { sql_one($_) }
	    'SELECT count(*) FROM payments',
	    'SELECT count(*) FROM payment_transitions',
	    "SELECT count(*) FROM enrollments WHERE status = 'active'",
	    "SELECT count(*) FROM payment_orders WHERE status = 'created'",
	    'SELECT coalesce(max(updated_at)::text, \'\') FROM payments');
}

my $teacher = register_user(tag => 'reco-teacher');
sql("UPDATE users SET role = 'teacher' WHERE id = :'p1'",
    $teacher->{user}{id});
my $course = sql_one("INSERT INTO courses (instructor_id, title,"
    . " price_minor, currency, published) VALUES (:'p1', 'Reconciled',"
    . " :'p2', 'INR', true) RETURNING id", $teacher->{user}{id}, $price);
ok($course, 'a paid course exists');

# new_order(TAG, AGE_MINUTES, ITEMS): a student with an open order of
# that age for the course, and the payments the stand-in lists for it
# (undef: the stand-in is not told about the order).
sub new_order {
	my ($tag, $age, $items) = @_;
	my $u = register_user(tag => "reco-$tag");
	my $poid = 'order_reco' . rand_id();
	my $id = sql_one("INSERT INTO payment_orders (user_id, course_id,"
	    . " amount, currency, provider_order_id, status, created_at)"
	    . " VALUES (:'p1', :'p2', :'p3', 'INR', :'p4', 'created',"
	    . " now() - make_interval(mins => :'p5')) RETURNING id",
	    $u->{user}{id}, $course, $price, $poid, $age);
	if ($items) {
		control('payments', { order_id => $poid, items => [ map { {
			id => $_->{id}, entity => 'payment',
			amount => $_->{amount} // $price, currency => 'INR',
			status => $_->{status}, order_id => $poid,
			method => 'card', email => $u->{email},
			contact => '+919999999999', created_at => time() }
		    } @$items ] });
	}
	return { uid => $u->{user}{id}, poid => $poid, id => $id };
}

# The line a run prints for order O: "order ID: TEXT", whole (or, with
# PREFIX set, starting with TEXT).
sub line_of {
	my ($o, $text, $prefix) = @_;
	return $prefix ? qr/^order \Q$o->{poid}\E: \Q$text\E/m
	    : qr/^order \Q$o->{poid}\E: \Q$text\E$/m;
}

sub order_status {
	sql_one("SELECT status FROM payment_orders WHERE id = :'p1'",
	    $_[0]{id});
}

sub payments_of {
	sql("SELECT provider_payment_id, status, method, amount, currency,"
	    . " user_id, course_id, order_id, provider_order_id,"
	    . " paid_at IS NOT NULL FROM payments WHERE provider_order_id"
	    . " = :'p1' ORDER BY id", $_[0]{poid});
}

sub enrollment_of {
	my ($o) = @_;
	my ($row) = sql("SELECT status, source FROM enrollments WHERE"
	    . " user_id = :'p1' AND course_id = :'p2'", $o->{uid}, $course);
	return $row ? "$row->[0]/$row->[1]" : 'none';
}

control('reset', {});
my ($pay_a, $pay_b, $pay_d, $pay_e, $pay_f) =
    map { 'pay_reco' . rand_id() } 1 .. 5;
my $paid = new_order('paid', 20, [ { id => $pay_a, status => 'captured' } ]);
my $young = new_order('young', 5, [ { id => $pay_b, status => 'captured' } ]);
my $empty = new_order('empty', 21, []);
my $failed = new_order('failed', 22, [ { id => $pay_d, status => 'failed' } ]);
my $wrong = new_order('wrong', 23, [ { id => $pay_e, status => 'captured',
    amount => $price - 100 } ]);
my $authd = new_order('authorized', 24,
    [ { id => $pay_f, status => 'authorized' } ]);

# Usage.
my ($rc, $out, $err) = run_logged({}, '--help');
is($rc, 0, '--help exits 0');
like($out, qr/--older-than.*--limit.*--dry-run/s, '...and lists the options');
for my $bad (['--older-than', 'x'], ['--older-than', '-1'], ['--limit', '0'],
    ['--frobnicate'], ['extra']) {
	($rc) = run_logged({}, @$bad);
	is($rc, 2, "@$bad is a usage error (exit 2)");
}

# A dry run asks the gateway and changes nothing.
my $before = snapshot();
($rc, $out, $err) = run_logged({}, '--dry-run');
is($rc, 0, '--dry-run exits 0') or diag($err);
like($out, line_of($paid, "would be paid (payment $pay_a)"),
    '...saying the captured order would be paid');
like($out, line_of($failed, "would be recorded as failed ($pay_d)"),
    '...and the failed payment would be recorded');
like($out, qr/\(dry run\)/, '...and that it was a dry run');
is(snapshot(), $before, '...and changes nothing in the database');
is(order_status($paid), 'created', '...the order is still open');

# The real run.
control('reset', {});
($rc, $out, $err) = run_logged({});
is($rc, 0, 'a run exits 0') or diag($err);
like($out, line_of($paid, "paid (payment $pay_a)"),
    '...saying the order with a captured payment is paid');
like($out, line_of($empty, 'no payment yet'),
    '...that the order with no payment has none yet');
like($out, line_of($failed, "failed ($pay_d)"),
    '...that the failed payment failed');
like($out, line_of($wrong,
    "error: payment $pay_e: amount or currency differs", 1),
    '...that a capture for the wrong amount is an error');
like($out, line_of($authd, "no captured payment yet ($pay_f authorized)"),
    '...that an authorized payment is not captured yet');
unlike($out, qr/\Q$young->{poid}\E/, '...and nothing of the young order');
like($out, qr/^lectern-reconcile: \d+ orders checked: [1-9]\d* paid, /m,
    '...and a summary');

is(order_status($paid), 'paid', 'the captured order is paid');
is_deeply([payments_of($paid)], [[$pay_a, 'paid', 'razorpay', $price, 'INR',
    $paid->{uid}, $course, $paid->{id}, $paid->{poid}, 't']],
    '...with one paid razorpay payment of the order\'s amount');
is(enrollment_of($paid), 'active/payment',
    '...and the student is enrolled by payment');
is_deeply([sql("SELECT coalesce(t.from_status, ''), t.to_status, t.source"
    . " FROM payment_transitions t JOIN payments p ON p.id = t.payment_id"
    . " WHERE p.provider_payment_id = :'p1' ORDER BY t.id", $pay_a)],
    [['', 'paid', 'reconcile']],
    '...one transition, to paid, by reconcile');

is(order_status($failed), 'created',
    'the order with a failed payment stays open');
is_deeply([map { [@$_[0, 1, 9]] } payments_of($failed)],
    [[$pay_d, 'failed', 'f']], '...with the payment recorded as failed');
is(enrollment_of($failed), 'none', '...and no enrollment');

for my $case ([$empty, 'no payment'], [$wrong, 'a wrong amount'],
    [$authd, 'an authorized payment'], [$young, 'a young order']) {
	my ($o, $what) = @$case;
	is(order_status($o), 'created', "the order with $what stays open");
	is(scalar(payments_of($o)), 0, '...with no payment row');
	is(enrollment_of($o), 'none', '...and no enrollment');
}

my @seen = @{ control('requests')->{items} };
my %paths = map { $_->{path} => 1 } @seen;
ok($paths{"/v1/orders/$paid->{poid}/payments"},
    'the stand-in was asked for the order\'s payments');
ok(!$paths{"/v1/orders/$young->{poid}/payments"},
    '...but never for the young order');
ok(!grep({ !$_->{auth_ok} || $_->{method} ne 'GET' } @seen),
    '...every call a GET with the right basic auth');

# Again: nothing changes.
$before = snapshot();
($rc, $out, $err) = run_logged({});
is($rc, 0, 'a second run exits 0') or diag($err);
unlike($out, qr/\Q$paid->{poid}\E/, '...and no longer looks at the paid order');
like($out, line_of($failed, "failed ($pay_d)"),
    '...finds the failed payment again');
is(snapshot(), $before,
    '...and changes nothing (rows, transitions, enrollments, orders)');

# --limit takes the oldest first.
($rc, $out) = run_logged({}, '--limit', '1', '--dry-run');
my @lines = $out =~ /^order /mg;
is(scalar(@lines), 1, '--limit 1 checks one order');
like($out, qr/^lectern-reconcile: 1 order checked \(dry run\)/m,
    '...and says so');

# A younger threshold reaches the young order.
($rc, $out) = run_logged({}, '--older-than', '1');
is($rc, 0, '--older-than 1 exits 0');
like($out, line_of($young, "paid (payment $pay_b)"),
    '...and pays the young order');
is(order_status($young), 'paid', '...which is paid');
is(enrollment_of($young), 'active/payment', '...and its student enrolled');

# The gateway failing: every call fails, the run says so and exits 1.
$before = snapshot();
for my $mode (['error', qr/gateway answered HTTP 500 \(SERVER_ERROR\)/],
    ['down', qr/gateway unreachable \(/]) {
	control('mode', { mode => $mode->[0] });
	($rc, $out, $err) = run_logged({});
	is($rc, 1, "with the gateway in $mode->[0] mode the run exits 1");
	like($out, qr/^order \Q$empty->{poid}\E: error: $mode->[1]/m,
	    '...with an error line per order');
	like($err, qr/every gateway call failed/, '...and says why');
	is(snapshot(), $before, '...changing nothing');
}
control('mode', { mode => 'ok' });

# One order's gateway error does not stop the others.
my $unknown = new_order('unknown', 25, undef);
($rc, $out, $err) = run_logged({});
is($rc, 0, 'an order the gateway does not know still exits 0');
like($out, line_of($unknown,
    'error: gateway answered HTTP 400 (BAD_REQUEST_ERROR)'),
    '...with an error line for it');
like($out, line_of($empty, 'no payment yet'),
    '...and the other orders checked');
sql("UPDATE payment_orders SET status = 'failed' WHERE id = :'p1'",
    $unknown->{id});

# Configuration that cannot work.
($rc, $out, $err) = run_logged({ LECTERN_RAZORPAY_KEY_SECRET => undef });
is($rc, 1, 'no key secret exits 1');
like($err, qr/LECTERN_RAZORPAY_KEY_SECRET must be set/, '...saying so');
($rc, $out, $err) = run_logged({ LECTERN_RAZORPAY_API_BASE =>
    'http://gateway.example.com/v1' });
is($rc, 1, 'a plain-http gateway off loopback exits 1');
like($err, qr/LECTERN_RAZORPAY_API_BASE must be an https/, '...saying so');
($rc, $out, $err) = run_logged({ LECTERN_DATABASE_URL => undef });
is($rc, 1, 'no database URL exits 1');
like($err, qr/LECTERN_DATABASE_URL and DATABASE_URL are unset/, '...saying so');
my $dbpw = 'Sup3r-s3cret-dbpass';
($rc, $out, $err) = run_logged({ LECTERN_DATABASE_URL =>
    "postgresql://lectern_app:$dbpw\@127.0.0.1:1/lectern?connect_timeout=2" });
is($rc, 1, 'an unreachable database exits 1');
like($err, qr/cannot connect to the database/, '...saying so');
unlike($printed, qr/\Q$dbpw\E/, '...without its password');

unlike($printed, qr/\Q$key_secret\E/, 'no run printed the key secret');
unlike($printed, qr/\Q$appdb\E/, '...nor the database URL');
my ($apppw) = $appdb =~ m{^postgres(?:ql)?://[^:/\@]+:([^\@]+)\@};
ok(!defined $apppw || index($printed, $apppw) < 0,
    '...nor the application role\'s password');

# Leave no open order of ours for the tests that follow.
sql("UPDATE payment_orders SET status = 'failed' WHERE status = 'created'"
    . " AND provider_order_id LIKE 'order_reco%'");
control('reset', {});
done_testing();

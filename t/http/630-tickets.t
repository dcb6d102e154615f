#!/usr/bin/perl
# lectern — support tickets (SPEC §6.4): numbers from a sequence (unique
# under parallel creation), priorities, assignment to staff, internal
# notes that never reach the requester (API or mail), the status machine
# with closed final, reopening by the requester's reply, mail on staff
# replies, and audited status and assignment changes.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();

my $admin = user_with_role('admin', tag => 'tk-adm');
my $atok = $admin->{access_token};
my $teacher = user_with_role('teacher', tag => 'tk-tch');
my $ttok = $teacher->{access_token};
my $req = register_user(tag => 'tk-req', name => 'Ticket Requester');
my $rtok = $req->{access_token};
my $other = register_user(tag => 'tk-oth');
my $run = "$$" . time();

sub reqmail {
	return map { $_->[0] } sql("SELECT subject || ' ' || replace(body, E'\\n', ' ')"
	    . " FROM email_outbox WHERE to_address = :'p1' ORDER BY id", $req->{email});
}

# Validation.
my $r = api(POST => '/api/tickets', token => $rtok, json => { subject => 'x' });
error_ok($r, 400, 'validation_failed', 'a ticket without a body');
$r = api(POST => '/api/tickets', token => $rtok,
    json => { subject => 'x', body => 'y', priority => 'meh' });
error_ok($r, 400, 'validation_failed', 'an unknown priority');
$r = api(POST => '/api/tickets', json => { subject => 'x', body => 'y' });
error_ok($r, 401, 'unauthorized', 'a ticket without signing in');

# 1. Open a ticket.
$r = api(POST => '/api/tickets', token => $rtok,
    json => { subject => "Cannot play video $run", body => "Lesson 3 stalls.\nChrome.",
    priority => 'high' });
is($r->{status}, 201, 'a user opens a ticket: 201') or diag($r->{content});
my $t = json_body($r);
my $tid = $t->{id};
like($t->{number} // '', qr/^T-\d{6,}$/, '...numbered T-000042 style');
is_deeply([@$t{qw(status priority subject)}], ['open', 'high', "Cannot play video $run"],
    '...open, high priority');
is($r->{headers}{location}, "/api/tickets/$tid", '...with Location');

# 2. Numbers are unique under 20 parallel creations.
my @kids;
for my $i (1 .. 20) {
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		my $x = api(POST => '/api/tickets', token => $rtok,
		    json => { subject => "Parallel $run $i", body => 'p' });
		open(my $fh, '>', "/tmp/lectern-tk-$$") or exit 1;
		print $fh "$x->{status} " . (($x->{json} || {})->{number} // '-') . "\n";
		close($fh);
		exit 0;
	}
	push @kids, $pid;
}
my (@codes, @numbers);
for my $pid (@kids) {
	waitpid($pid, 0);
	open(my $fh, '<', "/tmp/lectern-tk-$pid") or next;
	my ($code, $num) = split ' ', scalar <$fh>;
	close($fh);
	unlink("/tmp/lectern-tk-$pid");
	push @codes, $code;
	push @numbers, $num;
}
is(scalar(grep { $_ == 201 } @codes), 20, '20 parallel tickets are all created');
my %seen = map { $_ => 1 } @numbers;
is(scalar(keys %seen), 20, '...with 20 different numbers');

# 3. Who sees it.
$r = api(GET => "/api/tickets/$tid", token => $other->{access_token});
error_ok($r, 404, 'not_found', 'another user reading the ticket');
$r = api(GET => "/api/tickets/$tid", token => $ttok);
error_ok($r, 404, 'not_found', 'a teacher not assigned');
$r = api(GET => '/api/tickets?per_page=100', token => $other->{access_token});
is(json_body($r)->{total}, 0, 'another user lists no tickets');

# 4. Assign to the teacher (admin); audited.
$r = api(PATCH => "/api/tickets/$tid", token => $atok,
    json => { assigned_to => $teacher->{user}{id} + 0, priority => 'urgent' });
is($r->{status}, 200, 'an admin assigns the ticket') or diag($r->{content});
is(json_body($r)->{assigned_to}, $teacher->{user}{id}, '...to the teacher');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'ticket.assign'"
    . " AND target_id = :'p1'", $tid), 1, '...audited');
$r = api(PATCH => "/api/tickets/$tid", token => $atok,
    json => { assigned_to => $other->{user}{id} + 0 });
error_ok($r, 400, 'validation_failed', 'assigning to a student');
$r = api(GET => "/api/tickets/$tid", token => $ttok);
is($r->{status}, 200, 'the assignee reads the ticket');

# 5. An internal note and a public reply from staff.
my $secret = "INTERNAL-$run-note";
$r = api(POST => "/api/tickets/$tid/replies", token => $ttok,
    json => { body => "Suspect the CDN. $secret", internal => JSON::PP::true });
is($r->{status}, 201, 'the assignee writes an internal note') or diag($r->{content});
is(json_body($r)->{internal}, JSON::PP::true, '...marked internal');
my @before = reqmail();
$r = api(POST => "/api/tickets/$tid/replies", token => $ttok,
    json => { body => 'Please try again now.' });
is($r->{status}, 201, 'the assignee replies publicly');
my @after = reqmail();
is(scalar(@after), scalar(@before) + 1, '...one mail to the requester');
like($after[-1] // '', qr/Please try again now/, '...with the reply');
$r = api(POST => "/api/tickets/$tid/replies", token => $rtok,
    json => { body => 'sneaky', internal => JSON::PP::true });
error_ok($r, 403, 'forbidden', 'the requester writing an internal note');

# The requester never sees the note: detail, list, any mail.
$r = api(GET => "/api/tickets/$tid", token => $rtok);
is($r->{status}, 200, 'the requester reads the ticket');
my @bodies = map { $_->{body} } @{ json_body($r)->{replies} || [] };
is_deeply(\@bodies, ['Please try again now.'], '...only the public reply');
unlike($r->{content}, qr/\Q$secret\E/, '...the internal note is nowhere in it');
$r = api(GET => '/api/tickets?per_page=100', token => $rtok);
unlike($r->{content}, qr/\Q$secret\E/, '...nor in the list');
unlike(join("\n", reqmail()), qr/\Q$secret\E/, '...nor in any mail to the requester');
$r = api(GET => "/api/tickets/$tid", token => $atok);
is(scalar(grep { $_->{internal} } @{ json_body($r)->{replies} || [] }), 1,
    'an admin sees the internal note');

# 6. Status machine: pending, a requester's reply reopens; resolved,
# reopened again; closed is final.
$r = api(PATCH => "/api/tickets/$tid", token => $ttok, json => { status => 'pending' });
is(json_body($r)->{status}, 'pending', 'the assignee sets pending');
$r = api(PATCH => "/api/tickets/$tid", token => $rtok, json => { status => 'resolved' });
error_ok($r, 403, 'forbidden', 'the requester may not resolve');
$r = api(POST => "/api/tickets/$tid/replies", token => $rtok, json => { body => 'Still broken' });
is($r->{status}, 201, 'the requester replies');
is(sql_one("SELECT status FROM tickets WHERE id = :'p1'", $tid), 'open',
    '...which reopens the pending ticket');
api(PATCH => "/api/tickets/$tid", token => $ttok, json => { status => 'resolved' });
api(POST => "/api/tickets/$tid/replies", token => $rtok, json => { body => 'Again' });
is(sql_one("SELECT status FROM tickets WHERE id = :'p1'", $tid), 'open',
    '...and a resolved one');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'ticket.status'"
    . " AND target_id = :'p1'", $tid), 4, 'every status change is audited');
$r = api(PATCH => "/api/tickets/$tid", token => $rtok, json => { status => 'closed' });
is($r->{status}, 200, 'the requester closes the ticket');
is(json_body($r)->{status}, 'closed', '...closed');
ok(json_body($r)->{closed_at}, '...with closed_at');
$r = api(PATCH => "/api/tickets/$tid", token => $atok, json => { status => 'open' });
error_ok($r, 409, 'conflict', 'reopening a closed ticket');
$r = api(POST => "/api/tickets/$tid/replies", token => $rtok, json => { body => 'Hello?' });
error_ok($r, 409, 'conflict', 'replying to a closed ticket');
is(sql_one("SELECT status FROM tickets WHERE id = :'p1'", $tid), 'closed',
    '...it stays closed');
my $err = (sql("DO \$\$ BEGIN UPDATE tickets SET status = 'open', closed_at = NULL"
    . " WHERE id = $tid; EXCEPTION WHEN check_violation THEN"
    . " NULL; END \$\$; SELECT status FROM tickets WHERE id = $tid"))[0][0];
is($err, 'closed', '...and the schema refuses it too');

# Admin filters and full text.
$r = api(GET => "/api/tickets?q=stalls&status=closed&per_page=100", token => $atok);
ok((grep { $_->{id} == $tid } @{ json_body($r)->{items} || [] }),
    'an admin finds the ticket by a word of its body and status');
$r = api(GET => '/api/tickets?priority=urgent&per_page=5', token => $atok);
is($r->{status}, 200, '...and filters by priority');
$r = api(GET => '/api/tickets?status=maybe', token => $atok);
error_ok($r, 400, 'validation_failed', 'an unknown status filter');
$r = api(GET => '/api/tickets/999999999', token => $atok);
error_ok($r, 404, 'not_found', 'an unknown ticket');

done_testing();

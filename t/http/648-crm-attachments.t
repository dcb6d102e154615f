#!/usr/bin/perl
# lectern — files on ticket replies and messages (SPEC §6.1, purposes
# "ticket" and "message"): a reply names the replier's own ready uploads
# made for that ticket or thread; the other side reads them; an internal
# note's file stays with staff; anything else is refused with nothing
# written.
use strict;
use warnings;
use Test::More;
use JSON::PP ();
use Lectern::Test;

base_url();

my $admin = user_with_role('admin', tag => 'ca-adm');
my $teacher = user_with_role('teacher', tag => 'ca-tch');
my $stu = register_user(tag => 'ca-stu');
my $other = register_user(tag => 'ca-oth');
my ($atok, $ttok, $stok, $otok) = map { $_->{access_token} }
    ($admin, $teacher, $stu, $other);

my $png = "\x89PNG\r\n\x1a\n" . ("\0" x 200);

# The path and query of a signed URL.
sub rel { my ($u) = @_; $u =~ s{^https?://[^/]+}{}; return $u }

# A ready upload by tok for purpose and target; its id.
sub ready_upload {
	my ($tok, $purpose, $target, %o) = @_;
	my $r = api(POST => '/api/uploads/sign', token => $tok, json => {
	    filename => 'screen.png', content_type => 'image/png',
	    size => length($png), purpose => $purpose,
	    target_id => $target + 0 });
	is($r->{status}, 201, "an upload for the $purpose is signed")
	    or diag($r->{content});
	my $s = json_body($r) || {};
	return $s->{upload}{id} if $o{pending};
	$r = api(PUT => rel($s->{put}{url} // '/'), body => $png,
	    type => 'image/png');
	is($r->{status}, 201, '...and PUT') or diag($r->{content});
	return $s->{upload}{id};
}

# Whether tok may read upload id, and the bytes behind its URL.
sub reads {
	my ($tok, $id) = @_;
	my $r = api(GET => "/api/uploads/$id", token => $tok);
	return $r->{status} if $r->{status} != 200;
	$r = api(GET => rel(json_body($r)->{get}{url}));
	return $r->{status} == 200 && $r->{content} eq $png ? 'bytes'
	    : $r->{status};
}

# Tickets.
my $r = api(POST => '/api/tickets', token => $stok,
    json => { subject => 'The video will not play', body => 'Lesson 3.' });
is($r->{status}, 201, 'a student opens a ticket') or diag($r->{content});
my $tid = json_body($r)->{id};
$r = api(PATCH => "/api/tickets/$tid", token => $atok,
    json => { assigned_to => $teacher->{user}{id} + 0 });
is($r->{status}, 200, '...an admin assigns it to a teacher')
    or diag($r->{content});

my $shot = ready_upload($stok, 'ticket', $tid);
$r = api(POST => "/api/tickets/$tid/replies", token => $stok,
    json => { body => 'Here is a screenshot.', attachment_ids => [$shot + 0] });
is($r->{status}, 201, 'the requester replies with the screenshot')
    or diag($r->{content});
is_deeply(json_body($r)->{attachment_ids}, [$shot], '...the reply names it');
$r = api(GET => "/api/tickets/$tid", token => $ttok);
my ($rep) = grep { @{ $_->{attachment_ids} || [] } }
    @{ json_body($r)->{replies} || [] };
is_deeply($rep && $rep->{attachment_ids}, [$shot],
    'the assignee sees the reply with its file');
is(reads($ttok, $shot), 'bytes', '...and downloads it');
is(reads($atok, $shot), 'bytes', 'an admin downloads it');
is(reads($otok, $shot), 404, 'someone else gets 404');

# An internal note's file: staff only.
my $note = ready_upload($ttok, 'ticket', $tid);
$r = api(POST => "/api/tickets/$tid/replies", token => $ttok,
    json => { body => 'Codec log.', internal => JSON::PP::true(),
    attachment_ids => [$note + 0] });
is($r->{status}, 201, 'the assignee adds an internal note with a file')
    or diag($r->{content});
is(reads($stok, $note), 404, '...which the requester cannot read');
is(reads($atok, $note), 'bytes', '...and an admin can');
$r = api(GET => "/api/tickets/$tid", token => $stok);
ok(!(grep { grep { $_ == $note } @{ $_->{attachment_ids} || [] } }
    @{ json_body($r)->{replies} || [] }),
    '...nor see named in the ticket');

# Refusals, and nothing written.
my $count = sub { sql_one("SELECT count(*) FROM ticket_replies"
    . " WHERE ticket_id = :'p1'", $tid) };
my $n = $count->();
$r = api(POST => '/api/tickets', token => $otok,
    json => { subject => 'Mine', body => 'x' });
my $tid2 = json_body($r)->{id};
my $elsewhere = ready_upload($otok, 'ticket', $tid2);
my $pending = ready_upload($stok, 'ticket', $tid, pending => 1);
my $teachers = ready_upload($ttok, 'ticket', $tid);
for my $case ([[$elsewhere + 0], "another ticket's (and person's) upload"],
    [[$pending + 0], 'an upload not yet PUT'],
    [[$teachers + 0], "someone else's upload for this ticket"],
    [[$shot + 0, $shot + 0], 'the same upload twice'],
    [['1'], 'an id as a string'], ['12', 'not a list']) {
	$r = api(POST => "/api/tickets/$tid/replies", token => $stok,
	    json => { body => 'again', attachment_ids => $case->[0] });
	error_ok($r, 400, 'validation_failed', "a reply naming $case->[1]");
}
is($count->(), $n, '...and no reply was written');
is(reads($stok, $elsewhere), 404,
    "the other ticket's file stays out of the requester's reach");

# Messages.
$r = api(POST => '/api/messages', token => $stok,
    json => { subject => 'Question about the essay', body => 'Hello' });
is($r->{status}, 201, 'a student writes to the staff inbox')
    or diag($r->{content});
my $thid = json_body($r)->{thread}{id};
my $mfile = ready_upload($stok, 'message', $thid);
$r = api(POST => "/api/messages/$thid/replies", token => $stok,
    json => { body => 'My draft.', attachment_ids => [$mfile + 0] });
is($r->{status}, 201, '...and sends a file in the thread')
    or diag($r->{content});
is_deeply(json_body($r)->{attachment_ids}, [$mfile], '...the message names it');
$r = api(GET => "/api/messages/$thid", token => $atok);
ok((grep { grep { $_ == $mfile } @{ $_->{attachment_ids} || [] } }
    @{ json_body($r)->{messages} || [] }), 'an admin sees it in the thread');
is(reads($atok, $mfile), 'bytes', '...and downloads it');
is(reads($otok, $mfile), 404, 'someone outside the thread gets 404');
is(reads($ttok, $mfile), 404, 'so does a teacher not in it');

my $mn = sql_one("SELECT count(*) FROM messages WHERE thread_id = :'p1'", $thid);
$r = api(POST => "/api/messages/$thid/replies", token => $stok,
    json => { body => 'wrong', attachment_ids => [$shot + 0] });
error_ok($r, 400, 'validation_failed', "a message naming a ticket's upload");
is(sql_one("SELECT count(*) FROM messages WHERE thread_id = :'p1'", $thid),
    $mn, '...and no message was written');

# A deleted upload leaves the reader's reach.
$r = api(DELETE => "/api/uploads/$mfile", token => $stok);
is($r->{status}, 204, 'the sender deletes the file');
is(reads($atok, $mfile), 404, '...and nobody reads it any more');

done_testing();

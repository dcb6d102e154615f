#!/usr/bin/perl
# lectern — the tutor's daily quota: LECTERN_TUTOR_DAILY (50) messages
# per user and UTC day; the 51st is 429 quota_exceeded with Retry-After
# to the next UTC midnight, and nothing of it is stored or sent on; 20
# parallel sends at 49 end with exactly one accepted; token usage is
# stored per message.
use strict;
use warnings;
use POSIX ();
use Test::More;
use Lectern::Test;
use Lectern::Tutor;

base_url();

END { eval { oai_mode() } }
oai_control(POST => '/reset');
oai_mode(reply => 'Which step comes first?', prompt_tokens => 120,
    completion_tokens => 30);

my $today = sql_one("SELECT (now() AT TIME ZONE 'UTC')::date");

sub user_and_conversation {
	my ($tag) = @_;
	my $u = register_user(tag => $tag);
	my $c = json_body(new_conversation($u->{access_token}, title => 'Quota'));
	BAIL_OUT('no conversation') unless $c->{id};
	return ($u, $c->{id});
}
sub set_used {
	my ($uid, $n) = @_;
	sql("INSERT INTO tutor_quota (user_id, day, used) VALUES (:'p1',"
	    . " (now() AT TIME ZONE 'UTC')::date, :'p2') ON CONFLICT (user_id, day)"
	    . " DO UPDATE SET used = excluded.used", $uid, $n);
}
sub used_of {
	return sql_one("SELECT used FROM tutor_quota WHERE user_id = :'p1'"
	    . " AND day = :'p2'", $_[0], $today) // 0;
}
sub messages_in {
	return sql_one("SELECT count(*) FROM tutor_messages WHERE"
	    . " conversation_id = :'p1'", $_[0]);
}

# The first message of the day starts the count.
my ($u, $cid) = user_and_conversation('tutq-a');
my $tok = $u->{access_token};
my $r = send_message($tok, $cid, 'First question');
is($r->{status}, 201, 'the first message of the day: 201');
is(json_body($r)->{quota}{used}, 1, '...used 1');
is(json_body($r)->{quota}{limit}, 50, '...of 50');
is(used_of($u->{user}{id}), 1, '...counted in tutor_quota for the UTC day');
is_deeply([sql("SELECT prompt_tokens, completion_tokens FROM tutor_messages"
    . " WHERE conversation_id = :'p1' AND role = 'assistant'", $cid)],
    [[120, 30]], 'token usage is stored with the reply');

# The 50th goes through; the 51st does not.
set_used($u->{user}{id}, 49);
$r = send_message($tok, $cid, 'The fiftieth');
is($r->{status}, 201, 'the 50th message of the day: 201');
is(json_body($r)->{quota}{used}, 50, '...used 50');
my $n = messages_in($cid);
my $calls = scalar(oai_requests());
$r = send_message($tok, $cid, 'The fifty-first');
error_ok($r, 429, 'quota_exceeded', 'the 51st message of the day');
my $wait = (int(time() / 86400) + 1) * 86400 - time();
my $ra = $r->{headers}{'retry-after'} // -1;
ok($ra =~ /^\d+$/ && abs($ra - $wait) <= 5,
    "...Retry-After: seconds to the next UTC midnight ($ra, want ~$wait)");
is(messages_in($cid), $n, '...nothing stored');
is(scalar(oai_requests()), $calls, '...and the model was not asked');
is(used_of($u->{user}{id}), 50, '...the count stays at 50');
$r = new_conversation($tok, title => 'Another');
my $other = json_body($r)->{id};
$r = send_message($tok, $other, 'In another conversation');
error_ok($r, 429, 'quota_exceeded', '...the quota is the user\'s, not the conversation\'s');

# Someone else's quota is their own.
my ($v, $vcid) = user_and_conversation('tutq-b');
$r = send_message($v->{access_token}, $vcid, 'Mine');
is($r->{status}, 201, 'another user is not held back');

# Yesterday's count does not hold today.
my ($w, $wcid) = user_and_conversation('tutq-c');
sql("INSERT INTO tutor_quota (user_id, day, used) VALUES (:'p1',"
    . " (now() AT TIME ZONE 'UTC')::date - 1, 50)", $w->{user}{id});
$r = send_message($w->{access_token}, $wcid, 'A new day');
is($r->{status}, 201, 'a full quota yesterday does not count today');

# Twenty at once with one left: exactly one gets through.
my ($p, $pcid) = user_and_conversation('tutq-p');
set_used($p->{user}{id}, 49);
$calls = scalar(oai_requests());
my @kids;
for my $i (1 .. 20) {
	pipe(my $rd, my $wr) or die "pipe: $!";
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0) {
		close($rd);
		my $res = send_message($p->{access_token}, $pcid, "Parallel $i");
		print $wr $res->{status};
		close($wr);
		POSIX::_exit(0);
	}
	close($wr);
	push @kids, [$pid, $rd];
}
my %status;
for my $k (@kids) {
	my $fh = $k->[1];
	my $s = <$fh> // 'none';
	close($fh);
	waitpid($k->[0], 0);
	$status{$s}++;
}
is($status{201} // 0, 1, '20 parallel sends at 49: exactly one 201')
    or diag(explain(\%status));
is($status{429} // 0, 19, '...and 19 429s');
is(used_of($p->{user}{id}), 50, '...the count ends at exactly 50');
is(sql_one("SELECT count(*) FROM tutor_messages WHERE conversation_id = :'p1'"
    . " AND role = 'user'", $pcid), 1, '...one user message stored');
is(scalar(oai_requests()), $calls + 1, '...and one call to the model');

done_testing();

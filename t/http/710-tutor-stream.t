#!/usr/bin/perl
# lectern — the tutor's streamed replies: with Accept: text/event-stream
# the provider's deltas reach the client as they arrive (the first one
# before the stand-in has sent the last), then event: done with the 201
# body, and the stored reply is the deltas put together.  A provider
# that drops mid-reply and a client that leaves mid-reply both leave
# what arrived stored, marked incomplete.
use strict;
use warnings;
use JSON::PP;
use Time::HiRes ();
use Test::More;
use Lectern::Test;
use Lectern::Tutor;

base_url();
my $json = JSON::PP->new->utf8;

END { eval { oai_mode() } }
oai_control(POST => '/reset');

my $alice = register_user(tag => 'tuts-a');
my $atok = $alice->{access_token};
my $cid = json_body(new_conversation($atok, title => 'Streams'))->{id}
    or BAIL_OUT('no conversation');
my $path = "/api/tutor/conversations/$cid/messages";

sub last_reply {
	my @row = sql("SELECT content, incomplete, prompt_tokens,"
	    . " completion_tokens FROM tutor_messages WHERE conversation_id ="
	    . " :'p1' AND role = 'assistant' ORDER BY id DESC LIMIT 1", $cid);
	return $row[0] || [];
}
sub count_of {
	my ($role) = @_;
	return sql_one("SELECT count(*) FROM tutor_messages WHERE"
	    . " conversation_id = :'p1' AND role = :'p2'", $cid, $role);
}

# A reply in five chunks, 0.5 s apart.
my @chunks = ('Think ', 'about ', 'what ', 'light ', 'does.');
oai_mode(chunks => \@chunks, pause => 0.5);
my ($first_state, $first_at);
my $t0 = Time::HiRes::time();
my $r = sse_post($path, $atok, { content => 'Why are leaves green?' }, sub {
	my ($name) = @_;
	return if $name ne 'delta' || $first_state;
	$first_at = Time::HiRes::time() - $t0;
	$first_state = oai_stream_state();
});
my $total = Time::HiRes::time() - $t0;
is($r->{status}, 200, 'a streamed message: 200') or diag($r->{content});
like($r->{headers}{'content-type'} // '', qr{^text/event-stream},
    '...Content-Type: text/event-stream');
is($r->{headers}{'cache-control'}, 'no-store', '...Cache-Control: no-store');
ok($first_state && !$first_state->{finished} &&
    $first_state->{sent} < $first_state->{total},
    '...the first delta arrived before the stand-in sent the last chunk')
    or diag(explain($first_state));
ok(defined $first_at && $first_at < $total - 1,
    sprintf('...%.1f s before the stream ended (%.1f s)', $first_at // -1,
    $total));
my @deltas = grep { $_->[0] eq 'delta' } @{ $r->{events} };
my $joined = join('', map { ($json->decode($_->[1]) || {})->{content} // '' }
    @deltas);
is($joined, join('', @chunks), '...the deltas are the reply, in order');
is(scalar(@deltas), scalar(@chunks), '...one event per chunk');
my @names = map { $_->[0] } @{ $r->{events} };
is($names[-1], 'done', '...then event: done');
my $done = eval { $json->decode($r->{events}[-1][1]) } || {};
is($done->{assistant_message}{content}, $joined,
    '...carrying the reply as stored');
is($done->{user_message}{content}, 'Why are leaves green?',
    '...and the user message');
is_deeply($done->{usage}, { prompt_tokens => 42, completion_tokens => 7 },
    '...usage from the stream\'s last chunk');
is($done->{quota}{used}, 1, '...and the quota');
is_deeply(last_reply(), [$joined, 'f', 42, 7],
    'the stored reply equals the concatenated deltas, complete, with usage');
my $q = oai_last_request() || {};
ok($q->{body}{stream}, 'the provider was asked to stream');
like($q->{accept} // '', qr{text/event-stream}, '...Accept: text/event-stream');
ok($q->{body}{stream_options}{include_usage}, '...with usage at the end');

# The provider drops after two chunks: the client hears of it, and what
# arrived is stored, marked incomplete.
my $logs = sql_one("SELECT count(*) FROM error_logs WHERE code = 'upstream_error'");
oai_mode(chunks => \@chunks, pause => 0.2, mode => 'drop', drop_after => 2);
$r = sse_post($path, $atok, { content => 'And roots?' });
is($r->{status}, 200, 'a provider that drops mid-reply: the stream had begun');
@names = map { $_->[0] } @{ $r->{events} };
is_deeply(\@names, [qw(delta delta error)], '...two deltas, then event: error');
my $err = eval { $json->decode($r->{events}[-1][1]) } || {};
is($err->{error}{code}, 'upstream_error', '...upstream_error');
is_deeply(last_reply(), ['Think about ', 't', '', ''],
    '...what arrived is stored, marked incomplete');
is(sql_one("SELECT count(*) FROM error_logs WHERE code = 'upstream_error'"),
    $logs + 1, '...and an error_logs entry');

# The provider fails before anything was relayed: a plain 502.
oai_mode(mode => 'error');
my $users = count_of('user');
$r = sse_post($path, $atok, { content => 'Hello?' });
is($r->{status}, 502, 'a provider failing before the first delta: 502');
my $e = eval { $json->decode($r->{content}) } || {};
is($e->{error}{code}, 'upstream_error', '...upstream_error, as JSON');
unlike($r->{content}, qr/provider-internal/, '...without the provider\'s words');
is(count_of('user'), $users + 1, '...the user\'s message kept');

# The client leaves after the first delta: the rest is not relayed, and
# what arrived is stored, marked incomplete.
my @many = map { "part$_ " } 1 .. 16;
oai_mode(chunks => \@many, pause => 0.25);
my $assistants = count_of('assistant');
$r = sse_post($path, $atok, { content => 'Tell me more' }, sub {
	die "leaving\n" if $_[0] eq 'delta';
});
ok($r->{status} == 599 || @{ $r->{events} } == 1,
    'the client dropped the stream after the first delta');
my $deadline = time() + 15;
sleep 1 while count_of('assistant') == $assistants && time() < $deadline;
my $row = last_reply();
is(count_of('assistant'), $assistants + 1, '...a reply was stored');
is($row->[1], 't', '...marked incomplete');
my $full = join('', @many);
ok(length($row->[0] // '') > 0 && length($row->[0]) < length($full) &&
    index($full, $row->[0]) == 0,
    '...holding the part that arrived before the client left')
    or diag("stored: " . ($row->[0] // 'nothing'));
my $state = oai_stream_state();
ok($state->{sent} < $state->{total},
    '...and the provider\'s stream was cut off early')
    or diag(explain($state));

done_testing();

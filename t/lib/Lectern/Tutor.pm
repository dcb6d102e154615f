# lectern — t/lib/Lectern/Tutor.pm: what the tutor tests share.
#
# The chat-completions stand-in (t/lib/openai-standin.py) that
# scripts/test starts: its control API, and a streaming POST that hands
# each Server-Sent Event to a callback as it arrives.
package Lectern::Tutor;

use strict;
use warnings;
use Exporter 'import';
use HTTP::Tiny;
use JSON::PP;
use Test::More ();
use Lectern::Test;

our @EXPORT = qw(oai_control oai_mode oai_requests oai_last_request
    oai_stream_state sse_post new_conversation send_message
    ERROR_TEXT);

use constant ERROR_TEXT => 'provider-internal-detail';

my $json = JSON::PP->new->utf8->canonical;

# The stand-in's URL.  Like the servers' (Lectern::Test::base_url): under
# scripts/test a missing one is a failure, by hand a skip.
sub oai_url {
	my $u = $ENV{LECTERN_TEST_OPENAI_URL};
	return $u if $u;
	Test::More::BAIL_OUT('LECTERN_TEST_OPENAI_URL is not set')
	    if $ENV{LECTERN_TEST_STRICT};
	Test::More::plan(skip_all =>
	    'LECTERN_TEST_OPENAI_URL not set (run scripts/test)');
}

# oai_control(METHOD, PATH, DATA): the stand-in's control API.
sub oai_control {
	my ($method, $path, $data) = @_;
	my $res = HTTP::Tiny->new(timeout => 10)->request($method,
	    oai_url() . "/__control$path", defined $data ? {
		headers => { 'Content-Type' => 'application/json' },
		content => $json->encode($data) } : {});
	die "stand-in $path: $res->{status}\n" unless $res->{success};
	return $json->decode($res->{content});
}

# oai_mode(mode => ..., reply => ..., chunks => [...], pause => s, ...)
sub oai_mode { oai_control(POST => '/mode', { @_ }) }
sub oai_requests { @{ oai_control(GET => '/requests')->{items} } }
sub oai_last_request { (oai_requests())[-1] }
sub oai_stream_state { oai_control(GET => '/stream') }

# A conversation of token's owner; returns the response.
sub new_conversation {
	my ($token, %body) = @_;
	return api(POST => '/api/tutor/conversations', token => $token,
	    json => \%body);
}

sub send_message {
	my ($token, $cid, $content, %o) = @_;
	return api(POST => "/api/tutor/conversations/$cid/messages",
	    token => $token, json => { content => $content }, %o);
}

# sse_post(PATH, TOKEN, DATA, ON_EVENT): POST with Accept:
# text/event-stream; ON_EVENT(name, data-text) runs for each event as it
# arrives (die in it to drop the connection).  Returns { status,
# headers, events => [[name, data]...], content }.
sub sse_post {
	my ($path, $token, $data, $on_event) = @_;
	my ($buf, @events, $content) = ('', ());
	my $http = HTTP::Tiny->new(timeout => 60, keep_alive => 0);
	my $res = $http->request(POST => base_url() . $path, {
		headers => {
			'Content-Type' => 'application/json',
			Accept => 'text/event-stream',
			Authorization => "Bearer $token",
		},
		content => $json->encode($data),
		data_callback => sub {
			my ($chunk, $r) = @_;
			$content .= $chunk;
			$buf .= $chunk;
			while ($buf =~ s/\A(.*?)\n\n//s) {
				my ($name, $d) = ('message', '');
				for my $line (split /\n/, $1) {
					$name = $1 if $line =~ /^event: ?(.*)$/;
					$d .= $1 if $line =~ /^data: ?(.*)$/;
				}
				push @events, [$name, $d];
				$on_event->($name, $d) if $on_event;
			}
		},
	});
	return { status => $res->{status}, headers => $res->{headers},
	    events => \@events, content => $content // $res->{content},
	    reason => $res->{reason} };
}

1;

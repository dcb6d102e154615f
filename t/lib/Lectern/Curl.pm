# lectern — t/lib/Lectern/Curl.pm: HTTPS requests for the tests of the
# TLS and shared hosts.
#
# Core Perl's HTTP::Tiny needs IO::Socket::SSL for HTTPS, which is not
# core: these tests drive curl(1) instead, trusting only the throwaway
# CA that scripts/test made (LECTERN_TEST_TLS_CA).
package Lectern::Curl;

use strict;
use warnings;
use Exporter 'import';
use File::Temp ();
use JSON::PP;

our @EXPORT = qw(curl_req);

# curl_req(METHOD, URL, %opt): one request.  opt: headers => {...},
# body => bytes, json => data, ca => CA file (default
# LECTERN_TEST_TLS_CA), args => [extra curl arguments].  Returns
# { status, headers (lower-case names; repeated ones joined with ", "),
# content, json (when the body parses) }; status 0 when curl failed.
sub curl_req {
	my ($method, $url, %opt) = @_;
	my $dir = File::Temp->newdir();
	my @cmd = ('curl', '-sS', '--max-time', '30', '-X', $method,
	    '-D', "$dir/h", '-o', "$dir/b", '-w', '%{http_code}');
	push @cmd, '--cacert', $opt{ca} // $ENV{LECTERN_TEST_TLS_CA}
	    if $url =~ /^https:/;
	my %h = %{ $opt{headers} || {} };
	my $body = $opt{body};
	if (exists $opt{json}) {
		$body = JSON::PP->new->utf8->canonical->encode($opt{json});
		$h{'Content-Type'} //= 'application/json';
	}
	push @cmd, '-H', "$_: $h{$_}" for sort keys %h;
	if (defined $body) {
		open(my $fh, '>:raw', "$dir/in") or die "$dir/in: $!";
		print $fh $body;
		close($fh);
		push @cmd, '--data-binary', "\@$dir/in";
	}
	push @cmd, @{ $opt{args} || [] }, $url;
	open(my $p, '-|', @cmd) or die "curl: $!";
	my $code = do { local $/; <$p> } // '';
	close($p);
	my %res = (status => ($code =~ /^(\d{3})$/ ? $1 + 0 : 0),
	    headers => {}, content => '');
	if (open(my $fh, '<:raw', "$dir/h")) {
		while (my $l = <$fh>) {
			$l =~ s/\r?\n$//;
			# A fresh header block for each response (interim ones).
			%{ $res{headers} } = () if $l =~ m{^HTTP/};
			next unless $l =~ /^([^:]+):\s*(.*)$/;
			my $k = lc($1);
			$res{headers}{$k} = exists $res{headers}{$k}
			    ? "$res{headers}{$k}, $2" : $2;
		}
		close($fh);
	}
	if (open(my $fh, '<:raw', "$dir/b")) {
		local $/;
		$res{content} = <$fh> // '';
		close($fh);
	}
	$res{json} = eval { JSON::PP->new->utf8->decode($res{content}) };
	return \%res;
}

1;

# lectern — t/lib/Lectern/Test.pm: what the HTTP tests share.
#
# Core Perl only (HTTP::Tiny, JSON::PP).  The tests talk to the real
# Apache httpd and PostgreSQL that scripts/test starts and names in the
# environment; run by hand without them, a test skips, but under
# scripts/test (LECTERN_TEST_STRICT) a missing server is a failure.
package Lectern::Test;

use strict;
use warnings;
use Exporter 'import';
use HTTP::Tiny;
use JSON::PP;
use Test::More ();

our @EXPORT = qw(base_url api json_body sql sql_one security_headers_ok
    error_ok srcdir builddir);

my $json = JSON::PP->new->utf8->canonical;

# The server's base URL (or another of scripts/test's servers by name).
sub base_url {
	my ($which) = @_;
	my $var = $which ? "LECTERN_TEST_URL_\U$which" : 'LECTERN_TEST_URL';
	return $ENV{$var} if $ENV{$var};
	if ($ENV{LECTERN_TEST_STRICT}) {
		Test::More::BAIL_OUT("$var is not set");
	}
	Test::More::plan(skip_all => "$var not set (run scripts/test)");
}

sub srcdir { $ENV{LECTERN_SRCDIR} || '.' }
sub builddir { $ENV{LECTERN_BUILDDIR} || '.' }

# api(METHOD, PATH, %opt): one request.  opt: json => data (sent as
# application/json), body => raw bytes, type => Content-Type,
# token => bearer token, headers => {...}, url => base URL.
# Returns { status, headers (lower-case names), content, json }.
sub api {
	my ($method, $path, %opt) = @_;
	my $url = ($opt{url} || base_url()) . $path;
	my %h = %{ $opt{headers} || {} };
	my %args = (headers => \%h);
	if (exists $opt{json}) {
		$args{content} = $json->encode($opt{json});
		$h{'Content-Type'} ||= 'application/json';
	} elsif (defined $opt{body}) {
		$args{content} = $opt{body};
	}
	$h{'Content-Type'} = $opt{type} if defined $opt{type};
	$h{Authorization} = "Bearer $opt{token}" if defined $opt{token};
	my $http = HTTP::Tiny->new(timeout => 60, max_redirect => 0,
	    keep_alive => 0);
	my $res = $http->request($method, $url, \%args);
	my $out = {
		status => $res->{status},
		headers => $res->{headers},
		content => $res->{content},
	};
	my $ct = $res->{headers}{'content-type'} // '';
	if ($ct =~ m{^application/json} && length($res->{content} // '')) {
		$out->{json} = eval { $json->decode($res->{content}) };
	}
	return $out;
}

# The decoded body or an empty hash.
sub json_body { $_[0]{json} || {} }

# sql(QUERY, PARAMS...): rows as array refs, through psql as the test
# database's superuser.  Parameters are bound as psql variables :'p1'...
sub sql {
	my ($q, @params) = @_;
	my $db = $ENV{LECTERN_TEST_DATABASE_URL}
	    or Test::More::BAIL_OUT('LECTERN_TEST_DATABASE_URL is not set');
	my @vars;
	for my $i (0 .. $#params) {
		push @vars, '-v', 'p' . ($i + 1) . '=' . $params[$i];
	}
	open(my $fh, '-|', 'psql', '-X', '-q', '-At', '-F', "\t",
	    '-v', 'ON_ERROR_STOP=1', @vars, '-d', $db, '-c', $q)
	    or die "psql: $!";
	my @rows;
	while (my $line = <$fh>) {
		chomp $line;
		push @rows, [split /\t/, $line, -1];
	}
	close($fh) or die "psql failed for: $q\n";
	return @rows;
}

# The first column of the first row.
sub sql_one {
	my @rows = sql(@_);
	return @rows ? $rows[0][0] : undef;
}

# The security headers of SPEC §9 on one response.
sub security_headers_ok {
	my ($res, $what) = @_;
	my $h = $res->{headers};
	my $ok = 1;
	my %want = (
		'x-content-type-options' => qr/^nosniff$/,
		'x-frame-options' => qr/^DENY$/,
		'referrer-policy' => qr/^no-referrer$/,
		'content-security-policy' =>
		    qr/^default-src 'none'; frame-ancestors 'none'$/,
		'cross-origin-opener-policy' => qr/^same-origin$/,
		'permissions-policy' => qr/camera=\(\)/,
		'x-request-id' => qr/^\S{16,}$/,
	);
	for my $k (sort keys %want) {
		next if defined $h->{$k} && !ref $h->{$k} && $h->{$k} =~ $want{$k};
		Test::More::diag("$what: $k is " . ($h->{$k} // 'missing'));
		$ok = 0;
	}
	if (($h->{server} // '') ne 'Apache') {
		Test::More::diag("$what: Server is " . ($h->{server} // 'missing'));
		$ok = 0;
	}
	return Test::More::ok($ok, "$what carries the security headers");
}

# An error response: status, JSON envelope with code, request id equal
# to the X-Request-Id header.
sub error_ok {
	my ($res, $status, $code, $what) = @_;
	my $e = json_body($res)->{error} || {};
	my $ok = $res->{status} == $status
	    && ($e->{code} // '') eq $code
	    && length($e->{message} // '')
	    && defined $e->{request_id}
	    && $e->{request_id} eq ($res->{headers}{'x-request-id'} // '');
	Test::More::ok($ok, "$what: $status $code with the request id")
	    or Test::More::diag("got $res->{status}: " . ($res->{content} // ''));
	return $ok;
}

1;

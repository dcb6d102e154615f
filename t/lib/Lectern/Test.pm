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
use File::Temp ();
use HTTP::Tiny;
use JSON::PP;
use Test::More ();
use Lectern::OpenAPI ();

our @EXPORT = qw(base_url api json_body sql sql_one security_headers_ok
    error_ok srcdir builddir unique_email strong_password register_user
    user_with_role login_user as_last_admin fcgi_processes);

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
# token => bearer token, headers => {...}, url => base URL,
# from => a loopback source address (127.0.0.x) for tests that need a
# client address of their own (rate limits key on REMOTE_ADDR),
# no_schema_check => 1 for a test that means to break the contract.
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
	    keep_alive => 0,
	    ($opt{from} ? (local_address => $opt{from}) : ()));
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
	schema_check($method, $path, $out) unless $opt{no_schema_check};
	return $out;
}

# Every JSON response the server sends to the main API is held to the
# schema docs/openapi.yaml documents for its operation and status; a
# mismatch is a failed test naming both (Lectern::OpenAPI).
sub schema_check {
	my ($method, $path, $res) = @_;
	my @why = eval { Lectern::OpenAPI::check_response($method, $path,
	    $res) };
	@why = ("cannot read docs/openapi.yaml: $@") if $@;
	return 1 unless @why;
	Test::More::ok(0, "$method $path answers as docs/openapi.yaml documents");
	Test::More::diag($_) for @why;
	return 0;
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
	# A file, not -c, so that psql interpolates the :'pN' variables.
	my $tmp = File::Temp->new(SUFFIX => '.sql');
	print $tmp "$q\n";
	close($tmp);
	open(my $fh, '-|', 'psql', '-X', '-q', '-At', '-F', "\t",
	    '-v', 'ON_ERROR_STOP=1', @vars, '-d', $db, '-f', $tmp->filename)
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

# A fresh address for each call, so tests never collide on an email.
my $email_seq = 0;
sub unique_email {
	my ($tag) = @_;
	$email_seq++;
	return lc(($tag || 'user') . "-$$-" . time() . "-$email_seq\@example.com");
}

# A password that passes the policy (length, dictionary), different each
# call.  Its random digits are even only: where two neighbours differ by
# one (156567678, say), the policy rightly sees a systematic run: about
# one call in ten thousand was refused, enough to fail a run now and then.
sub strong_password {
	(my $n = int(rand(1e9))) =~ tr/0-9/0246802468/;
	return "Quiet-violet-lantern-$n-orbit";
}

# Register a new account; returns the response body plus email and
# password.  Dies when registration does not answer 201.
sub register_user {
	my (%o) = @_;
	my $email = $o{email} || unique_email($o{tag});
	my $password = $o{password} || strong_password();
	my $r = api(POST => '/api/auth/register', json => {
		name => $o{name} || 'Test User',
		email => $email,
		password => $password,
	}, ($o{url} ? (url => $o{url}) : ()));
	die "register $email: $r->{status} $r->{content}\n"
	    unless $r->{status} == 201;
	my $b = json_body($r);
	$b->{email} = $email;
	$b->{password} = $password;
	return $b;
}

# Sign in; returns the response.
sub login_user {
	my ($email, $password, %o) = @_;
	return api(POST => '/api/auth/login',
	    json => { email => $email, password => $password }, %o);
}

# A new account given role (student, teacher, instructor, admin) in the
# database, signed in again so that its token is current.
sub user_with_role {
	my ($role, %o) = @_;
	my $u = register_user(%o);
	sql("UPDATE users SET role = :'p1' WHERE id = :'p2'", $role,
	    $u->{user}{id});
	my $r = login_user($u->{email}, $u->{password});
	die "login as $role: $r->{status}\n" unless $r->{status} == 200;
	my $b = json_body($r);
	$b->{email} = $u->{email};
	$b->{password} = $u->{password};
	return $b;
}

# Run code while admin id is the only active admin, and return what it
# returns (a list).  Tests run one after another, so the other admins
# can be put aside for a moment; they are put back whatever code does.
sub as_last_admin {
	my ($id, $code) = @_;
	my @others = map { $_->[0] } sql("SELECT id FROM users WHERE role ="
	    . " 'admin' AND is_active AND id <> :'p1'", $id);
	my $ids = '{' . join(',', @others) . '}';
	sql("UPDATE users SET is_active = false WHERE id = ANY(:'p1'::bigint[])",
	    $ids);
	my @out = eval { $code->() };
	my $err = $@;
	sql("UPDATE users SET is_active = true WHERE id = ANY(:'p1'::bigint[])",
	    $ids);
	die $err if $err;
	return @out;
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

# The running FastCGI server (LECTERN_FCGI_BIN), from /proc: its
# parent's pid (undef when none runs) and its workers' pids, the
# processes of that program whose parent is that program too.
sub fcgi_processes {
	my $server = $ENV{LECTERN_FCGI_BIN} // '';
	my ($parent, @workers);
	return (undef) if $server eq '';
	my $exe = sub { readlink("/proc/$_[0]/exe") // '' };
	for my $link (glob('/proc/[0-9]*/exe')) {
		my ($pid) = $link =~ m{^/proc/(\d+)/} or next;
		next unless $exe->($pid) eq $server;
		my $stat = do { local (@ARGV, $/) = "/proc/$pid/stat"; <> }
		    // next;
		my ($ppid) = $stat =~ /\)\s+\S+\s+(\d+)/ or next;
		if ($exe->($ppid) eq $server) {
			push @workers, $pid;
		} else {
			$parent = $pid;
		}
	}
	return ($parent, @workers);
}

1;

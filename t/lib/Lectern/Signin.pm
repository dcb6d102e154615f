# lectern — t/lib/Lectern/Signin.pm: what the Google and Firebase
# sign-in tests share.
#
# Tokens are signed by t/lib/idtoken-mint.py (PyJWT) with the keys of the
# JWKS stand-in (t/lib/jwks-standin.py) that scripts/test starts; the
# stand-in is steered through its /__control/ URLs, and the CGIs' key-set
# cache (LECTERN_JWKS_CACHE_DIR) is aged or emptied here by hand.
package Lectern::Signin;

use strict;
use warnings;
use Exporter 'import';
use HTTP::Tiny;
use IPC::Open2 ();
use JSON::PP;
use Test::More ();
use Lectern::Test qw(srcdir);

our @EXPORT = qw(signin_ready mint standin standin_state cache_file
    age_cache drop_cache);

my $json = JSON::PP->new->utf8->canonical;

# Skip (or, under scripts/test, bail out) without the stand-in.
sub signin_ready {
	for my $v (qw(LECTERN_TEST_JWKS_URL LECTERN_TEST_JWKS_KEYS
	    LECTERN_JWKS_CACHE_DIR)) {
		next if $ENV{$v};
		Test::More::BAIL_OUT("$v is not set") if $ENV{LECTERN_TEST_STRICT};
		Test::More::plan(skip_all => "$v not set (run scripts/test)");
	}
}

# mint(\%claims, mode => rs256|none|hs256-pubkey|flip, kid => ...):
# a token signed by the stand-in's newest key (or kid's).
sub mint {
	my ($claims, %o) = @_;
	my @cmd = ('/usr/bin/python3', srcdir() . '/t/lib/idtoken-mint.py',
	    $ENV{LECTERN_TEST_JWKS_KEYS}, $o{mode} || 'rs256', $o{kid} // '');
	my $pid = IPC::Open2::open2(my $out, my $in, @cmd);
	print $in $json->encode($claims);
	close($in);
	my $tok = <$out>;
	close($out);
	waitpid($pid, 0);
	die "idtoken-mint.py failed\n" if $? != 0 || !defined $tok;
	chomp $tok;
	return $tok;
}

# standin(METHOD, PATH, DATA): one control request; the decoded answer.
sub standin {
	my ($method, $path, $data) = @_;
	my $res = HTTP::Tiny->new(timeout => 30)->request($method,
	    "$ENV{LECTERN_TEST_JWKS_URL}/__control$path", {
		headers => { 'Content-Type' => 'application/json' },
		content => $json->encode($data || {}),
	});
	die "stand-in $path: $res->{status}\n" unless $res->{success};
	return $json->decode($res->{content});
}

sub standin_state { standin(GET => '/state') }

# The cached key set of provider ("google", "firebase").
sub cache_file { "$ENV{LECTERN_JWKS_CACHE_DIR}/$_[0].jwks" }

# Make provider's cached copy (and its refetch mark) secs seconds older.
sub age_cache {
	my ($provider, $secs) = @_;
	for my $f (cache_file($provider),
	    "$ENV{LECTERN_JWKS_CACHE_DIR}/$provider.attempt") {
		my @st = stat($f) or next;
		utime($st[8] - $secs, $st[9] - $secs, $f)
		    or die "utime $f: $!\n";
	}
}

# Forget provider's cached copy.
sub drop_cache {
	my ($provider) = @_;
	unlink(cache_file($provider),
	    "$ENV{LECTERN_JWKS_CACHE_DIR}/$provider.attempt");
}

1;

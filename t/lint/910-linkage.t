#!/usr/bin/perl
# lectern — each executable links only what it uses: libcurl only where a
# call goes out (its source uses shared/httpc.h, libcurl itself, a
# shared module that does, or the gateway through razorpay_order_create
# or _payments), cairo, HarfBuzz, FreeType, fontconfig and libqrencode
# only in the certificate PDF, libpq not in GET /live, and every
# endpoint links libfcgi so it can run under a FastCGI process manager;
# bin/lectern-fcgi, every endpoint in one, links all of it.  Reads the
# dynamic section of the built files.
use strict;
use warnings;
use Test::More;

my $src = $ENV{LECTERN_SRCDIR} || '.';
my $build = $ENV{LECTERN_BUILDDIR} || '.';
# Under scripts/test nothing skips: no readelf is a failure there.
if (system('command -v readelf >/dev/null 2>&1') != 0) {
	$ENV{LECTERN_TEST_STRICT}
	    ? BAIL_OUT('readelf (binutils) is not installed')
	    : plan(skip_all => 'readelf (binutils) is not installed');
}

sub needed {
	my ($file) = @_;
	my @libs = map { /\[(.+)\]/ ? $1 : () }
	    grep { /\(NEEDED\)/ } `readelf -d '$file' 2>/dev/null`;
	return @libs;
}

sub slurp {
	my ($f) = @_;
	open(my $fh, '<', $f) or return '';
	local $/;
	return scalar <$fh>;
}

# The headers whose code calls out: httpc.h and libcurl's, and every
# shared/X.h whose X.c or X.h includes one of them (jwks.h fetches key
# sets; signin.h uses jwks.h), found to a fixed point.
my %outbound = ('httpc.h' => 1, 'curl/curl.h' => 1);
sub includes_outbound {
	my ($text) = @_;
	while ($text =~ /#include\s+["<]([^">]+)[">]/g) {
		return 1 if $outbound{$1};
	}
	return 0;
}
for (my $more = 1; $more;) {
	$more = 0;
	for my $f (glob("$src/shared/*.c"), glob("$src/shared/*.h")) {
		(my $h = $f) =~ s{^.*/([^/]+)\.[ch]$}{$1.h};
		next if $outbound{$h} || !includes_outbound(slurp($f));
		$outbound{$h} = 1;
		$more = 1;
	}
}

sub calls_out {
	my ($c) = @_;
	my $text = slurp($c);
	return includes_outbound($text) ||
	    $text =~ /\brazorpay_order_(create|payments)\s*\(/;
}

my @cgis = sort glob("$src/cgi-bin/*.c");
# bin/lectern-fcgi is every endpoint at once (FastCGI mode): it links
# what all of them use, checked apart below.
my @bins = grep { !m{/lectern-fcgi\.c$} } sort glob("$src/bin/*.c");
ok(@cgis > 10, 'there are endpoints to check');
for my $c (@cgis, @bins) {
	(my $name = $c) =~ s{^.*/(cgi-bin|bin)/(.*)\.c$}{$1/$2};
	my $exe = "$build/$name";
	my @libs = needed($exe);
	ok(@libs > 0, "$name is built and dynamically linked") or next;
	my $curl = grep { /^libcurl/ } @libs;
	if (calls_out($c)) {
		ok($curl, "$name calls out and links libcurl");
	} else {
		ok(!$curl, "$name makes no outbound call and does not link libcurl");
	}
	# The certificate PDF's drawing libraries stay in that endpoint.
	my $draws = grep { /^lib(cairo|qrencode|harfbuzz|freetype|fontconfig)/ }
	    @libs;
	if ($name eq 'cgi-bin/certificate_pdf') {
		ok($draws, "$name links cairo and libqrencode");
	} else {
		ok(!$draws, "$name links no drawing library");
	}
	if ($name =~ m{^cgi-bin/}) {
		ok(scalar(grep { /^libfcgi/ } @libs), "$name links libfcgi (FastCGI mode)");
	}
}
my @server = needed("$build/bin/lectern-fcgi");
ok(grep({ /^libfcgi/ } @server) && grep({ /^libcurl/ } @server) &&
    grep({ /^libcairo/ } @server) && grep({ /^libpq/ } @server),
    'bin/lectern-fcgi links what its endpoints use: libfcgi, libcurl, cairo, libpq')
    or diag(join(' ', @server));
my @live = needed("$build/cgi-bin/live_get");
ok(!grep({ /^libpq/ } @live), 'GET /live does not link libpq');
ok(!grep({ /^libcrypto/ } @live), '...nor libcrypto');

done_testing();

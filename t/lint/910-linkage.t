#!/usr/bin/perl
# lectern — each executable links only what it uses: libcurl only where a
# call goes out (its source uses shared/httpc.h or libcurl itself),
# cairo, HarfBuzz, FreeType, fontconfig and libqrencode only in the
# certificate PDF, libpq not in GET /live, and every endpoint links
# libfcgi so it can run under mod_fcgid.  Reads the dynamic section of the built files.
use strict;
use warnings;
use Test::More;

my $src = $ENV{LECTERN_SRCDIR} || '.';
my $build = $ENV{LECTERN_BUILDDIR} || '.';
system('command -v readelf >/dev/null 2>&1') == 0
    or plan(skip_all => 'readelf (binutils) is not installed');

sub needed {
	my ($file) = @_;
	my @libs = map { /\[(.+)\]/ ? $1 : () }
	    grep { /\(NEEDED\)/ } `readelf -d '$file' 2>/dev/null`;
	return @libs;
}

sub calls_out {
	my ($c) = @_;
	open(my $fh, '<', $c) or return 0;
	local $/;
	my $text = <$fh>;
	return $text =~ /#include\s+["<](httpc\.h|curl\/curl\.h)[">]/;
}

my @cgis = sort glob("$src/cgi-bin/*.c");
my @bins = sort glob("$src/bin/*.c");
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
my @live = needed("$build/cgi-bin/live_get");
ok(!grep({ /^libpq/ } @live), 'GET /live does not link libpq');
ok(!grep({ /^libcrypto/ } @live), '...nor libcrypto');

done_testing();

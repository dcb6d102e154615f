#!/usr/bin/perl
# lectern — every shell script passes shellcheck: scripts/, their
# library, the CI entry point and the test helpers written in shell.
use strict;
use warnings;
use Test::More;

my $src = $ENV{LECTERN_SRCDIR} || '.';
if (system('command -v shellcheck >/dev/null 2>&1') != 0) {
	$ENV{LECTERN_TEST_STRICT}
	    ? BAIL_OUT('shellcheck is not installed')
	    : plan(skip_all => 'shellcheck is not installed');
}

# A file is shell when its first line says so, or it ends in .sh.
sub is_shell {
	my ($f) = @_;
	return 1 if $f =~ /\.sh$/;
	open(my $fh, '<', $f) or return 0;
	my $first = <$fh> // '';
	close($fh);
	return $first =~ m{^#!\s*(/usr/bin/env\s+)?(/bin/|/usr/bin/)?(ba|da)?sh\b};
}

my @files = grep { -f $_ && is_shell($_) }
    map { glob("$src/$_") } qw(scripts/* scripts/lib/* .ci/* bench/* t/* t/lib/*);
ok(@files >= 4, 'there are shell scripts to check');
for my $f (sort @files) {
	(my $name = $f) =~ s{^\Q$src\E/}{};
	# -x: follow the files a script sources (scripts/lib/common.sh).
	my $out = `cd '$src' && shellcheck -x -f gcc '$name' 2>&1`;
	ok($? == 0, "$name passes shellcheck") or diag($out);
}

done_testing();

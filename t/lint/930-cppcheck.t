#!/usr/bin/perl
# lectern — cppcheck finds no warning, portability or performance issue
# in the C sources (shared/, cgi-bin/, bin/, the unit tests).
# varFuncNullUB is off: log_event's NULL sentinel is declared with
# __attribute__((sentinel)) and NULL is a pointer on every target.
use strict;
use warnings;
use Test::More;

my $src = $ENV{LECTERN_SRCDIR} || '.';
if (system('command -v cppcheck >/dev/null 2>&1') != 0) {
	$ENV{LECTERN_TEST_STRICT}
	    ? BAIL_OUT('cppcheck is not installed')
	    : plan(skip_all => 'cppcheck is not installed');
}

my @files = map { s{^\Q$src\E/}{}r }
    sort map { glob("$src/$_") } qw(shared/*.c cgi-bin/*.c bin/*.c t/unit/*.c);
ok(@files > 20, 'there are C files to check');
my @out = `cd '$src' && cppcheck --quiet --std=c11 --inline-suppr \\
    --enable=warning,portability,performance --error-exitcode=3 \\
    -I shared --suppress=missingIncludeSystem --suppress=varFuncNullUB \\
    --template='{file}:{line}: {severity}: {message} [{id}]' \\
    @files 2>&1`;
my $rc = $? >> 8;
ok($rc == 0 || $rc == 3, 'cppcheck ran') or diag(@out);
my %by;
for (@out) {
	push @{ $by{$1} }, $_ if m{^([^:\s]+\.[ch]):\d+: };
}
for my $f (@files) {
	ok(!$by{$f}, "$f: cppcheck finds nothing") or diag(@{ $by{$f} });
}
for my $f (sort grep { my $x = $_; !grep { $_ eq $x } @files } keys %by) {
	fail("$f: cppcheck finds nothing");
	diag(@{ $by{$f} });
}

done_testing();

#!/usr/bin/perl
# lectern — every route in apache/routes is in docs/openapi.yaml, every
# path and method there is routed, every routed executable is built, and
# the FastCGI server (bin/lectern-fcgi) holds exactly those endpoints,
# each with the methods its routes name.
use strict;
use warnings;
use Test::More;

my $src = $ENV{LECTERN_SRCDIR} || '.';
my $build = $ENV{LECTERN_BUILDDIR} || '.';

my (%routes, %exes, %methods);
open(my $fh, '<', "$src/apache/routes") or BAIL_OUT("apache/routes: $!");
while (<$fh>) {
	next if /^\s*(#|$)/;
	my ($method, $path, $exe) = split;
	$routes{"$method $path"} = 1;
	$exes{$exe} = 1;
	$methods{$exe}{$method} = 1;
}
close($fh);

my (%api, $path);
open($fh, '<', "$src/docs/openapi.yaml") or BAIL_OUT("openapi.yaml: $!");
my $in_paths = 0;
while (<$fh>) {
	if (/^paths:/) { $in_paths = 1; next }
	if (/^\S/) { $in_paths = 0; next }
	next unless $in_paths;
	if (/^  (\/\S*):\s*$/) { $path = $1; next }
	if (/^    (get|put|post|patch|delete):/) { $api{uc($1) . " $path"} = 1 }
}
close($fh);

ok(scalar(keys %routes) > 0, 'apache/routes lists routes');
for my $r (sort keys %routes) {
	ok($api{$r}, "route $r is documented in docs/openapi.yaml");
}
for my $a (sort keys %api) {
	ok($routes{$a}, "documented $a is routed in apache/routes");
}
for my $e (sort keys %exes) {
	ok(-f "$src/cgi-bin/$e.c", "cgi-bin/$e.c exists");
	ok(-x "$build/cgi-bin/$e", "...and is built");
}

my %table;
open($fh, '-|', "$build/bin/lectern-fcgi", '--list')
    or BAIL_OUT("bin/lectern-fcgi --list: $!");
while (<$fh>) {
	chomp;
	my ($allow, $name) = split /\t/;
	$table{$name} = join(', ', sort split /,\s*/, $allow);
}
ok(close($fh), 'bin/lectern-fcgi --list runs');
is_deeply([sort keys %table], [sort keys %exes],
    'the FastCGI server holds every routed endpoint and no other');
for my $e (sort keys %exes) {
	is($table{$e} // '', join(', ', sort keys %{ $methods{$e} }),
	    "...$e with the methods of its routes");
}

done_testing();

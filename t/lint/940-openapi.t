#!/usr/bin/perl
# lectern — docs/openapi.yaml is a valid OpenAPI 3.0 document, as a
# standard validator (swagger-parser, from package.json) reads it, and
# every operation states its security (security: [] when public).
use strict;
use warnings;
use Test::More;
use Lectern::OpenAPI ();

my $src = $ENV{LECTERN_SRCDIR} || '.';
if (!-d "$src/node_modules/\@apidevtools/swagger-parser") {
	plan(skip_all => 'node_modules is not installed (run scripts/test)')
	    unless $ENV{LECTERN_TEST_STRICT};
}

my $out = `node '$src/t/lib/openapi-tool.js' validate '$src/docs/openapi.yaml' 2>&1`;
ok($? == 0, 'docs/openapi.yaml is valid OpenAPI 3.0 (swagger-parser)')
    or diag($out);

my $doc = Lectern::OpenAPI::document();
for my $path (sort keys %{ $doc->{paths} }) {
	for my $m (qw(get put post patch delete)) {
		my $op = $doc->{paths}{$path}{$m} or next;
		ok(ref $op->{security} eq 'ARRAY',
		    uc($m) . " $path states its security");
		ok($op->{operationId}, uc($m) . " $path has an operationId");
	}
}

done_testing();

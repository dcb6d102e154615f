#!/usr/bin/perl
# lectern — scripts/smoke passes against the test server, and fails
# against a server that is not there.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

my $url = base_url();
my $origin = $ENV{LECTERN_TEST_CORS_ORIGIN} || 'https://app.example.com';
my $smoke = srcdir() . '/scripts/smoke';

my $out = `$smoke --origin $origin $url 2>&1`;
is($? >> 8, 0, 'scripts/smoke passes against the test server')
    or diag($out);
like($out, qr/^1\.\.(\d+)$/m, '...and prints a TAP plan');
unlike($out, qr/^not ok/m, '...with no failed check');
like($out, qr/allowed origin \Q$origin\E is echoed/, '...and checks CORS');

$out = `$smoke http://127.0.0.1:1 2>&1`;
isnt($? >> 8, 0, 'scripts/smoke fails against a closed port');
like($out, qr/^not ok 1 - GET \/live/m, '...reporting the failed check');

done_testing();

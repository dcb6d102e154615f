#!/usr/bin/perl
# lectern — testssl.sh (Debian's testssl.sh) finds nothing rated high or
# critical on the production TLS host that scripts/test runs from
# apache/production.conf.in with a throwaway CA.
#
# Bounded: --fast, no DNS (the machine may have none), and only the checks
# that judge our configuration: protocols, cipher categories and order,
# the certificate and its OCSP stapling, the HTTP headers, and the
# attacks a TLS 1.2+ configuration can still invite (Heartbleed, CCS,
# renegotiation, CRIME, fallback, Sweet32, FREAK, DROWN, Logjam).  Client
# simulations, per-cipher listings, BREACH, ROBOT and Lucky13 cost
# minutes and judge nothing of ours; POODLE, BEAST and RC4 need SSLv3,
# TLS 1.0 or RC4, which the protocol and cipher checks already refuse.
# On an idle machine this takes a minute or two; the limit is for a
# loaded one.
use strict;
use warnings;
use File::Temp ();
use JSON::PP;
use Test::More;

my $url = $ENV{LECTERN_TEST_TLS_URL};
my $ca = $ENV{LECTERN_TEST_TLS_CA};
unless ($url && $ca) {
	BAIL_OUT('LECTERN_TEST_TLS_URL is not set') if $ENV{LECTERN_TEST_STRICT};
	plan(skip_all => 'LECTERN_TEST_TLS_URL not set (run scripts/test)');
}
my ($testssl) = grep { -x } map { "$_/testssl" } split(/:/, $ENV{PATH});
unless ($testssl) {
	BAIL_OUT('testssl is not installed (Debian testssl.sh)')
	    if $ENV{LECTERN_TEST_STRICT};
	plan(skip_all => 'testssl is not installed');
}

my $tmp = File::Temp->newdir();
my @cmd = ('timeout', '1500', $testssl, '--quiet', '--color', '0',
    '--warnings', 'off', '--add-ca', $ca, '--nodns', 'none',
    '--ip', '127.0.0.1', '--fast',
    qw(-p -s -P -S -h -H -I -R -C -Z -W -F -D -J),
    '--jsonfile', "$tmp/out.json", "$url/live");
my $out = `@cmd 2>&1`;
my $rc = $? >> 8;
isnt($rc, 124, 'testssl finished within 25 minutes');

my $findings = eval {
	open(my $fh, '<', "$tmp/out.json") or die "$!\n";
	local $/;
	JSON::PP->new->decode(<$fh>);
};
ok(ref $findings eq 'ARRAY' && @$findings > 20, 'it reported its findings')
    or diag($@ // '', $out);
$findings = [] unless ref $findings eq 'ARRAY';
my %id = map { $_->{id} => $_ } @$findings;

# Every section asked for ran (a scan cut short proves nothing).
for my $want (qw(TLS1_2 TLS1_3 cipherlist_3DES_IDEA cipher_order
    cert_chain_of_trust OCSP_stapling HSTS_time heartbleed secure_renego
    SWEET32 LOGJAM)) {
	ok(exists $id{$want}, "the scan covered $want");
}
my @bad = grep { ($_->{severity} // '') =~ /^(HIGH|CRITICAL)$/ } @$findings;
is(scalar(@bad), 0, 'no finding is rated high or critical')
    or diag(join("\n", map { "$_->{severity} $_->{id}: $_->{finding}" } @bad));
like($id{TLS1}{finding} // '', qr/not offered/, 'TLS 1.0 is not offered');
like($id{TLS1_1}{finding} // '', qr/not offered/, 'TLS 1.1 is not offered');
like($id{OCSP_stapling}{finding} // '', qr/offered/, 'OCSP stapling is offered');
like($id{HSTS_time}{finding} // '', qr/\d+ days/, 'HSTS is sent');

done_testing();

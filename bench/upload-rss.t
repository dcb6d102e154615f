#!/usr/bin/perl
# lectern — bench/upload-rss.t: the peak RSS of the PUT CGI
# (cgi-bin/upload_put) storing a 1 KiB and a 50 MiB file, run as Apache
# runs a CGI (GNU time's %M: the child's maximum resident set, KiB).
# The body is streamed to disk, so the two must be about the same.
# Run by hand, not by make check: scripts/test bench/upload-rss.t
use strict;
use warnings;
use Test::More;
use File::Temp ();
use Lectern::Test;

base_url();
my $t = user_with_role('teacher', tag => 'rss');

sub put_rss {
	my ($size) = @_;
	my $f = File::Temp->new;
	print $f "%PDF-1.4\n";
	my $chunk = 'x' x 65536;
	my $left = $size - 9;
	while ($left > 0) {
		my $n = $left < length($chunk) ? $left : length($chunk);
		print $f substr($chunk, 0, $n);
		$left -= $n;
	}
	close($f);
	my $r = api(POST => '/api/uploads/sign', token => $t->{access_token},
	    json => { filename => 'big.pdf', content_type => 'application/pdf',
	    size => $size, purpose => 'avatar' });
	die "sign: $r->{content}\n" unless $r->{status} == 201;
	my $s = json_body($r);
	my ($query) = $s->{put}{url} =~ /\?(.*)$/;
	my @env = ('REQUEST_METHOD=PUT', "PATH_INFO=/$s->{upload}{id}",
	    "QUERY_STRING=$query", 'CONTENT_TYPE=application/pdf',
	    "CONTENT_LENGTH=$size", 'REMOTE_ADDR=127.0.0.1',
	    "LECTERN_DATABASE_URL=$ENV{LECTERN_DATABASE_URL}",
	    "LECTERN_JWT_SECRET=$ENV{LECTERN_JWT_SECRET}",
	    "LECTERN_UPLOAD_DIR=$ENV{LECTERN_UPLOAD_DIR}", 'LECTERN_ENV=bench');
	my $exe = builddir() . '/cgi-bin/upload_put';
	my $args = join(' ', map { "'$_'" } @env);
	my $out = `env -i $args /usr/bin/time -f %M $exe < ${\ $f->filename} 2>&1`;
	my ($status) = $out =~ /^Status: (\d+)/m;
	my ($rss) = $out =~ /(\d+)\s*\z/;
	is($status, 201, "a $size-byte PUT is stored") or diag($out);
	return $rss;
}

my $small = put_rss(1024);
my $big = put_rss(50 * 1024 * 1024);
diag("peak RSS: 1 KiB file $small KiB, 50 MiB file $big KiB");
ok($big < $small + 2048, 'the 50 MiB PUT needs at most 2 MiB more than 1 KiB');
done_testing();

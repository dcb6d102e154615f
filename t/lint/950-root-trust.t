#!/usr/bin/perl
# lectern — the scripts never trust what the service account can write.
#
# Run as root (as CI and scripts/run do), the service user "lectern"
# owns the servers' data and run directories.  Planted there: a pid file
# naming a root process and a link to a root-owned file.  The helpers the
# scripts use to stop services and to make directories must neither
# signal the root process nor follow the link; the directories root
# writes into stay root's, and server logs are not world-readable.
use strict;
use warnings;
use File::Temp qw(tempdir);
use Test::More;

my $src = $ENV{LECTERN_SRCDIR} || '.';
my $user = $ENV{LECTERN_USER} || 'lectern';
my $root = $> == 0;
if (!$root) {
	plan(skip_all => 'needs root (scripts/test runs as root in CI)')
	    unless $ENV{LECTERN_TEST_STRICT};
}

# Run shell with the scripts' helpers loaded; returns (status, output).
sub sh {
	my ($script) = @_;
	open(my $fh, '-|', 'bash', '-c',
	    ". '$src/scripts/lib/common.sh'; $script 2>&1") or die "bash: $!";
	local $/;
	my $out = <$fh> // '';
	close($fh);
	return ($? >> 8, $out);
}

my $dir = tempdir(CLEANUP => 1);
chmod 0755, $dir;

# A root process, named as the service is, that a forged pid file
# points at.
system('cp', '/bin/sleep', "$dir/pgbouncer") == 0 or die "cp failed";
my $victim = fork() // die "fork: $!";
if ($victim == 0) {
	exec("$dir/pgbouncer", '30') or exit 1;
}
sleep(1);
END { kill 'KILL', $victim if $victim; }

my ($rc, $out) = sh("pgbouncer_setup_dirs() { root_dir $dir/b; own_dir $dir/b/run; }; pgbouncer_setup_dirs");
is($rc, 0, 'a PgBouncer directory is made') or diag($out);
my @st = stat("$dir/b");
is($st[4], $root ? 0 : $>, '...owned by root, not the service user');
ok(!($st[2] & 022), '...and writable by nobody else');

# As the service user: a pid file that names root's process, pid 1, junk
# (PgBouncer's; the FastCGI server's goes through the same service_stop).
for my $pid ($victim, 1, '-1', "$victim junk 1") {
	my $f = "$dir/b/run/pgbouncer.pid";
	my $g = "$dir/b/run/fcgi.pid";
	unlink($f, $g);
	if ($root) {
		system('runuser', '-u', $user, '--', 'sh', '-c',
		    "printf '%s' '$pid' > $f; printf '%s' '$pid' > $g") == 0
		    or die "runuser failed";
	} else {
		for my $p ($f, $g) {
			open(my $fh, '>', $p) or die; print $fh $pid; close($fh);
		}
	}
	($rc, $out) = sh("service_pid $f pgbouncer");
	isnt($rc, 0, "a pid file saying '$pid' is not trusted") or diag($out);
	sh("pgbouncer_stop $dir/b");
	ok(kill(0, $victim), '...and stopping PgBouncer leaves that process alone');
	sh("fcgi_stop $dir/b");
	ok(kill(0, $victim), '...nor does stopping the FastCGI server');
}

# A pid file that is a link is not read.
unlink("$dir/b/run/pgbouncer.pid");
symlink('/proc/self/stat', "$dir/b/run/pgbouncer.pid");
($rc) = sh("service_pid $dir/b/run/pgbouncer.pid pgbouncer");
isnt($rc, 0, 'a pid file that is a link is not read');

# A directory planted as a link is refused, not followed.
my $target = "$dir/target";
mkdir($target);
symlink($target, "$dir/link");
($rc, $out) = sh("root_dir $dir/link");
isnt($rc, 0, 'root_dir refuses a symbolic link');
like($out, qr/symbolic link/, '...and says so');
($rc) = sh("own_dir $dir/link");
isnt($rc, 0, 'own_dir refuses one too');

# The Apache directory: root's, with its pid file and logs.
($rc, $out) = sh("LECTERN_APACHE_DIR=$dir/a LECTERN_APACHE_PORT=1 "
    . "LECTERN_APACHE_MODE=dev $src/scripts/lib/apache-conf");
is($rc, 0, 'the Apache configuration is written') or diag($out);
for my $d ("$dir/a", "$dir/a/log") {
	@st = stat($d);
	is($st[4], $root ? 0 : $>, "$d is root's");
	ok(!($st[2] & 022), '...and writable by nobody else');
}
open(my $fh, '<', "$dir/a/httpd.conf") or die;
my ($pidfile) = map { /^PidFile\s+"?([^"\s]+)/ ? $1 : () } <$fh>;
close($fh);
is($pidfile, "$dir/a/httpd.pid", 'Apache writes its pid file in the root-owned directory');

# Logs the servers create are not world-readable.
($rc, $out) = sh("quiet_umask touch $dir/a/log/probe");
@st = stat("$dir/a/log/probe");
is($st[2] & 07777, 0640, 'a log made under quiet_umask is 0640');

done_testing();

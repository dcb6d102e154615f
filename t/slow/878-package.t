#!/usr/bin/perl
# lectern — packaging (SPEC §13), the slow tier: make install with
# DESTDIR; dpkg-buildpackage turns debian/ into a .deb holding the
# endpoints, the Apache configuration, the schema, the tools and their
# systemd timers; lintian finds no error in it; and an Apache started
# with the configuration it installs (unpacked into a scratch root)
# serves /health from the test database.  Runs once per scripts/test
# run (--mode both skips it on the second pass), bounded in time.
use strict;
use warnings;
use Test::More;
use File::Temp ();
use Lectern::Test;
use Lectern::Ops;

base_url();
my $src = srcdir();
my $tmp = File::Temp->newdir(TMPDIR => 1);
chmod 0755, "$tmp";
my $limit = $ENV{LECTERN_TEST_PACKAGE_TIMEOUT} || 1500;

# make install, staged.
my ($out, $rc) = run_env({}, 'make', '-s', '-C', builddir(), 'install',
    "DESTDIR=$tmp/destdir");
is($rc, 0, 'make install DESTDIR=... succeeds') or diag($out);
my @staged = split /\n/, `cd '$tmp/destdir' && find . -type f | sort`;
for my $want (qr{/cgi-bin/health_get$}, qr{/bin/lectern-admin$},
    qr{/share/lectern/schema/001_core\.sql$},
    qr{/share/lectern/scripts/(migrate|backup|restore)$},
    qr{/share/lectern/apache/(lectern|routes)\.conf$},
    qr{/share/lectern/systemd/lectern-mailer\.timer$}) {
	ok((grep { $_ =~ $want } @staged), "...stages $want");
}

# The package, built from a copy of the tree.
my $copy = "$tmp/build/lectern";
system('mkdir', '-p', $copy) == 0 or die;
system("cd '$src' && { git ls-files; git ls-files --others --exclude-standard; }"
    . " | sort -u | while read -r f; do [ -e \"\$f\" ] && printf '%s\\n' \"\$f\";"
    . " done | tar -cf - -T - | tar -xf - -C '$copy'") == 0
    or BAIL_OUT('cannot copy the tree');
my $jobs = `nproc` + 0 || 1;
($out, $rc) = run_env({ DEB_BUILD_OPTIONS => "nocheck noddebs parallel=$jobs" },
    'sh', '-c', "cd '$copy' && timeout $limit dpkg-buildpackage -us -uc -b");
is($rc, 0, "dpkg-buildpackage -us -uc -b succeeds (within ${limit}s)")
    or diag(join("\n", (split /\n/, $out)[-30 .. -1]));
my ($deb) = glob("$tmp/build/lectern_*.deb");
ok($deb && -f $deb, '...and makes a .deb') or BAIL_OUT('no package');

my $list = `dpkg-deb -c '$deb'`;
for my $want (qw(./usr/lib/lectern/cgi-bin/health_get
    ./usr/lib/lectern/cgi-bin/course_list ./usr/bin/lectern-admin
    ./usr/bin/lectern-mailer ./usr/bin/lectern-reconcile
    ./usr/bin/lectern-fcgi ./lib/systemd/system/lectern-fcgi.service
    ./etc/apache2/conf-available/lectern.conf
    ./usr/share/lectern/apache/routes.conf
    ./usr/share/lectern/schema/011_hardening.sql
    ./usr/share/lectern/scripts/migrate ./usr/share/lectern/scripts/backup
    ./usr/share/lectern/scripts/restore
    ./lib/systemd/system/lectern-mailer.timer
    ./lib/systemd/system/lectern-reconcile.timer
    ./lib/systemd/system/lectern-cleanup.timer
    ./lib/systemd/system/lectern-remind.timer
    ./lib/systemd/system/apache2.service.d/lectern.conf
    ./etc/lectern/lectern.env)) {
	like($list, qr{\s\Q$want\E\n}, "the package holds $want");
}
if (-d "$src/web") {
	like($list, qr{\s\./usr/share/lectern/web/}, '...and the web client');
}
like(`dpkg-deb -I '$deb' postinst`, qr/apache2_invoke enconf lectern/,
    'its postinst enables the Apache configuration');
like(`dpkg-deb -I '$deb' postinst`, qr/lectern-mailer\.timer/,
    '...and the timers');

($out, $rc) = run_env({}, 'sh', '-c', "timeout 600 lintian --tag-display-limit 0 '$deb'");
my @errors = grep { /^E: / } split /\n/, $out;
is(scalar(@errors), 0, 'lintian reports no error') or diag(join("\n", @errors));

# Unpacked into a scratch root; an Apache with the installed conf.
my $root = "$tmp/root";
system('dpkg-deb', '-x', $deb, $root) == 0 or BAIL_OUT('dpkg-deb -x');
system('chmod', '-R', 'go+rX', "$tmp/build", $root);
my $conf = do {
	local $/;
	open(my $fh, '<', "$root/etc/apache2/conf-available/lectern.conf") or die;
	<$fh>;
};
$conf =~ s{"/usr/}{"$root/usr/}g;
my $srv = "$tmp/apache";
mkdir $_ for ($srv, "$srv/run", "$srv/log", "$srv/www");
my $port = `python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'` + 0;
my $user = $> == 0 ? "User lectern\nGroup lectern\n" : '';
system('chown', 'lectern', "$srv/run") if $> == 0;
open(my $fh, '>', "$srv/lectern.conf") or die;
print $fh $conf;
close($fh);
my $mods = '/usr/lib/apache2/modules';
open($fh, '>', "$srv/httpd.conf") or die;
print $fh <<"EOC";
ServerRoot "$srv"
Listen 127.0.0.1:$port
ServerName 127.0.0.1:$port
PidFile "$srv/httpd.pid"
ErrorLog "$srv/log/error_log"
$user
LoadModule mpm_event_module $mods/mod_mpm_event.so
LoadModule authz_core_module $mods/mod_authz_core.so
LoadModule mime_module $mods/mod_mime.so
LoadModule alias_module $mods/mod_alias.so
LoadModule cgid_module $mods/mod_cgid.so
LoadModule rewrite_module $mods/mod_rewrite.so
LoadModule headers_module $mods/mod_headers.so
LoadModule unique_id_module $mods/mod_unique_id.so
LoadModule env_module $mods/mod_env.so
LoadModule setenvif_module $mods/mod_setenvif.so
ScriptSock "$srv/run/cgid.sock"
Mutex file:$srv/run default
TypesConfig /etc/mime.types
DocumentRoot "$srv/www"
<Directory />
	Require all denied
</Directory>
<Directory "$srv/www">
	Require all granted
</Directory>
Include "$srv/lectern.conf"
EOC
close($fh);
($out, $rc) = run_env({}, '/usr/sbin/apache2', '-f', "$srv/httpd.conf", '-k', 'start');
is($rc, 0, 'Apache starts with the installed configuration') or diag($out);
# Stopped at the end by its pid, and waited for: an Apache must not
# outlive the test.  The pid is read now, into a package variable: the
# file-scoped lexicals ($tmp, and with it the pid file) are gone before
# END blocks run.
our $APACHE_PID;
for (1 .. 50) {
	if (open(my $pf, '<', "$srv/httpd.pid")) {
		($APACHE_PID) = (<$pf> // '') =~ /^(\d{1,9})$/m;
		close($pf);
	}
	last if $APACHE_PID;
	select(undef, undef, undef, 0.1);
}
ok($APACHE_PID, '...and writes its pid file');
END {
	local $?;
	my $pid = $APACHE_PID;
	my $comm = '';
	if ($pid && $pid > 1 && open(my $c, '<', "/proc/$pid/comm")) {
		$comm = <$c> // '';
		close($c);
	}
	if ($comm =~ /^apache2$/ && kill('TERM', $pid)) {
		for (1 .. 100) {
			last unless kill(0, $pid);
			select(undef, undef, undef, 0.1);
		}
	}
}
my $url = "http://127.0.0.1:$port";
my $r;
for (1 .. 100) {
	$r = api(GET => '/health', url => $url);
	last if $r->{status} && $r->{status} < 599;
	select(undef, undef, undef, 0.1);
}
is($r->{status}, 200, '/health answers 200 through it')
    or diag($r->{content});
is(json_body($r)->{status}, 'ok', '...from the database') or diag($r->{content});
security_headers_ok($r, '/health');
error_ok(api(GET => '/no/such/path', url => $url), 404, 'not_found',
    'an unrouted path');
is(api(GET => '/api/courses', url => $url)->{status}, 200,
    'the catalogue answers too');

done_testing();

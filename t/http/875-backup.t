#!/usr/bin/perl
# lectern — backups (SPEC §13): scripts/backup writes a pg_dump archive,
# its row counts and their checksums, readable by the owner only, and
# keeps the newest N; scripts/restore checks the archive before it
# touches anything, restores into an empty database (or beside the live
# one, swapping only once verified), and a bad archive leaves the live
# database as it was.  Backup, change, restore: every table's row count
# and the key tables' checksums are as they were at the backup.
use strict;
use warnings;
use Test::More;
use File::Temp ();
use Lectern::Test;
use Lectern::Ops;

base_url();
$ENV{DATABASE_URL} && $ENV{LECTERN_TEST_DATABASE_URL}
    or plan(skip_all => 'DATABASE_URL not set (run scripts/test)');
my $src = srcdir();
my $tmp = File::Temp->newdir(TMPDIR => 1);
my $db = "lectern_bk_$$";
my $url = make_db($db);
my $su = url_db($ENV{LECTERN_TEST_DATABASE_URL}, $db);
my @made = ($db);
END { drop_db($_) for @made }

my ($out, $rc) = run_env({ DATABASE_URL => $url }, "$src/scripts/migrate");
is($rc, 0, 'a database of its own, migrated') or diag($out);
psql_at($su, "\\i $src/t/lib/seed-data.sql");
my $counts = table_counts($su);
my $sums = key_sums($su);
cmp_ok($counts->{users}, '>=', 120, 'seeded with a school\'s rows');

# Backups, three of them with --keep 2.
my $bdir = "$tmp/backups";
my @archives;
for (1 .. 3) {
	($out, $rc) = run_env({ DATABASE_URL => $url }, "$src/scripts/backup",
	    '--dir', $bdir, '--keep', '2');
	is($rc, 0, "backup $_ succeeds") or diag($out);
	push @archives, (grep { m{^/.*\.dump$} } split /\n/, $out)[0];
	sleep(1);
}
my $archive = $archives[-1];
ok($archive && -f $archive, 'it names its archive');
(my $base = $archive) =~ s/\.dump$//;
ok(-f "$base.sha256" && -f "$base.counts", '...with a checksum and counts file');
is((stat($bdir))[2] & 07777, 0700, 'the backup directory is the owner\'s only');
is(scalar(grep { ((stat($_))[2] & 077) != 0 } glob("$bdir/*")), 0,
    '...and so is every file in it');
is(scalar(my @d = glob("$bdir/*.dump")), 2, '--keep 2 kept the newest two');
ok(!-e $archives[0], '...and removed the oldest');
is(`cd '$bdir' && sha256sum --quiet -c '${\ ($base =~ s{.*/}{}r)}.sha256' 2>&1`,
    '', 'the checksums hold');
my %bc = map { split /\t/ } split /\n/, do {
	local $/; open(my $f, '<', "$base.counts") or die; <$f>
};
is_deeply(\%bc, $counts, 'the counts file has every table\'s rows');
like(`pg_restore -l '$archive'`, qr/Format: CUSTOM/,
    'the archive is pg_dump\'s custom format');

# The day goes on: rows change, come and go.
psql_at($su, q{
	UPDATE courses SET title = title || ' (changed)';
	UPDATE payments SET amount = amount + 1 WHERE id % 2 = 0;
	DELETE FROM lessons WHERE id % 3 = 0;
	DELETE FROM enrollments e WHERE e.id % 5 = 0 AND NOT EXISTS
	    (SELECT 1 FROM payment_orders o WHERE o.user_id = e.user_id
	    AND o.course_id = e.course_id);
	INSERT INTO users (email, name, password_hash)
	    VALUES ('late@example.com', 'Late Comer', 'x');
});
my $changed = key_sums($su);
isnt($changed->{courses}, $sums->{courses}, 'the data changed');

my %admin = (DATABASE_URL => $url,
    LECTERN_PG_ADMIN_URL => $ENV{LECTERN_TEST_DATABASE_URL});
sub leftovers {
	return psql_at($su, "SELECT count(*) FROM pg_database"
	    . " WHERE datname LIKE '${db}_restore%'");
}

# A damaged archive: refused before anything is touched.
my $bad = "$tmp/bad";
mkdir $bad;
system('cp', '-p', glob("$base.*"), $bad) == 0 or die;
(my $bname = $base) =~ s{.*/}{};
open(my $fh, '+<', "$bad/$bname.dump") or die;
seek($fh, 200, 0);
print $fh 'XXXX';
close($fh);
($out, $rc) = run_env(\%admin, "$src/scripts/restore", '--replace',
    "$bad/$bname.dump");
isnt($rc, 0, 'a damaged archive is refused');
like($out, qr/does not match its checksums/, '...for its checksum');
is_deeply(key_sums($su), $changed, '...and the live database is as it was');

# A truncated archive whose checksums were made again: pg_restore fails
# in the new database, which goes; the live one stays.
truncate("$bad/$bname.dump", (-s $archive) - 4000) or die;
system("cd '$bad' && sha256sum '$bname.dump' '$bname.counts' > '$bname.sha256'");
($out, $rc) = run_env(\%admin, "$src/scripts/restore", '--replace',
    "$bad/$bname.dump");
isnt($rc, 0, 'a truncated archive fails to restore');
is_deeply(key_sums($su), $changed, '...and the live database is as it was');
is(table_counts($su)->{users}, $counts->{users} + 1, '...every row of it');
is(leftovers(), 0, '...and the half-made database is gone');

# Without --replace, the target must be empty.
($out, $rc) = run_env({ DATABASE_URL => $url }, "$src/scripts/restore",
    $archive);
isnt($rc, 0, 'a restore into a database with tables is refused');
like($out, qr/not empty/, '...saying so');

# Into an empty database.
my $db2 = "lectern_bk2_$$";
push @made, $db2;
my $url2 = make_db($db2);
my $su2 = url_db($ENV{LECTERN_TEST_DATABASE_URL}, $db2);
($out, $rc) = run_env({ DATABASE_URL => $url2 }, "$src/scripts/restore",
    $archive);
is($rc, 0, 'a restore into an empty database succeeds') or diag($out);
is_deeply(table_counts($su2), $counts, '...with every table\'s rows');
is_deeply(key_sums($su2), $sums, '...and the key tables as they were');

# Beside the live database, swapped once verified.
($out, $rc) = run_env(\%admin, "$src/scripts/restore", '--replace',
    $archive);
is($rc, 0, 'restore --replace succeeds') or diag($out);
is_deeply(table_counts($su), $counts,
    'every table has the rows it had at the backup');
is_deeply(key_sums($su), $sums, '...and the key tables their checksums');
my ($before) = $out =~ /kept as (\S+)/;
ok($before, 'the previous database is kept');
push @made, $before if $before;
is_deeply($before ? key_sums(url_db($ENV{LECTERN_TEST_DATABASE_URL},
    $before)) : {}, $changed, '...as it was before the restore');
is(leftovers(), 0, 'no database is left half-made');
is(psql_at($su, "SELECT has_table_privilege('lectern_app', 'users',"
    . " 'SELECT') AND NOT has_table_privilege('lectern_app', 'users',"
    . " 'TRUNCATE')"), 't', 'the application role has its rights again');
is(psql_at($su, "SELECT count(*) FROM courses WHERE title LIKE '%(changed)'"),
    0, 'the change is undone');

# The embedded cluster: no DATABASE_URL, var/lectern.env instead.
my $var = "$tmp/var";
mkdir $var;
open(my $env, '>', "$var/lectern.env") or die;
print $env "export DATABASE_URL='$url'\n";
close($env);
($out, $rc) = run_env({ DATABASE_URL => undef, LECTERN_VAR_DIR => $var,
    LECTERN_BACKUP_DIR => undef }, "$src/scripts/backup");
is($rc, 0, 'with var/lectern.env alone, backup succeeds') or diag($out);
is(scalar(my @e = glob("$var/backups/lectern-*.dump")), 1,
    '...into var/backups');

done_testing();

#!/usr/bin/perl
# lectern — upgrades: a database made by an earlier release (the schema
# of migrations 001 to 010, before 011_hardening), holding a school's
# data, is migrated by scripts/migrate to the current schema; the data
# survives, the result has the same schema as a database made new, and
# migrating again is a no-op.
use strict;
use warnings;
use Test::More;
use File::Copy qw(copy);
use File::Temp ();
use Lectern::Test;
use Lectern::Ops;

base_url();
$ENV{DATABASE_URL} && $ENV{LECTERN_TEST_DATABASE_URL}
    or plan(skip_all => 'DATABASE_URL not set (run scripts/test)');
my $src = srcdir();
my $tmp = File::Temp->newdir(TMPDIR => 1);
my $last_old = '010';	# the newest migration of the earlier release
my ($db, $fresh) = ("lectern_up_$$", "lectern_new_$$");
END { drop_db($_) for ($db, $fresh) }
my $url = make_db($db);
my $su = url_db($ENV{LECTERN_TEST_DATABASE_URL}, $db);

# The earlier release: its migrations (files are never edited once
# landed, so today's copies are the ones it shipped) and its migrate.
mkdir "$tmp/old";
mkdir "$tmp/old/$_" for qw(scripts schema);
copy("$src/scripts/migrate", "$tmp/old/scripts/migrate") or die;
chmod 0755, "$tmp/old/scripts/migrate";
my @all = sort glob("$src/schema/[0-9][0-9][0-9]_*.sql");
my @old = grep { m{/(\d{3})_[^/]*$} && $1 le $last_old } @all;
copy($_, "$tmp/old/schema/") or die for @old;
cmp_ok(scalar(@all), '>', scalar(@old), 'there are newer migrations');

my ($out, $rc) = run_env({ DATABASE_URL => $url },
    "$tmp/old/scripts/migrate");
is($rc, 0, "a database at the earlier release's schema") or diag($out);
is(psql_at($su, 'SELECT max(version) FROM schema_migrations'),
    (map { m{/([^/]*)\.sql$} } $old[-1])[0], "...up to $last_old");
psql_at($su, "\\i $src/t/lib/seed-data.sql");
my $counts = table_counts($su);
my $sums = key_sums($su);
cmp_ok($counts->{users}, '>=', 120, '...holding a school\'s data');

($out, $rc) = run_env({ DATABASE_URL => $url }, "$src/scripts/migrate");
is($rc, 0, 'scripts/migrate upgrades it') or diag($out);
is(psql_at($su, 'SELECT count(*) FROM schema_migrations'), scalar(@all),
    '...through every migration');
my $now = table_counts($su);
delete $counts->{schema_migrations};
is_deeply({ map { $_ => $now->{$_} } keys %$counts }, $counts,
    'every table keeps its rows');
is_deeply(key_sums($su), $sums, '...and the key tables their data');

($out, $rc) = run_env({ DATABASE_URL => $url }, "$src/scripts/migrate");
is($rc, 0, 'migrating again succeeds');
like($out, qr/schema is current/, '...and changes nothing');

# The same schema as a database made today.
my $furl = make_db($fresh);
($out, $rc) = run_env({ DATABASE_URL => $furl }, "$src/scripts/migrate");
is($rc, 0, 'a new database, migrated') or diag($out);
sub schema_of {
	my ($u) = @_;
	my $s = `pg_dump --schema-only --no-owner -d '$u'`;
	# Comments, and the random key of pg_dump's \restrict lines.
	$s =~ s/^(--|\\restrict |\\unrestrict ).*\n//mg;
	return $s;
}
my ($a, $b) = (schema_of($url), schema_of($furl));
ok(length($a) > 1000 && $a eq $b,
    'the upgraded database has the schema of a new one')
    or do {
	open(my $fa, '>', "$tmp/a.sql") or die; print $fa $a; close($fa);
	open(my $fb, '>', "$tmp/b.sql") or die; print $fb $b; close($fb);
	diag(scalar(`diff '$tmp/a.sql' '$tmp/b.sql' | head -n 40`));
    };

done_testing();

# lectern — t/lib/Lectern/Ops.pm: what the operations tests share
# (t/http/875-backup.t, t/http/876-upgrade.t): databases of their own in
# the test cluster, and what a database holds, as row counts of every
# table and checksums of the tables a school cannot lose.
package Lectern::Ops;

use strict;
use warnings;
use Exporter 'import';
use File::Temp ();
use Test::More ();

our @EXPORT = qw(url_db psql_at make_db drop_db table_counts key_sums
    run_env);

# url_db(URL, NAME): the libpq URI URL with its database set to NAME.
sub url_db {
	my ($url, $db) = @_;
	$url =~ s{^(postgres(?:ql)?://[^/]*)/[^?]*}{$1/$db}
	    or die "not a postgresql:// URI\n";
	return $url;
}

# psql_at(URL, SQL): its output (unaligned, tuples only, tab-separated);
# dies when psql fails.
sub psql_at {
	my ($url, $q) = @_;
	my $tmp = File::Temp->new(SUFFIX => '.sql');
	print $tmp "$q\n";
	close($tmp);
	open(my $fh, '-|', 'psql', '-X', '-q', '-At', '-F', "\t",
	    '-v', 'ON_ERROR_STOP=1', '-d', $url, '-f', $tmp->filename)
	    or die "psql: $!";
	local $/;
	my $out = <$fh> // '';
	close($fh) or die "psql failed for: $q\n";
	$out =~ s/\s+\z//;
	return $out;
}

# The superuser's URL for database NAME.
sub super { url_db($ENV{LECTERN_TEST_DATABASE_URL}, $_[0]) }

# make_db(NAME): an empty database owned by the owner role, which the
# application role may connect to (as scripts/lib/common.sh makes).
sub make_db {
	my ($db) = @_;
	my $su = super('postgres');
	psql_at($su, qq{CREATE DATABASE "$db" OWNER lectern_owner});
	psql_at($su, qq{REVOKE ALL ON DATABASE "$db" FROM PUBLIC;}
	    . qq{ GRANT CONNECT ON DATABASE "$db" TO lectern_app});
	return url_db($ENV{DATABASE_URL}, $db);
}

sub drop_db {
	my ($db) = @_;
	eval { psql_at(super('postgres'),
	    qq{DROP DATABASE IF EXISTS "$db" WITH (FORCE)}) };
}

# { table => rows } for every table of the public schema of URL.
sub table_counts {
	my ($url) = @_;
	my $out = psql_at($url, q{
		SELECT c.relname, (xpath('/row/n/text()', query_to_xml(
		    format('SELECT count(*) AS n FROM %I.%I', n.nspname,
		    c.relname), false, true, '')))[1]::text
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
		ORDER BY 1});
	return { map { split /\t/ } split /\n/, $out };
}

# The columns of the key tables that every release has had.
my %key = (
	users => 'id, email, name, password_hash, role, is_active, created_at',
	courses => 'id, instructor_id, title, description, price_minor,'
	    . ' currency, published, archived',
	lessons => 'id, course_id, title, content, position',
	enrollments => 'id, user_id, course_id, status, source',
	payment_orders => 'id, user_id, course_id, amount, currency,'
	    . ' provider_order_id, status',
	payments => 'id, user_id, course_id, order_id, method, status, amount,'
	    . ' provider_payment_id',
	audit_logs => 'id, actor_user_id, action, target_id, details',
);

# { table => md5 } over those columns of every row, in id order.
sub key_sums {
	my ($url) = @_;
	my $q = join(' UNION ALL ', map {
		"SELECT '$_', md5(coalesce(string_agg(ROW($key{$_})::text, '|'"
		. " ORDER BY id), '')) FROM $_"
	} sort keys %key);
	return { map { split /\t/ } split /\n/, psql_at($url, $q) };
}

# run_env(\%env, CMD...): run CMD with env added; its output (stdout and
# stderr) and exit status.
sub run_env {
	my ($env, @cmd) = @_;
	my $pid = open(my $fh, '-|') // die "fork: $!";
	if ($pid == 0) {
		open(STDERR, '>&', \*STDOUT);
		while (my ($k, $v) = each %$env) {
			if (defined $v) { $ENV{$k} = $v } else { delete $ENV{$k} }
		}
		exec(@cmd) or die "exec $cmd[0]: $!";
	}
	local $/;
	my $out = <$fh> // '';
	close($fh);
	return ($out, $? >> 8);
}

1;

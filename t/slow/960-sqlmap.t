#!/usr/bin/perl
# lectern — sqlmap (Debian's) in batch mode against every operation of
# docs/openapi.yaml that takes a query, path or JSON body parameter,
# signed in as a fresh admin where the operation needs a bearer token:
# no parameter may turn out injectable.  Path parameters are marked for
# sqlmap with "*".  Boolean-based blind and error-based techniques
# (UNION guesses go astray on answers that differ by design, a new id
# each time), PostgreSQL payloads, level 1: a bounded run (a time limit per operation), part of
# the slow tier that scripts/test runs once, not once per mode.
use strict;
use warnings;
use File::Temp ();
use JSON::PP;
use Test::More;
use Lectern::Test;

my $base = base_url();
my $spec_file = $ENV{LECTERN_TEST_OPENAPI_JSON};
unless ($spec_file && -r $spec_file) {
	BAIL_OUT('LECTERN_TEST_OPENAPI_JSON is not set') if $ENV{LECTERN_TEST_STRICT};
	plan(skip_all => 'needs scripts/test');
}
chomp(my $sqlmap = `command -v sqlmap 2>/dev/null` // '');
$sqlmap or BAIL_OUT('sqlmap is not installed (scripts/test installs it)');
my $json = JSON::PP->new->utf8->canonical;
my $spec = do {
	open(my $fh, '<', $spec_file) or die "$spec_file: $!";
	local $/;
	$json->decode(<$fh>);
};
my $out = File::Temp->newdir();
my $per_op = $ENV{LECTERN_SQLMAP_SECONDS} || 60;

# Something real for path ids to name, so requests reach the database.
my $teacher = user_with_role('teacher', tag => 'sqlm-t');
my $course = json_body(api(POST => '/api/courses',
    token => $teacher->{access_token}, json => { title => 'sqlmap target',
    price => '0.00', published => JSON::PP::true }))->{id} // 1;
my $lesson = json_body(api(POST => "/api/courses/$course/lessons",
    token => $teacher->{access_token}, json => { title => 'L1',
    content => 'text' }))->{id} // 1;
my $classwork = json_body(api(POST => "/api/courses/$course/classwork",
    token => $teacher->{access_token}, json => { title => 'C1',
    instructions => 'do it' }))->{id} // 1;
my %ids = (courses => $course, lessons => $lesson, classwork => $classwork);

# An example value for a schema.
sub example {
	my ($s, $name) = @_;
	$s = resolve($s);
	return $s->{example} if defined $s->{example} && !ref $s->{example};
	return $s->{enum}[0] if $s->{enum} && defined $s->{enum}[0];
	my $t = $s->{type} // 'string';
	return ($name =~ /course/ ? $course : 1) if $t eq 'integer';
	return 1 if $t eq 'number';
	return JSON::PP::true if $t eq 'boolean';
	return [] if $t eq 'array';
	return {} if $t eq 'object';
	my $f = $s->{format} // '';
	return unique_email('sqlm') if $f eq 'email' || $name =~ /email/;
	return '2031-01-01T10:00:00Z' if $f eq 'date-time';
	return '2031-01-01' if $f eq 'date';
	return 'https://meet.example.com/abc' if $f eq 'uri' || $name =~ /url/;
	return '9.99' if $name =~ /price|amount/;
	return 'Sqlmap Probe';
}

sub resolve {
	my ($s) = @_;
	while ($s && $s->{'$ref'}) {
		my @p = split m{/}, substr($s->{'$ref'}, 2);
		my $n = $spec;
		$n = $n->{$_} for @p;
		$s = $n;
	}
	if ($s && $s->{allOf}) {
		my %m = (type => 'object', properties => {});
		for my $part (map { resolve($_) } @{ $s->{allOf} }) {
			%{ $m{properties} } = (%{ $m{properties} },
			    %{ $part->{properties} || {} });
		}
		return \%m;
	}
	return $s || {};
}

# The operations to probe, destructive ones last (they may remove what
# the others use).
my @ops;
for my $path (sort keys %{ $spec->{paths} }) {
	my $item = $spec->{paths}{$path};
	for my $m (qw(get post put patch delete)) {
		my $op = $item->{$m} or next;
		my @params = map { resolve($_) } (@{ $item->{parameters} || [] },
		    @{ $op->{parameters} || [] });
		my $body = resolve($op->{requestBody}{content}{'application/json'}
		    {schema}) if $op->{requestBody};
		my $props = $body && $body->{type} && $body->{type} eq 'object'
		    ? $body->{properties} || {} : {};
		next unless @params || %$props;
		push @ops, { path => $path, method => uc $m, params => \@params,
		    props => $props, public => $op->{security}
		    && !@{ $op->{security} } };
	}
}
@ops = sort { ($a->{method} eq 'DELETE') <=> ($b->{method} eq 'DELETE') } @ops;

# Each operation's sqlmap log is kept under var/sqlmap/ for a look.
my $logs = builddir() . '/var/sqlmap';
mkdir(builddir() . '/var');
system('rm', '-rf', $logs);
mkdir($logs) or die "$logs: $!";
my $only = $ENV{LECTERN_SQLMAP_ONLY};
@ops = grep { "$_->{method} $_->{path}" =~ /$only/ } @ops if $only;

# The sqlmap command line for op, and how many parameters it names.
my $ndirs = 0;
sub command {
	my ($op) = @_;
	my $url = $op->{path};
	my @query;
	for my $p (@{ $op->{params} }) {
		next unless $p->{in};
		if ($p->{in} eq 'path') {
			my ($coll) = $url =~ m{/api/(?:admin/)?([a-z_-]+)/\{\Q$p->{name}\E\}};
			my $v = $ids{$coll // ''} // 1;
			$v = example($p->{schema} || {}, $p->{name})
			    unless ($p->{schema}{type} // '') eq 'integer';
			$url =~ s/\{\Q$p->{name}\E\}/$v*/;
		} elsif ($p->{in} eq 'query') {
			next if $p->{name} =~ /^(page|per_page)$/;
			push @query, "$p->{name}=" . example($p->{schema} || {},
			    $p->{name});
		}
	}
	$url .= '?' . join('&', @query) if @query;
	my %body = map { $_ => example($op->{props}{$_}, $_) }
	    keys %{ $op->{props} };
	# An answer of 4xx to the original request (a fixture it does not
	# find, a rule it breaks) still gets every parameter tested.
	# Each run keeps its session in a directory of its own: runs at once
	# against one host would otherwise share one session file.
	my $dir = "$out/" . ++$ndirs;
	my @cmd = ($sqlmap, '--batch', '--dbms=PostgreSQL', '--level=1',
	    '--risk=1', '--technique=BE', '--timeout=15', '--retries=0',
	    '--threads=4', '--skip-waf', '--disable-coloring',
	    '--flush-session', '--ignore-code=400,401,403,404,409,415,422',
	    "--output-dir=$dir", '-u', "$base$url", '--method', $op->{method});
	# A path id is digits or Apache's JSON 404 (apache/routes): a page
	# naming not_found is the false answer, whatever request id it
	# carries (sqlmap would otherwise read the changing id as a signal).
	push @cmd, '--not-string=not_found' if $url =~ /\*/;
	push @cmd, '--data', $json->encode(\%body),
	    '--headers=Content-Type: application/json' if %body;
	unless ($op->{public}) {
		my $admin = user_with_role('admin', tag => 'sqlm-a');
		push @cmd, '-H', "Authorization: Bearer $admin->{access_token}";
	}
	return (\@cmd, @query + keys(%body) + ($url =~ tr/*//));
}

# Run every operation, $jobs at a time; each log goes to its own file.
my $jobs = $ENV{LECTERN_SQLMAP_JOBS} || 3;
my (%running, @done);
my $i = 0;
for my $op (@ops) {
	my ($cmd, $n) = command($op);
	$op->{n} = $n;
	$op->{log} = sprintf('%s/%03d-%s%s.log', $logs, ++$i, lc $op->{method},
	    $op->{path} =~ s/[^A-Za-z0-9]+/-/gr);
	while (keys %running >= $jobs) {
		my $pid = waitpid(-1, 0);
		push @done, delete $running{$pid} if $running{$pid};
	}
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		open(STDOUT, '>', $op->{log}) or exit 1;
		open(STDERR, '>&', \*STDOUT) or exit 1;
		exec('timeout', $per_op, @$cmd) or exit 1;
	}
	$running{$pid} = $op;
}
while (keys %running) {
	my $pid = waitpid(-1, 0);
	last if $pid < 0;
	push @done, delete $running{$pid} if $running{$pid};
}

my ($probed, $total_params) = (0, 0);
for my $op (sort { $a->{log} cmp $b->{log} } @done) {
	my $log = do {
		open(my $fh, '<', $op->{log}) or die "$op->{log}: $!";
		local $/;
		<$fh>;
	};
	my $what = "$op->{method} $op->{path} ($op->{n} parameters)";
	unlike($log, qr/sqlmap identified the following injection point/,
	    "$what: nothing injectable") or diag("see $op->{log}");
	like($log, qr/all tested parameters do not appear to be injectable/,
	    '...and sqlmap tested every parameter')
	    or diag("see $op->{log}: " . substr($log, -600));
	$probed++;
	$total_params += $op->{n};
}
ok($probed == @ops && ($only || $probed >= 40), "sqlmap probed $probed operations, $total_params parameters");

done_testing();

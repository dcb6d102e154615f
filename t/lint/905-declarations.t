#!/usr/bin/perl
# lectern — every endpoint is a declaration (struct endpoint, run by
# ENDPOINT_MAIN), and what it declares agrees with apache/routes and
# docs/openapi.yaml: the method and route, who may call (the operation's
# security), whether it takes a body (its requestBody) and whether it is
# paged (its page and per_page parameters).  A file still written the
# old way (http_main) fails.
use strict;
use warnings;
use Test::More;
use Lectern::OpenAPI ();

my $src = $ENV{LECTERN_SRCDIR} || '.';

my %routes;	# executable => [ [method, path], ... ]
open(my $fh, '<', "$src/apache/routes") or BAIL_OUT("apache/routes: $!");
while (<$fh>) {
	next if /^\s*(#|$)/;
	my ($method, $path, $exe) = split;
	push @{ $routes{$exe} }, [$method, $path];
}
close($fh);

my $doc = eval { Lectern::OpenAPI::document() }
    or BAIL_OUT("docs/openapi.yaml: " . ($@ || 'empty'));

# The resolved parameters of an operation (path-level ones too).
sub params {
	my ($path, $op) = @_;
	my @p;
	for my $p (@{ $doc->{paths}{$path}{parameters} || [] },
	    @{ $op->{parameters} || [] }) {
		my $q = $p;
		if (ref $q eq 'HASH' && $q->{'$ref'}) {
			(my $name = $q->{'$ref'}) =~ s{^#/components/parameters/}{};
			$q = $doc->{components}{parameters}{$name} || {};
		}
		push @p, $q;
	}
	return @p;
}

# The declaration of one file: { field => text } or undef.
sub declaration {
	my ($text) = @_;
	$text =~ /^static\s+const\s+struct\s+endpoint\s+\w+\s*=\s*\{(.*?)^\};/ms
	    or return undef;
	my $body = $1;
	my %d;
	while ($body =~ /^\s*\.(\w+)\s*=\s*(.*?),?\s*$/mg) {
		$d{$1} = $2;
	}
	return \%d;
}

my @files = sort glob("$src/cgi-bin/*.c");
ok(@files > 10, 'there are endpoints to check');
for my $file (@files) {
	(my $exe = $file) =~ s{^.*/(.*)\.c$}{$1};
	open(my $in, '<', $file) or BAIL_OUT("$file: $!");
	my $text = do { local $/; <$in> };
	close($in);
	my $d = declaration($text);
	my $calls = $text =~ /^ENDPOINT_MAIN(?:_NODB)?\(\w+\)$/m;
	if (!ok($d && $calls, "$exe is declared (struct endpoint, ENDPOINT_MAIN)")) {
		diag("cgi-bin/$exe.c " . ($text =~ /\bhttp_main\s*\(/
		    ? 'still calls http_main' : 'has no struct endpoint'));
		next;
	}
	my ($method) = ($d->{method} // '') =~ /^"([A-Z]+)"$/;
	my ($route) = ($d->{route} // '') =~ /^"(\S+)"$/;
	ok($method && $route, "...$exe declares .method and .route as literals")
	    or next;
	my @mine = @{ $routes{$exe} || [] };
	ok(@mine, "...$exe is routed in apache/routes") or next;
	ok(scalar(grep { $_->[1] eq $route } @mine),
	    "...$exe: its .route $route is its path in apache/routes")
	    or diag("apache/routes: " . join(', ', map { "@$_" } @mine));
	for my $r (@mine) {
		is($r->[0], $method,
		    "...$exe: apache/routes routes $r->[1] with its .method");
	}
	my $op = $doc->{paths}{$route} && $doc->{paths}{$route}{lc $method};
	ok($op, "...$exe: docs/openapi.yaml documents $method $route") or next;

	# .who against the operation's security.
	my $who = $d->{who} // 'WHO_ANYONE';
	my @sec = @{ $op->{security} || [] };
	my $anon = grep { !%$_ } @sec;
	my $bearer = grep { exists $_->{bearerAuth} } @sec;
	if (!defined $op->{security}) {
		fail("...$exe: docs/openapi.yaml states $method ${route}'s security");
	} elsif ($who eq 'WHO_ANYONE') {
		ok(!@sec, "...$exe: public, and documented with security: []");
	} elsif ($who eq 'WHO_OPTIONAL') {
		ok($anon && $bearer,
		    "...$exe: a token is optional, and documented as [{}, bearerAuth]");
	} else {
		ok($bearer && !$anon,
		    "...$exe: signed-in only ($who), and documented as bearerAuth");
	}

	# .body against the requestBody.
	my $body = $d->{body} // ($d->{fields} ? 'BODY_JSON' : 'BODY_NONE');
	my $rb = $op->{requestBody};
	if ($body eq 'BODY_NONE') {
		ok(!$rb, "...$exe takes no body, and documents none");
	} elsif ($body eq 'BODY_JSON') {
		ok($rb && $rb->{content} && $rb->{content}{'application/json'},
		    "...$exe takes a JSON body, and documents one");
		my $optional = ($d->{flags} // '') =~ /\bEP_BODY_OPTIONAL\b/;
		ok(!$rb || ($rb->{required} ? !$optional : $optional),
		    "...$exe: the body is " . ($optional ? 'optional' : 'required')
		    . ', as documented');
	} else {
		ok($rb, "...$exe takes a raw body, and documents one");
	}

	# EP_PAGED against the page and per_page parameters.
	my %q = map { ($_->{in} // '') eq 'query' ? ($_->{name} => 1) : () }
	    params($route, $op);
	if (($d->{flags} // '') =~ /\bEP_PAGED\b/) {
		ok($q{page} && $q{per_page},
		    "...$exe is paged, and documents page and per_page");
	}
}

done_testing();

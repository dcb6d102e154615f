# lectern — t/lib/Lectern/OpenAPI.pm: docs/openapi.yaml as the tests read it.
#
# Core Perl only.  The YAML is turned into JSON once per run by
# t/lib/openapi-tool.js (scripts/test does it and names the file in
# LECTERN_TEST_OPENAPI_JSON; run by hand, the first use does it).
# operation() finds the documented operation of a request; check_response()
# holds a JSON response to the schema documented for its status, with the
# part of JSON Schema the document uses: type, nullable, enum, properties,
# required, additionalProperties, items, allOf, oneOf, anyOf, minimum,
# maximum, $ref and a loose date-time format.
package Lectern::OpenAPI;

use strict;
use warnings;
use B ();
use File::Temp ();
use JSON::PP ();
use Exporter 'import';

our @EXPORT_OK = qw(document operation check_response validate);

my $doc;
my @ops;	# [ regex, method, path, operation ]

sub _srcdir { $ENV{LECTERN_SRCDIR} || '.' }

# The document as a Perl structure (converted once, then cached).
sub document {
	return $doc if $doc;
	my $file = $ENV{LECTERN_TEST_OPENAPI_JSON};
	my $tmp;
	if (!$file || !-s $file) {
		$tmp = File::Temp->new(SUFFIX => '.json');
		$file = $tmp->filename;
		my $src = _srcdir();
		system('node', "$src/t/lib/openapi-tool.js", 'json',
		    "$src/docs/openapi.yaml", $file) == 0
		    or die "cannot convert docs/openapi.yaml to JSON\n";
	}
	open(my $fh, '<', $file) or die "$file: $!\n";
	local $/;
	$doc = JSON::PP->new->utf8->decode(<$fh>);
	close($fh);
	for my $path (sort keys %{ $doc->{paths} }) {
		(my $re = quotemeta($path)) =~ s/\\\{[^\/]*?\\\}/[^\/]+/g;
		for my $m (qw(get put post patch delete)) {
			my $op = $doc->{paths}{$path}{$m} or next;
			push @ops, [qr/^$re$/, uc($m), $path, $op];
		}
	}
	return $doc;
}

# operation(METHOD, URL PATH): (document path, operation) or ().
sub operation {
	my ($method, $url) = @_;
	document();
	(my $p = $url) =~ s/[?#].*//s;
	for my $o (@ops) {
		return ($o->[2], $o->[3]) if $o->[1] eq $method && $p =~ $o->[0];
	}
	return ();
}

sub _esc {
	my ($s) = @_;
	$s =~ s/~/~0/g;
	$s =~ s{/}{~1}g;
	return $s;
}

# Follow a local $ref: (target, its pointer).
sub _deref {
	my ($node, $ptr) = @_;
	my $seen = 0;
	while (ref $node eq 'HASH' && defined $node->{'$ref'}) {
		my $ref = $node->{'$ref'};
		die "non-local \$ref $ref at $ptr\n" unless $ref =~ m{^#(/.*)?$};
		$ptr = $ref;
		$node = $doc;
		for my $k (grep { length } split m{/}, substr($ref, 1)) {
			$k =~ s/~1/\//g;
			$k =~ s/~0/~/g;
			$node = ref $node eq 'ARRAY' ? $node->[$k] : $node->{$k};
			die "unresolved \$ref $ref\n" unless defined $node;
		}
		die "\$ref loop at $ptr\n" if ++$seen > 32;
	}
	return ($node, $ptr);
}

sub _kind {
	my ($v) = @_;
	return 'null' unless defined $v;
	my $r = ref $v;
	return 'object' if $r eq 'HASH';
	return 'array' if $r eq 'ARRAY';
	return 'boolean' if $r && $v->isa('JSON::PP::Boolean');
	return $r if $r;
	my $f = B::svref_2object(\$v)->FLAGS;
	if (!($f & B::SVp_POK) && ($f & (B::SVp_IOK | B::SVp_NOK))) {
		return $v == int($v) ? 'integer' : 'number';
	}
	return 'string';
}

my $datetime = qr/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)$/;

# validate(VALUE, SCHEMA, POINTER, WHERE): a list of mismatches, each
# "WHERE: what, at POINTER" (WHERE is the place in the value, $.a[0].b).
sub validate {
	my ($v, $s, $ptr, $at) = @_;
	document();
	($s, $ptr) = _deref($s, $ptr);
	return () unless ref $s eq 'HASH';
	my @e;
	my $k = _kind($v);
	if ($k eq 'null') {
		return () if $s->{nullable} || !%$s;
		return () if !$s->{type} && !$s->{allOf} && !$s->{oneOf}
		    && !$s->{anyOf} && !$s->{properties} && !$s->{enum};
		return ("$at: null where not nullable, at $ptr");
	}
	if (my $t = $s->{type}) {
		my $ok = $k eq $t || ($t eq 'number' && $k eq 'integer');
		return ("$at: $k where the document says $t, at $ptr/type")
		    unless $ok;
	}
	if ($s->{enum}) {
		my $str = ref $v ? JSON::PP->new->canonical->allow_nonref
		    ->encode($v) : $v;
		push @e, "$at: \"$str\" is not one of ["
		    . join(', ', map { $_ // 'null' } @{ $s->{enum} })
		    . "], at $ptr/enum"
		    unless grep { defined $_ && !ref $v && $_ eq $v }
		    @{ $s->{enum} };
	}
	if (($s->{format} // '') eq 'date-time' && $k eq 'string') {
		push @e, "$at: \"$v\" is not a date-time, at $ptr/format"
		    unless $v =~ $datetime;
	}
	if (defined $s->{minimum} && ($k eq 'integer' || $k eq 'number')) {
		push @e, "$at: $v is below $s->{minimum}, at $ptr/minimum"
		    if $v < $s->{minimum};
	}
	if (defined $s->{maximum} && ($k eq 'integer' || $k eq 'number')) {
		push @e, "$at: $v is above $s->{maximum}, at $ptr/maximum"
		    if $v > $s->{maximum};
	}
	if ($k eq 'object') {
		my $props = $s->{properties} || {};
		for my $r (@{ $s->{required} || [] }) {
			push @e, "$at: required \"$r\" is missing, at $ptr/required"
			    unless exists $v->{$r};
		}
		for my $p (sort keys %$v) {
			my $sub = "$at.$p";
			if ($props->{$p}) {
				push @e, validate($v->{$p}, $props->{$p},
				    "$ptr/properties/" . _esc($p), $sub);
			} elsif (ref $s->{additionalProperties}) {
				push @e, validate($v->{$p},
				    $s->{additionalProperties},
				    "$ptr/additionalProperties", $sub);
			} elsif (defined $s->{additionalProperties}
			    && !$s->{additionalProperties}) {
				push @e, "$sub: not in the document, at $ptr/properties";
			}
		}
	}
	if ($k eq 'array' && $s->{items}) {
		for my $i (0 .. $#$v) {
			push @e, validate($v->[$i], $s->{items}, "$ptr/items",
			    "$at\[$i]");
		}
	}
	if ($s->{allOf}) {
		my $i = 0;
		push @e, validate($v, $_, "$ptr/allOf/" . $i++, $at)
		    for @{ $s->{allOf} };
	}
	for my $kw (qw(oneOf anyOf)) {
		next unless $s->{$kw};
		my ($n, $i, @why) = (0, 0);
		for my $alt (@{ $s->{$kw} }) {
			my @r = validate($v, $alt, "$ptr/$kw/" . $i++, $at);
			$n++ unless @r;
			push @why, @r;
		}
		if ($n == 0) {
			push @e, "$at: matches none of $ptr/$kw (" . join('; ', @why) . ")";
		} elsif ($kw eq 'oneOf' && $n > 1) {
			push @e, "$at: matches $n of $ptr/$kw, not exactly one";
		}
	}
	return @e;
}

# check_response(METHOD, URL PATH, RESPONSE): the mismatches of a JSON
# response with its operation's documented schema, each naming the
# operation, the status and the place in the document; () when it
# matches, or when the request is not a documented operation (a 405 or
# 404 for a path the API does not have) or the body is not JSON.
sub check_response {
	my ($method, $url, $res) = @_;
	my ($path, $op) = operation($method, $url);
	return () unless $op;
	my $status = $res->{status};
	return () if $status >= 599;	# HTTP::Tiny's own failure
	my $name = "$method $path" . ($op->{operationId} ? " ($op->{operationId})" : '');
	my $ct = $res->{headers}{'content-type'} // '';
	return () unless $ct =~ m{^application/json};
	if (!defined $res->{json}) {
		return ("$name $status: the body is not JSON");
	}
	my $rptr = '#/paths/' . _esc($path) . '/' . lc($method) . '/responses';
	my $r = $op->{responses}{$status};
	my $which = $status;
	if (!$r && $op->{responses}{default}) {
		($r, $which) = ($op->{responses}{default}, 'default');
	}
	my $sptr;
	if ($r) {
		($r, my $p) = _deref($r, "$rptr/$which");
		my $c = $r->{content} && $r->{content}{'application/json'};
		return ("$name $status: a JSON body where $p documents none")
		    unless $c && $c->{schema};
		$sptr = "$p/content/application~1json/schema";
		return map { "$name $status: $_" }
		    validate($res->{json}, $c->{schema}, $sptr, '$');
	}
	# An error status the operation does not list (429, 413, 503 can
	# come from any endpoint) still has the shape of the Error schema.
	return ("$name $status: status not documented under $rptr")
	    if $status < 400;
	return map { "$name $status: $_" }
	    validate($res->{json}, { '$ref' => '#/components/schemas/Error' },
	    '#/components/schemas/Error', '$');
}

1;

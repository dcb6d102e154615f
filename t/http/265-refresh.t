#!/usr/bin/perl
# lectern — POST /api/auth/refresh (rotation, reuse detection, idle
# expiry, concurrent use) and POST /api/auth/logout.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Digest::SHA qw(sha256_hex);
use MIME::Base64 qw(decode_base64url);
use POSIX ();
use Time::HiRes qw(time sleep);
use Lectern::Test;

base_url();

my $json = JSON::PP->new->utf8->canonical;

sub refresh { api(POST => '/api/auth/refresh', json => { refresh_token => $_[0] }) }
sub me { api(GET => '/api/auth/me', token => $_[0]) }
sub claims_of {
	my (undef, $p) = split /\./, $_[0];
	return $json->decode(decode_base64url($p));
}
sub spent_at {
	sql_one("SELECT coalesce(spent_at::text, 'unspent') FROM refresh_tokens"
	    . " WHERE token_hash = :'p1'", sha256_hex($_[0]));
}

# Rotation.
my $u = register_user(tag => 'refresh');
my $uid = $u->{user}{id};
my $r = refresh($u->{refresh_token});
is($r->{status}, 200, 'a fresh refresh token answers 200');
my $b = json_body($r);
is($b->{user}{id}, $uid, '...for the same user');
like($b->{refresh_token} // '', qr/^[\w-]{43}$/, '...with a new refresh token');
isnt($b->{refresh_token}, $u->{refresh_token}, '...that is not the old one');
isnt($b->{access_token}, $u->{access_token}, '...and a new access token');
is($b->{token_type}, 'Bearer', '...of type Bearer');
is($r->{headers}{'cache-control'}, 'no-store', '...not cached');
is(claims_of($b->{access_token})->{sid}, claims_of($u->{access_token})->{sid},
    '...in the same session');
like(spent_at($u->{refresh_token}) // '', qr/^\d{4}-/,
    'the old refresh token is now spent');
is(spent_at($b->{refresh_token}), 'unspent', '...and its successor is not');
is(me($b->{access_token})->{status}, 200, 'the new access token works');

# Reuse of a spent token revokes the whole family.
my ($rt2, $at2) = ($b->{refresh_token}, $b->{access_token});
$r = refresh($u->{refresh_token});
error_ok($r, 401, 'unauthorized', 'the spent refresh token again');
like($r->{headers}{'www-authenticate'} // '', qr/error="invalid_token"/,
    '...with WWW-Authenticate');
error_ok(refresh($rt2), 401, 'unauthorized',
    'the newer refresh token of the same family');
error_ok(me($at2), 401, 'unauthorized', 'the family\'s newer access token');
error_ok(me($u->{access_token}), 401, 'unauthorized',
    'the family\'s first access token');
is(sql_one("SELECT revoked_reason FROM sessions WHERE id = :'p1'",
    claims_of($at2)->{sid}), 'reuse_detected',
    'the session is revoked as reuse_detected');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action ="
    . " 'session.reuse_detected' AND target_type = 'user'"
    . " AND target_id = :'p1'", $uid), 1, 'the reuse is audited');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action ="
    . " 'session.reuse_detected' AND target_id = :'p1'"
    . " AND details::text ~* 'token|[0-9a-f]{64}'", $uid), 0,
    '...without the token in the details');
$r = login_user($u->{email}, $u->{password});
is($r->{status}, 200, 'the user can still sign in');
is(refresh(json_body($r)->{refresh_token})->{status}, 200,
    '...and other sessions are not affected');

# Unknown and malformed tokens.
error_ok(refresh('A' x 43), 401, 'unauthorized', 'an unknown refresh token');
error_ok(refresh($u->{access_token}), 401, 'unauthorized',
    'an access token as refresh token');
error_ok(api(POST => '/api/auth/refresh', json => {}), 400,
    'validation_failed', 'no refresh token');
error_ok(api(POST => '/api/auth/refresh',
    json => { refresh_token => $rt2, extra => 1 }), 400,
    'validation_failed', 'an unknown field');

# Idle expiry.
$r = login_user($u->{email}, $u->{password});
my $idle = json_body($r)->{refresh_token};
sql("UPDATE refresh_tokens SET idle_expires_at = now() - interval '1 second'"
    . " WHERE token_hash = :'p1'", sha256_hex($idle));
error_ok(refresh($idle), 401, 'unauthorized', 'an idle-expired refresh token');
$r = login_user($u->{email}, $u->{password});
my $old = json_body($r)->{refresh_token};
sql("UPDATE sessions SET expires_at = now() - interval '1 second'"
    . " WHERE id = :'p1'", claims_of(json_body($r)->{access_token})->{sid});
error_ok(refresh($old), 401, 'unauthorized',
    'a refresh token of an expired session');

# Ten refreshes of one token at once: at most one successor lives.
$r = login_user($u->{email}, $u->{password});
my $race = json_body($r)->{refresh_token};
my $race_sid = claims_of(json_body($r)->{access_token})->{sid};
my $start = time() + 1.5;
my @kids;
for my $i (1 .. 10) {
	pipe(my $rd, my $wr) or die "pipe: $!";
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		close($rd);
		sleep($start - time()) if $start > time();
		my $res = refresh($race);
		print $wr $res->{status}, "\t",
		    (json_body($res)->{refresh_token} // ''), "\n";
		close($wr);
		POSIX::_exit(0);
	}
	close($wr);
	push @kids, [$pid, $rd];
}
my (%status, @won);
for my $k (@kids) {
	my $fh = $k->[1];
	my $line = <$fh> // "0\t\n";
	close($fh);
	waitpid($k->[0], 0);
	chomp $line;
	my ($st, $tok) = split /\t/, $line, -1;
	$status{$st}++;
	push @won, $tok if $st == 200;
}
my $summary = join(', ', map { "$_ x$status{$_}" } sort keys %status);
ok(($status{200} // 0) <= 1, "ten refreshes at once: at most one 200 ($summary)");
is(($status{200} // 0) + ($status{401} // 0), 10, '...and the rest 401, never 5xx');
my $revoked = sql_one("SELECT revoked_at IS NOT NULL FROM sessions"
    . " WHERE id = :'p1'", $race_sid);
my $live = sql_one("SELECT count(*) FROM refresh_tokens WHERE session_id ="
    . " :'p1' AND spent_at IS NULL AND idle_expires_at > now()", $race_sid);
ok($live <= 1, "...no two live successors ($live unspent)");
ok($revoked eq 't' || ($live == 1 && @won == 1),
    '...and either the family is revoked or exactly one successor exists');
if (@won && $revoked eq 't') {
	error_ok(refresh($won[0]), 401, 'unauthorized',
	    'the winner\'s successor died with the family');
}

# Logout ends the access token and the refresh token.
$r = login_user($u->{email}, $u->{password});
$b = json_body($r);
my $jti = claims_of($b->{access_token})->{jti};
$r = api(POST => '/api/auth/logout', token => $b->{access_token});
is($r->{status}, 204, 'logout without a body answers 204');
is($r->{content} // '', '', '...with no body');
error_ok(me($b->{access_token}), 401, 'unauthorized',
    'the access token after logout');
error_ok(refresh($b->{refresh_token}), 401, 'unauthorized',
    'the refresh token after logout');
is(sql_one("SELECT count(*) FROM revoked_tokens WHERE jti = :'p1'"
    . " AND user_id = :'p2' AND expires_at > now()", $jti, $uid), 1,
    'revoked_tokens holds the jti until the token would expire');
is(sql_one("SELECT revoked_reason FROM sessions WHERE id = :'p1'",
    claims_of($b->{access_token})->{sid}), 'logout',
    'the session is revoked as logout');
error_ok(api(POST => '/api/auth/logout', token => $b->{access_token}), 401,
    'unauthorized', 'a second logout with the same token');
error_ok(api(POST => '/api/auth/logout'), 401, 'unauthorized',
    'logout without a token');

# Logout with a body: {} and a refresh token of another own session.
my $s1 = json_body(login_user($u->{email}, $u->{password}));
my $s2 = json_body(login_user($u->{email}, $u->{password}));
$r = api(POST => '/api/auth/logout', token => $s1->{access_token},
    json => { refresh_token => $s2->{refresh_token} });
is($r->{status}, 204, 'logout with a refresh token of another own session');
error_ok(refresh($s2->{refresh_token}), 401, 'unauthorized',
    '...ends that session\'s refresh token');
error_ok(me($s2->{access_token}), 401, 'unauthorized',
    '...and its access token');
my $s3 = json_body(login_user($u->{email}, $u->{password}));
$r = api(POST => '/api/auth/logout', token => $s3->{access_token}, json => {});
is($r->{status}, 204, 'logout with {} answers 204');

# Someone else's refresh token is never revoked.
my $v = register_user(tag => 'refresh-victim');
my $s4 = json_body(login_user($u->{email}, $u->{password}));
$r = api(POST => '/api/auth/logout', token => $s4->{access_token},
    json => { refresh_token => $v->{refresh_token} });
ok($r->{status} == 204 || $r->{status} == 400,
    'logout with another user\'s refresh token is ignored or refused');
is(refresh($v->{refresh_token})->{status}, 200,
    '...and that user\'s session lives on');

my $s5 = json_body(login_user($u->{email}, $u->{password}));
error_ok(api(POST => '/api/auth/logout', token => $s5->{access_token},
    json => { all => JSON::PP::true }), 400, 'validation_failed',
    'logout with an unknown field');
error_ok(api(POST => '/api/auth/logout', token => $s5->{access_token},
    body => 'refresh', type => 'text/plain'), 415, 'unsupported_media_type',
    'logout with a body that is not JSON');
is(me($s5->{access_token})->{status}, 200,
    '...and a refused logout leaves the session alone');

done_testing();

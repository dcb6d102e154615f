#!/usr/bin/perl
# lectern — POST /api/auth/password/forgot and /api/auth/password/reset:
# the answer never tells whether an account exists, the token reaches
# only the outbox (stored as SHA-256), works once and for an hour, and a
# reset ends every session.
use strict;
use warnings;
use Test::More;
use Lectern::Test;

base_url();

my $INVALID = 'is invalid or has expired';

sub forgot {
	my ($email, %o) = @_;
	return api(POST => '/api/auth/password/forgot',
	    json => { email => $email }, %o);
}

sub reset_pw {
	my ($token, $pw) = @_;
	return api(POST => '/api/auth/password/reset',
	    json => { token => $token, new_password => $pw });
}

sub outbox_count {
	my ($email) = @_;
	return sql_one("SELECT count(*) FROM email_outbox"
	    . " WHERE to_address = :'p1'", $email);
}

# The token of the newest reset mail to email, read from the body.
sub latest_token {
	my ($email) = @_;
	return sql_one("SELECT substring(body from 'token=([A-Za-z0-9_-]+)')"
	    . " FROM email_outbox WHERE to_address = :'p1'"
	    . " ORDER BY id DESC LIMIT 1", $email);
}

sub token_error_ok {
	my ($r, $what) = @_;
	error_ok($r, 400, 'validation_failed', $what);
	is(json_body($r)->{error}{fields}{token}, $INVALID,
	    "...with fields.token \"$INVALID\"");
}

# An address nobody has.
my $nobody = unique_email('nobody');
my $r0 = forgot($nobody);
is($r0->{status}, 202, 'forgot for an unknown email answers 202');
is_deeply(json_body($r0), { status => 'accepted' },
    '...with {"status":"accepted"}');
ok(defined $r0->{headers}{'x-ratelimit-limit'},
    '...counted against a rate limit');
is(outbox_count($nobody), 0, '...and queues no mail');

# A real account, signed in.
my $u = register_user(tag => 'reset');
my $uid = $u->{user}{id};
my $login = login_user($u->{email}, $u->{password});
is($login->{status}, 200, 'the account can sign in');
my $old_access = json_body($login)->{access_token};

my $r = forgot(uc $u->{email});
is($r->{status}, 202, 'forgot for a real account (any case) answers 202');
is($r->{content}, $r0->{content},
    '...with exactly the body an unknown email gets');
is(outbox_count($u->{email}), 1, '...and queues one mail to the account');
my ($row) = sql("SELECT subject, status, attempts FROM email_outbox"
    . " WHERE to_address = :'p1'", $u->{email});
is_deeply($row, ['Reset your lectern password', 'pending', 0],
    '...with the subject, pending, not yet tried');
my $token = latest_token($u->{email});
ok(defined $token && length($token) >= 43, '...whose body carries a token');
my $public = sql_one("SELECT body ~ :'p1' FROM email_outbox"
    . " WHERE to_address = :'p2'",
    '/reset-password#token=' . $token . '\n', $u->{email});
is($public, 't', '...in a /reset-password#token= link');
is(sql_one("SELECT body ~ 'expires in an hour' FROM email_outbox"
    . " WHERE to_address = :'p1'", $u->{email}), 't',
    '...saying that it expires in an hour');
is(sql_one("SELECT count(*) FROM password_resets WHERE user_id = :'p1'"
    . " AND token_hash = encode(sha256(convert_to(:'p2', 'UTF8')), 'hex')"
    . " AND used_at IS NULL"
    . " AND expires_at BETWEEN now() + interval '59 minutes'"
    . " AND now() + interval '61 minutes'", $uid, $token), 1,
    'the reset is stored as the SHA-256 of the token, for an hour');
is(sql_one("SELECT count(*) FROM password_resets WHERE token_hash = :'p1'",
    $token), 0, '...and never in clear');
ok(index($r->{content}, $token) < 0, 'the response does not carry the token');

# Input checks.
$r = api(POST => '/api/auth/password/forgot', json => {});
error_ok($r, 400, 'validation_failed', 'forgot without an email');
$r = forgot('not-an-address');
error_ok($r, 400, 'validation_failed', 'forgot with a malformed email');
$r = api(POST => '/api/auth/password/forgot',
    json => { email => $u->{email}, extra => 1 });
error_ok($r, 400, 'validation_failed', 'forgot with an unknown field');
$r = api(POST => '/api/auth/password/reset',
    json => { token => $token, new_password => strong_password(), x => 1 });
error_ok($r, 400, 'validation_failed', 'reset with an unknown field');
ok(exists json_body($r)->{error}{fields}{x}, '...naming the field');
$r = api(POST => '/api/auth/password/reset', json => { token => $token });
error_ok($r, 400, 'validation_failed', 'reset without a new password');

# A weak password is refused and leaves the token usable.
$r = reset_pw($token, 'password1234');
error_ok($r, 400, 'validation_failed', 'reset with a weak new password');
ok(json_body($r)->{error}{fields}{new_password},
    '...says why in fields.new_password');
$r = reset_pw($token, $u->{email});
error_ok($r, 400, 'validation_failed', 'reset to the email address');
is(sql_one("SELECT count(*) FROM password_resets WHERE user_id = :'p1'"
    . " AND used_at IS NULL", $uid), 1, '...and the token is not spent');

# A second token, to see that a reset spends it too.
forgot($u->{email});
my $token2 = latest_token($u->{email});
isnt($token2, $token, 'a second forgot makes a different token');

# The reset itself.
my $new_pw = strong_password();
$r = reset_pw($token, $new_pw);
is($r->{status}, 204, 'reset with the token answers 204');
is($r->{content} // '', '', '...with no body');
is(login_user($u->{email}, $new_pw)->{status}, 200,
    'the new password signs in');
error_ok(login_user($u->{email}, $u->{password}), 401, 'invalid_credentials',
    'the old password');
is(sql_one("SELECT password_hash LIKE '\$argon2id\$%' FROM users"
    . " WHERE id = :'p1'", $uid), 't', 'the new hash is Argon2id');
is(sql_one("SELECT count(*) FROM sessions WHERE user_id = :'p1'"
    . " AND revoked_reason = 'password_reset'", $uid) >= 2, 1,
    'the sessions from before the reset are revoked as password_reset');
is(sql_one("SELECT count(*) FROM sessions WHERE user_id = :'p1'"
    . " AND revoked_at IS NULL AND created_at < ("
    . "  SELECT max(used_at) FROM password_resets WHERE user_id = :'p1')",
    $uid), 0, '...and none of them is live');
error_ok(api(GET => '/api/auth/me', token => $old_access), 401,
    'unauthorized', 'an access token from before the reset');
is(sql_one("SELECT count(*) FROM password_resets WHERE user_id = :'p1'"
    . " AND used_at IS NULL", $uid), 0, 'every reset token of the user is spent');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'user.password_reset'"
    . " AND actor_user_id = :'p1' AND target_id = :'p1'", $uid), 1,
    'the reset is audited as user.password_reset');

# Single use, and the other token died with it.
token_error_ok(reset_pw($token, strong_password()), 'the same token again');
token_error_ok(reset_pw($token2, strong_password()),
    'the other token of the user');
token_error_ok(reset_pw('A' x 43, strong_password()), 'an unknown token');

# An expired token.
forgot($u->{email});
my $token3 = latest_token($u->{email});
sql("UPDATE password_resets SET expires_at = now() - interval '1 minute'"
    . " WHERE token_hash = encode(sha256(convert_to(:'p1', 'UTF8')), 'hex')",
    $token3);
token_error_ok(reset_pw($token3, strong_password()), 'an expired token');
is(login_user($u->{email}, $new_pw)->{status}, 200,
    '...which changed nothing');

# An inactive account gets no mail.
my $v = register_user(tag => 'resetoff');
sql("UPDATE users SET is_active = false WHERE id = :'p1'", $v->{user}{id});
$r = forgot($v->{email});
is($r->{status}, 202, 'forgot for an inactive account answers 202');
is(outbox_count($v->{email}), 0, '...and queues no mail');

# The token is in no log line.
my $logdir = $ENV{LECTERN_TEST_LOGDIR};
if ($logdir && -d $logdir) {
	my $leak = 0;
	for my $f (glob("$logdir/*")) {
		open(my $fh, '<', $f) or next;
		while (my $line = <$fh>) {
			$leak++ if index($line, $token) >= 0
			    || index($line, $token2) >= 0;
		}
		close($fh);
	}
	is($leak, 0, 'no server log line carries a reset token');
}

done_testing();

#!/usr/bin/perl
# lectern — POST /api/auth/firebase: Firebase Auth ID tokens, RS256
# against the key set the JWKS stand-in serves, signed by PyJWT (SPEC §7).
#
# The same flows as Google's (t/http/296-google.t) with Firebase's rules:
# iss https://securetoken.google.com/<project>, aud the project, a
# non-empty sub, auth_time in the past.  A token without a verified email
# signs in an identity already known but cannot make or link an account.
use strict;
use warnings;
use Test::More;
use JSON::PP ();
use Lectern::Test;
use Lectern::Signin;

base_url();
signin_ready();

my $project = 'lectern-test';
my $seq = 0;

# Claims of a good token for a new person; %o overrides (undef removes).
sub claims {
	my (%o) = @_;
	my $now = time();
	$seq++;
	my %c = (
		iss => "https://securetoken.google.com/$project",
		aud => $project,
		sub => "uid$$" . 'x' . time() . "n$seq",
		user_id => 'same-as-sub',
		auth_time => $now - 60,
		email => unique_email('firebase'),
		email_verified => JSON::PP::true,
		firebase => { sign_in_provider => 'password' },
		iat => $now - 10,
		exp => $now + 3600,
	);
	$c{user_id} = $c{sub};
	for my $k (keys %o) {
		if (defined $o{$k}) {
			$c{$k} = $o{$k};
		} else {
			delete $c{$k};
		}
	}
	return \%c;
}

sub firebase {
	my ($token, %o) = @_;
	return api(POST => '/api/auth/firebase',
	    json => { id_token => $token }, %o);
}

sub users_with { sql_one("SELECT count(*) FROM users WHERE email = lower(:'p1')", $_[0] // '') }
sub identities_of { sql_one("SELECT count(*) FROM user_identities WHERE provider = 'firebase' AND subject = :'p1'", $_[0] // '') }
sub fetches { standin_state()->{fetches}{firebase} }

standin(POST => '/mode', { mode => 'ok' });
standin(POST => '/max_age', { max_age => 300 });
drop_cache('firebase');

my $r = firebase('x.y.z', url => base_url('badconf'));
error_ok($r, 503, 'unavailable', 'sign-in where Firebase is not configured');
like(json_body($r)->{error}{message}, qr/LECTERN_FIREBASE_PROJECT_ID/,
    '...and the message names the missing setting');

# First sign-in: a new student; then the same user.
my $c = claims(name => 'Alan Turing');
my $f0 = fetches();
$r = firebase(mint($c));
is($r->{status}, 201, 'a good token for a new email answers 201')
    or diag($r->{content});
my $b = json_body($r);
ok($b->{created}, '..."created": true');
is($b->{user}{role}, 'student', '...a student');
is($b->{user}{email}, $c->{email}, '...with the token\'s email');
ok($b->{access_token} && $b->{refresh_token}, '...and the token pair');
my $uid = $b->{user}{id};
is(fetches(), $f0 + 1, 'the Firebase key set was fetched');
ok(-e cache_file('firebase'), '...and cached apart from Google\'s');
$r = firebase(mint(claims(sub => $c->{sub}, email => $c->{email})));
is($r->{status}, 200, 'the same identity again answers 200');
is(json_body($r)->{user}{id}, $uid, '...as the same user');
is(users_with($c->{email}), 1, '...still one user');

# An identity already known needs no email (phone sign-in, say).
$r = firebase(mint(claims(sub => $c->{sub}, email => undef,
    email_verified => undef)));
is($r->{status}, 200, 'a known identity without an email signs in');
is(json_body($r)->{user}{id}, $uid, '...as its user');

# The same sub at Google is another identity.
is(sql_one("SELECT count(*) FROM user_identities WHERE subject = :'p1'", $c->{sub}),
    1, 'the identity is (firebase, sub)');

# Linking to a password account by verified email.
my $pw = register_user(tag => 'fblink');
my $lc = claims(email => $pw->{email});
$r = firebase(mint($lc));
is($r->{status}, 200, 'a verified email of a password account answers 200');
is(json_body($r)->{user}{id}, $pw->{user}{id}, '...signed in as that account');
is(users_with($pw->{email}), 1, '...no second user');
is(identities_of($lc->{sub}), 1, '...the identity is linked');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'identity_linked' AND target_id = :'p1' AND details->>'provider' = 'firebase'", $pw->{user}{id}),
    1, '...and the link audited');

# An unverified email links nothing and makes nothing.
my $pw2 = register_user(tag => 'fbunver');
my $uc = claims(email => $pw2->{email}, email_verified => JSON::PP::false);
$r = firebase(mint($uc));
error_ok($r, 400, 'invalid_token', 'an unverified email of a password account');
is(identities_of($uc->{sub}), 0, '...is not linked');

# Disabled.
sql("UPDATE users SET is_active = false WHERE id = :'p1'", $uid);
$r = firebase(mint(claims(sub => $c->{sub}, email => $c->{email})));
error_ok($r, 403, 'account_disabled', 'a disabled account');
sql("UPDATE users SET is_active = true WHERE id = :'p1'", $uid);

# Every forged shape: 400 invalid_token, and no user.
sub forged_ok {
	my ($what, $claims, $token) = @_;
	my $r = firebase($token);
	error_ok($r, 400, 'invalid_token', $what);
	is(users_with($claims->{email}) + identities_of($claims->{sub}), 0,
	    "$what: no user, no identity");
}
my $fc;
$fc = claims(aud => 'another-project');
forged_ok('a wrong aud', $fc, mint($fc));
$fc = claims(iss => 'https://securetoken.google.com/another-project');
forged_ok('a wrong iss', $fc, mint($fc));
$fc = claims(iss => 'https://accounts.google.com');
forged_ok('Google\'s iss', $fc, mint($fc));
$fc = claims(exp => time() - 400, iat => time() - 4000);
forged_ok('expired beyond the leeway', $fc, mint($fc));
$fc = claims(auth_time => time() + 3600);
forged_ok('auth_time in the future', $fc, mint($fc));
$fc = claims(auth_time => undef);
forged_ok('no auth_time', $fc, mint($fc));
$fc = claims(sub => '');
forged_ok('an empty sub', $fc, mint($fc));
$fc = claims(sub => 'u' x 129);
forged_ok('a sub over 128 characters', $fc, mint($fc));
$fc = claims(email_verified => JSON::PP::false);
forged_ok('email_verified false', $fc, mint($fc));
$fc = claims(email_verified => undef);
forged_ok('email_verified absent', $fc, mint($fc));
$fc = claims(email => undef, email_verified => undef);
forged_ok('a new identity without an email', $fc, mint($fc));
$fc = claims();
forged_ok('alg none', $fc, mint($fc, mode => 'none'));
$fc = claims();
forged_ok('HS256 with the public key as the secret', $fc,
    mint($fc, mode => 'hs256-pubkey'));
$fc = claims();
forged_ok('a flipped signature byte', $fc, mint($fc, mode => 'flip'));
$fc = claims();
my $tok = mint($fc);
forged_ok('two segments', $fc, join('.', (split /\./, $tok)[0, 1]));
forged_ok('four segments', $fc, "$tok.AAAA");
$fc = claims(pad => 'x' x 7000);
forged_ok('a 9 KiB token', $fc, mint($fc));
$fc = claims();
forged_ok('a Google token', $fc, mint({ %$fc,
    iss => 'https://accounts.google.com',
    aud => 'lectern-web.apps.googleusercontent.com' }));

age_cache('firebase', 61);
my $f1 = fetches();
$fc = claims();
forged_ok('an unknown kid', $fc, mint($fc, kid => 'no-such-key'));
is(fetches(), $f1 + 1, '...after one refetch');
$fc = claims();
forged_ok('another unknown kid', $fc, mint($fc, kid => 'no-such-key-2'));
is(fetches(), $f1 + 1, '...without another within the minute');

# The provider down.
standin(POST => '/mode', { mode => 'down' });
$c = claims();
is(firebase(mint($c))->{status}, 201, 'provider down, fresh copy: works');
drop_cache('firebase');
$fc = claims();
$r = firebase(mint($fc));
error_ok($r, 503, 'unavailable', 'provider down, no copy');
is(users_with($fc->{email}), 0, '...no user');
standin(POST => '/mode', { mode => 'ok' });
$c = claims();
is(firebase(mint($c))->{status}, 201, 'the provider back: sign-in works');

done_testing();

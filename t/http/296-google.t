#!/usr/bin/perl
# lectern — POST /api/auth/google: Google ID tokens, RS256 against the
# key set the JWKS stand-in serves, signed by PyJWT (SPEC §7).
#
# A good token signs in (201 and a new student the first time, 200 and
# the same user after, linked to the password account of its verified
# email); every forged shape is 400 invalid_token and makes no user; key
# rotation, the cache's max-age, the once-a-minute refetch for an
# unknown kid, and the provider being down are checked against the
# stand-in's fetch counts and the cache directory.
use strict;
use warnings;
use Test::More;
use JSON::PP ();
use Lectern::Test;
use Lectern::Signin;

base_url();
signin_ready();

my $web = 'lectern-web.apps.googleusercontent.com';
my $android = 'lectern-android.apps.googleusercontent.com';
my $seq = 0;

# Claims of a good token for a new person; %o overrides (undef removes).
sub claims {
	my (%o) = @_;
	my $now = time();
	$seq++;
	my %c = (
		iss => 'https://accounts.google.com',
		azp => $web,
		aud => $web,
		sub => '10' . $$ . time() . sprintf('%04d', $seq),
		email => unique_email('google'),
		email_verified => JSON::PP::true,
		name => 'Ada Lovelace',
		iat => $now - 10,
		exp => $now + 3600,
	);
	for my $k (keys %o) {
		if (defined $o{$k}) {
			$c{$k} = $o{$k};
		} else {
			delete $c{$k};
		}
	}
	return \%c;
}

sub google {
	my ($token, %o) = @_;
	return api(POST => '/api/auth/google', json => { id_token => $token },
	    %o);
}

sub users_with { sql_one("SELECT count(*) FROM users WHERE email = lower(:'p1')", $_[0]) }
sub identities_of { sql_one("SELECT count(*) FROM user_identities WHERE provider = 'google' AND subject = :'p1'", $_[0]) }
sub fetches { standin_state()->{fetches}{google} }

standin(POST => '/mode', { mode => 'ok' });
standin(POST => '/max_age', { max_age => 300 });
drop_cache('google');

# /health says which providers are set up, and nothing more.
my $h = api(GET => '/health');
is_deeply([@{ json_body($h)->{integrations} || {} }{qw(google firebase)}],
    ['configured', 'configured'], '/health: google and firebase configured');
unlike($h->{content}, qr/apps\.googleusercontent|lectern-test|127\.0\.0\.1/,
    '...without their settings');
$h = api(GET => '/health', url => base_url('badconf'));
is(json_body($h)->{integrations}{google}, 'not_configured',
    '/health on a host without the settings: google not_configured');

# Unconfigured: 503 naming the setting.
my $r = google('x.y.z', url => base_url('badconf'));
error_ok($r, 503, 'unavailable', 'sign-in where Google is not configured');
like(json_body($r)->{error}{message}, qr/LECTERN_GOOGLE_CLIENT_ID/,
    '...and the message names the missing setting');

# First sign-in: a new student.
my $c = claims();
my $f0 = fetches();
my $tok = mint($c);
$r = google($tok);
is($r->{status}, 201, 'a good token for a new email answers 201')
    or diag($r->{content});
my $b = json_body($r);
ok($b->{created}, '..."created": true');
is($b->{user}{role}, 'student', '...a student');
is($b->{user}{email}, $c->{email}, '...with the token\'s email');
is($b->{user}{name}, 'Ada Lovelace', '...and name');
ok($b->{access_token} && $b->{refresh_token} && $b->{token_type} eq 'Bearer'
    && $b->{expires_in} > 0, '...and the token pair login gives');
is($r->{headers}{location}, '/api/auth/me', '...Location /api/auth/me');
is(api(GET => '/api/auth/me', token => $b->{access_token})->{status}, 200,
    'the access token works');
my $uid = $b->{user}{id};
is(sql_one("SELECT user_id || ' ' || email FROM user_identities WHERE provider = 'google' AND subject = :'p1'", $c->{sub}),
    "$uid $c->{email}", 'the identity (google, sub) is kept with its email');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'account_created' AND target_id = :'p1' AND details->>'provider' = 'google'", $uid),
    1, 'the account creation is audited');
like(sql_one("SELECT password_hash FROM users WHERE id = :'p1'", $uid),
    qr/^!unusable!/, 'the new account has no usable password');
is(fetches(), $f0 + 1, 'the key set was fetched once');
my @st = stat(cache_file('google'));
ok(@st && ($st[2] & 0777) == 0600, 'and cached, owner-only')
    or diag(sprintf('mode %o', $st[2] // 0));
open(my $fh, '<', cache_file('google')) or die;
my $line = <$fh>;
close($fh);
like($line, qr{^lectern-jwks 1 300 http://127\.0\.0\.1:\d+/google/certs$},
    '...for the max-age the stand-in gave');

# The same person again: the same user, no new fetch.
$r = google(mint(claims(sub => $c->{sub}, email => $c->{email})));
is($r->{status}, 200, 'the same identity again answers 200');
is(json_body($r)->{user}{id}, $uid, '...as the same user');
ok(!exists json_body($r)->{created}, '...not created');
is(users_with($c->{email}), 1, '...and there is still one user');
is(fetches(), $f0 + 1, '...and the cached key set served');

# Another of the configured client ids (the Android app).
$r = google(mint(claims(sub => $c->{sub}, email => $c->{email}, aud => $android)));
is($r->{status}, 200, 'a token for the second client id is accepted');

# Within the 5 minutes' leeway.
$r = google(mint(claims(sub => $c->{sub}, email => $c->{email},
    exp => time() - 120, iat => time() - 3700)));
is($r->{status}, 200, 'a token expired 2 minutes ago is within the leeway');

# A password account with the same verified email: linked.
my $pw = register_user(tag => 'glink');
my $lc = claims(email => uc($pw->{email}));
$r = google(mint($lc));
is($r->{status}, 200, 'a verified email of a password account answers 200')
    or diag($r->{content});
is(json_body($r)->{user}{id}, $pw->{user}{id}, '...signed in as that account');
my $link_token = json_body($r)->{access_token};
ok(!exists json_body($r)->{created}, '...not created');
is(users_with($pw->{email}), 1, '...no second user');
is(identities_of($lc->{sub}), 1, '...the identity is linked');
is(sql_one("SELECT count(*) FROM audit_logs WHERE action = 'identity_linked' AND target_id = :'p1'", $pw->{user}{id}),
    1, '...and the link audited');
is(login_user($pw->{email}, $pw->{password})->{status}, 200,
    'the password still works');

# The export lists the identity; erasing the account removes it.
my $ex = api(GET => '/api/auth/me/export', token => $link_token);
is_deeply([map { "$_->{provider} $_->{subject} $_->{email}" }
    @{ json_body($ex)->{identities} || [] }],
    ["google $lc->{sub} $pw->{email}"], 'the export lists the identity');
$r = api(DELETE => '/api/auth/me', token => $link_token,
    json => { password => $pw->{password} });
is($r->{status}, 204, 'the linked account is erased');
is(identities_of($lc->{sub}), 0, '...and its identity with it');
$r = google(mint(claims(sub => $lc->{sub}, email => $pw->{email})));
is($r->{status}, 201, 'that Google account then makes a new student');
isnt(json_body($r)->{user}{id}, $pw->{user}{id}, '...not the erased one');

# Disabled accounts.
sql("UPDATE users SET is_active = false WHERE id = :'p1'", $uid);
$r = google(mint(claims(sub => $c->{sub}, email => $c->{email})));
error_ok($r, 403, 'account_disabled', 'a disabled account');
sql("UPDATE users SET is_active = true WHERE id = :'p1'", $uid);
my $off = register_user(tag => 'goff');
sql("UPDATE users SET is_active = false WHERE id = :'p1'", $off->{user}{id});
my $oc = claims(email => $off->{email});
$r = google(mint($oc));
error_ok($r, 403, 'account_disabled', 'a first sign-in into a disabled account');
is(identities_of($oc->{sub}), 0, '...links nothing');

# Every forged shape: 400 invalid_token, and no user.
sub forged_ok {
	my ($what, $claims, $token) = @_;
	my $r = google($token);
	error_ok($r, 400, 'invalid_token', $what);
	is(users_with($claims->{email}) + identities_of($claims->{sub}), 0,
	    "$what: no user, no identity");
}
my $fc;
$fc = claims(aud => 'someone-else.apps.googleusercontent.com');
forged_ok('a wrong aud', $fc, mint($fc));
$fc = claims(iss => 'https://evil.example.com');
forged_ok('a wrong iss', $fc, mint($fc));
$fc = claims(exp => time() - 400, iat => time() - 4000);
forged_ok('expired beyond the leeway', $fc, mint($fc));
$fc = claims(iat => time() + 900);
forged_ok('issued in the future', $fc, mint($fc));
$fc = claims(email_verified => JSON::PP::false);
forged_ok('email_verified false', $fc, mint($fc));
$fc = claims(email_verified => undef);
forged_ok('email_verified absent', $fc, mint($fc));
$fc = claims(email_verified => 'true');
forged_ok('email_verified as a string', $fc, mint($fc));
$fc = claims();
forged_ok('alg none', $fc, mint($fc, mode => 'none'));
$fc = claims();
forged_ok('HS256 with the public key as the secret', $fc,
    mint($fc, mode => 'hs256-pubkey'));
$fc = claims();
forged_ok('a flipped signature byte', $fc, mint($fc, mode => 'flip'));
$fc = claims();
$tok = mint($fc);
forged_ok('two segments', $fc, join('.', (split /\./, $tok)[0, 1]));
forged_ok('four segments', $fc, "$tok.AAAA");
$fc = claims(pad => 'x' x 7000);
$tok = mint($fc);
ok(length($tok) > 9 * 1024, 'the padded token is over 9 KiB');
forged_ok('a 9 KiB token', $fc, $tok);
$fc = claims();
forged_ok('a Firebase token', $fc, mint({ %$fc,
    iss => 'https://securetoken.google.com/lectern-test',
    aud => 'lectern-test', auth_time => time() - 60 }));

# An unknown kid refetches the set, once a minute at most.
age_cache('google', 61);
my $f1 = fetches();
$fc = claims();
forged_ok('an unknown kid', $fc, mint($fc, kid => 'no-such-key'));
is(fetches(), $f1 + 1, '...after one refetch');
$fc = claims();
forged_ok('another unknown kid', $fc, mint($fc, kid => 'no-such-key-2'));
is(fetches(), $f1 + 1, '...without another refetch within the minute');

# Rotation: a new key is found by refetching, once the minute is over.
my $k2 = standin(POST => '/rotate')->{kid};
$c = claims();
$r = google(mint($c));
error_ok($r, 400, 'invalid_token',
    'a token of a new key within a minute of the last fetch');
age_cache('google', 61);
$c = claims();
$r = google(mint($c));
is($r->{status}, 201, 'a minute later the new key is fetched and verifies')
    or diag($r->{content});
is(fetches(), $f1 + 2, '...with one more fetch');
my @kids = @{ standin_state()->{kids} };
$c = claims();
$r = google(mint($c, kid => $kids[0]));
is($r->{status}, 201, 'the old key, still published, verifies too');
my $k3 = standin(POST => '/rotate', { drop_old => 1 })->{kid};
age_cache('google', 61);
$c = claims();
is(google(mint($c))->{status}, 201, 'after a rotation that drops the old keys');
$fc = claims();
forged_ok('a token of a dropped key', $fc, mint($fc, kid => $k2));

# The provider down: the fresh copy serves; without one, 503.
standin(POST => '/mode', { mode => 'down' });
$c = claims();
$r = google(mint($c));
is($r->{status}, 201, 'provider down, fresh copy: sign-in works')
    or diag($r->{content});
age_cache('google', 301);
$fc = claims();
$r = google(mint($fc));
error_ok($r, 503, 'unavailable', 'provider down, copy past its max-age');
is(users_with($fc->{email}), 0, '...no user');
drop_cache('google');
$fc = claims();
$r = google(mint($fc));
error_ok($r, 503, 'unavailable', 'provider down, no copy');
is(users_with($fc->{email}), 0, '...no user');
is(sql_one("SELECT code || ' ' || path FROM error_logs WHERE request_id = :'p1'",
    $r->{headers}{'x-request-id'}), 'unavailable /api/auth/google',
    '...and the failure is in error_logs');
ok(!-e cache_file('google'), '...and nothing cached');
for my $mode (qw(error redirect)) {
	standin(POST => '/mode', { mode => $mode });
	$fc = claims();
	$r = google(mint($fc));
	error_ok($r, 503, 'unavailable', "the provider answers $mode");
	is(users_with($fc->{email}), 0, '...no user');
}
standin(POST => '/mode', { mode => 'ok' });
$c = claims();
is(google(mint($c))->{status}, 201, 'the provider back: sign-in works');
ok(-e cache_file('google'), '...and the set is cached again');

# A max-age of 0 caches nothing.
standin(POST => '/max_age', { max_age => 0 });
drop_cache('google');
$c = claims();
is(google(mint($c))->{status}, 201, 'max-age 0: sign-in works');
ok(!-e cache_file('google'), '...and nothing is cached');
standin(POST => '/max_age', { max_age => 300 });

# The body.
$r = api(POST => '/api/auth/google', json => {});
error_ok($r, 400, 'validation_failed', 'no id_token');
$r = api(POST => '/api/auth/google', json => { id_token => 42 });
error_ok($r, 400, 'validation_failed', 'an id_token that is no string');
$r = api(POST => '/api/auth/google', json => { id_token => 'a.b.c', x => 1 });
error_ok($r, 400, 'validation_failed', 'an unknown field');
$r = google('not a token');
error_ok($r, 400, 'invalid_token', 'garbage');

# The auth rate class, on the host that keeps the default limits.
my $ip = '127.1.' . ($$ % 200 + 20) . '.7';
my @codes = map {
	google('a.b.c', url => base_url('limits'), from => $ip)->{status}
} 1 .. 11;
is_deeply([@codes[0 .. 9]], [(400) x 10], 'ten sign-ins from one address');
is($codes[10], 429, '...and the eleventh is rate limited');

done_testing();

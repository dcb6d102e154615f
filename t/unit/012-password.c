/*
 * lectern — t/unit/012-password: hashing, verification and the policy.
 *
 * Argon2id hashes round-trip with the standard parameters; fixed
 * Werkzeug vectors (made with Werkzeug 3.1.8 and Debian's 2.2.2, a
 * non-ASCII password and a non-ASCII salt among them) verify and ask
 * for a re-hash; malformed and absurd stored strings answer "no"
 * without crashing or allocating much; the unusable marker never
 * verifies; and the policy accepts long passphrases in any script
 * while refusing short, long, control-laden, email-like, dictionary
 * and keyboard-walk passwords.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "password.h"

/* tap.h defines all its helpers static; not every test uses every one. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "../tap.h"
#pragma GCC diagnostic pop

#define PW		"correct horse battery"
/* "pässwörd-日本語-🔑" */
#define PW_UNI		"p\xc3\xa4ssw\xc3\xb6rd-\xe6\x97\xa5\xe6\x9c\xac" \
			"\xe8\xaa\x9e-\xf0\x9f\x94\x91"

#define MSG_DICT	"is a common password or based on a dictionary word"
#define MSG_SIMPLE	"is too simple or repetitive"
#define MSG_EMAIL	"must not be your email address"
#define MSG_EMAIL_BASED	"must not be based on your email address"
#define MSG_SHORT	"is too short"
#define MSG_LONG	"must be at most 128 characters"
#define MSG_TEXT	"must be valid UTF-8 without control characters"

struct vector {
	const char	*name;
	const char	*stored;
	const char	*pw;
};

/* Made by werkzeug.security.generate_password_hash unless noted. */
static const struct vector vectors[] = {
	{ "scrypt 32768:8:1 (Werkzeug 3.1 default)",
	  "scrypt:32768:8:1$G6imuApfAf91wjlyOE0-AQ$74fceb5f42c7d13859783d08"
	  "9c1662fa6e2ae5f9cb48f4193a1fab43a006ff9b1d7db1607bb223756b9e4e53e"
	  "4678314fc411ac8bf45ab34e05692ecf8e7742a", PW },
	{ "scrypt 32768:8:1, non-ASCII password",
	  "scrypt:32768:8:1$P7AE2URQeeQ3WvwW3I638Q$fce0f88f5a2ab07dcbba3638"
	  "5327b499de8a8a7f90702317ced7d6b80059d895accd34474d1e105932719ba9d"
	  "f37285db1a462f54220a46db8b3ceca5f698524", PW_UNI },
	{ "scrypt 1024:8:2",
	  "scrypt:1024:8:2$QxbtOyhS2Pg4Essi$4175df50730ec94ad380d76d14ad9866"
	  "ca55054d6597777c69e5390387956d98fb6371ffc76cb20c80f6fe2902b496a02"
	  "fdbfb82aec98b4b3bd3f6dfca432ec9", PW },
	/* _hash_internal("scrypt:16384:8:1", "sälz-日本", PW_UNI) */
	{ "scrypt 16384:8:1, non-ASCII salt",
	  "scrypt:16384:8:1$s\xc3\xa4lz-\xe6\x97\xa5\xe6\x9c\xac$b8c3016046cc"
	  "2ac94961c6846b8c8f4093e96628b26300ed6a8d85b668204517942b4363eac157"
	  "9600ee76b4ee5bb84f1fbf48d8a588c852d1452ca3d0b8bcae", PW_UNI },
	{ "pbkdf2:sha256:260000 (Werkzeug 2.2 default)",
	  "pbkdf2:sha256:260000$jpmQVxq2qdBpguo5$652cd68e9f6c0c65e6da3591f8e"
	  "4e1d66379b57dc67409816c5145fcdb3752d9", PW },
	{ "pbkdf2:sha256:600000, non-ASCII password",
	  "pbkdf2:sha256:600000$X-uF9bS4ovrHucKLqIjdVQ$dd109b1758934edd49de7"
	  "f222578fa14fc2cd09ea62087f9c347d0db4b327b3a", PW_UNI },
	{ "pbkdf2:sha256:1000000 (Werkzeug 3.1 pbkdf2 default)",
	  "pbkdf2:sha256:1000000$pxQCadKRe27q-MwF5Zc_lQ$8a34a057528b56e18ac2"
	  "6946c4895333ebcb402a18bb4336319d6e0c55e8bd7e", PW },
	{ "pbkdf2:sha256:1000 (Werkzeug 2.2), non-ASCII password",
	  "pbkdf2:sha256:1000$kKBgiEmoPzBuQepW$d2b6883130fae468b5c440e8e5f36"
	  "8c0f57face24ca3294cf78ca6b086e32ec2", PW_UNI },
	/* _hash_internal("pbkdf2:sha256:1000", "sälz-日本", PW_UNI) */
	{ "pbkdf2:sha256:1000, non-ASCII salt",
	  "pbkdf2:sha256:1000$s\xc3\xa4lz-\xe6\x97\xa5\xe6\x9c\xac$6ead60ff85"
	  "e624600837ed128ffc1fa8c65a389cf1961a4f763d04fc5d365b8b", PW_UNI },
};

#define NVECTORS	(sizeof(vectors) / sizeof(vectors[0]))

/* A valid Werkzeug hash of PW used to build broken ones. */
#define WZ_HEX	"d2b6883130fae468b5c440e8e5f368c0f57face24ca3294cf78ca6" \
		"b086e32ec2"

/* Stored strings that must answer "no" for PW without harm. */
static const char *const malformed[] = {
	"",
	PW,
	"!unusable!",
	"plain$$" PW,
	"md5$salt$5f4dcc3b5aa765d61d8327deb882cf99",
	"pbkdf2:sha256:1000$kKBgiEmoPzBuQepW$d2b6883130fae468b5c440e8e5f36",
	"pbkdf2:sha256:1000$kKBgiEmoPzBuQepW$D2B6883130FAE468B5C440E8E5F36"
	    "8C0F57FACE24CA3294CF78CA6B086E32EC2",
	"pbkdf2:sha256:1000$kKBgiEmoPzBuQepW$g2b6883130fae468b5c440e8e5f36"
	    "8c0f57face24ca3294cf78ca6b086e32ec2",
	"pbkdf2:sha256:1000$kKBgiEmoPzBuQepW$" WZ_HEX "00",
	"pbkdf2:sha256:1000$kKBgiEmoPzBuQepW$" WZ_HEX "$",
	"pbkdf2:sha256:1000$kKBgiEmoPzBuQepW$" WZ_HEX "\n",
	"pbkdf2:sha256:1000$$" WZ_HEX,
	"pbkdf2:sha256:1000$kKBgiEmoPzBuQepW",
	"pbkdf2:sha256:1000",
	"pbkdf2:sha256:0$kKBgiEmoPzBuQepW$" WZ_HEX,
	"pbkdf2:sha256:01000$kKBgiEmoPzBuQepW$" WZ_HEX,
	"pbkdf2:sha256:-1000$kKBgiEmoPzBuQepW$" WZ_HEX,
	"pbkdf2:sha256:1e3$kKBgiEmoPzBuQepW$" WZ_HEX,
	"pbkdf2:sha256:10000001$kKBgiEmoPzBuQepW$" WZ_HEX,
	"pbkdf2:sha256:4294968296$kKBgiEmoPzBuQepW$" WZ_HEX,
	"pbkdf2:sha256:99999999999999999999$kKBgiEmoPzBuQepW$" WZ_HEX,
	"pbkdf2:sha256$kKBgiEmoPzBuQepW$" WZ_HEX,
	"pbkdf2$kKBgiEmoPzBuQepW$" WZ_HEX,
	"pbkdf2:sha512:1000$kKBgiEmoPzBuQepW$" WZ_HEX,
	"pbkdf2:sha1:1000$kKBgiEmoPzBuQepW$" WZ_HEX,
	"scrypt$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:0:8:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1:8:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1000:8:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:16:1:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:65536:1:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:16777216:8:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:33554432:8:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1048576:8:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:18446744073709551616:8:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1024:0:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1024:8:0$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1024:8:1073741824$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1024:8$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1024:8:2:$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1024:8:2:1$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1024::2$QxbtOyhS2Pg4Essi$" WZ_HEX WZ_HEX,
	"scrypt:1024:8:2$QxbtOyhS2Pg4Essi$" WZ_HEX,
	"$argon2id$v=19$m=19456,t=2,p=1$",
	"$argon2id$v=19$m=19456,t=2,p=1$bGVjdGVybi1zYWx0LTAxNg$",
	"$argon2id$v=19$m=19456,t=2,p=1$bGVjdGVybi1zYWx0LTAxNg$w3SFfqSfKHW+",
	"$argon2id$v=19$m=19456,t=2,p=1$bGVjdGVybi1zYWx0LTAxNg$w3SFfqSfKHW+"
	    "ugPURpXgEaEfPbcA8P5MEG0XIIr1vA!",
	"$argon2id$v=16$m=19456,t=2,p=1$bGVjdGVybi1zYWx0LTAxNg$w3SFfqSfKHW+"
	    "ugPURpXgEaEfPbcA8P5MEG0XIIr1vAo",
	"$argon2id$v=19$m=019456,t=2,p=1$bGVjdGVybi1zYWx0LTAxNg$w3SFfqSfKH"
	    "W+ugPURpXgEaEfPbcA8P5MEG0XIIr1vAo",
	"$argon2id$v=19$m=19456,t=0,p=1$bGVjdGVybi1zYWx0LTAxNg$w3SFfqSfKHW+"
	    "ugPURpXgEaEfPbcA8P5MEG0XIIr1vAo",
	"$argon2id$v=19$m=19456,t=2,p=0$bGVjdGVybi1zYWx0LTAxNg$w3SFfqSfKHW+"
	    "ugPURpXgEaEfPbcA8P5MEG0XIIr1vAo",
	"$argon2id$v=19$m=4194304,t=2,p=1$bGVjdGVybi1zYWx0LTAxNg$w3SFfqSfKH"
	    "W+ugPURpXgEaEfPbcA8P5MEG0XIIr1vAo",
	"$argon2id$v=19$m=19456,t=100000,p=1$bGVjdGVybi1zYWx0LTAxNg$w3SFfq"
	    "SfKHW+ugPURpXgEaEfPbcA8P5MEG0XIIr1vAo",
	"$argon2id$v=19$m=19456,t=2,p=255$bGVjdGVybi1zYWx0LTAxNg$w3SFfqSfKH"
	    "W+ugPURpXgEaEfPbcA8P5MEG0XIIr1vAo",
	"$argon2id$v=19$m=19456,t=2$bGVjdGVybi1zYWx0LTAxNg$w3SFfqSfKHW+ugPU"
	    "RpXgEaEfPbcA8P5MEG0XIIr1vAo",
	/* argon2i, not argon2id, of PW with the same salt */
	"$argon2i$v=19$m=19456,t=2,p=1$bGVjdGVybi1zYWx0LTAxNg$p3yIgwCpxNMxQw"
	    "wAzTlRzsKR1aZbkV/U2E1KYaHn+Os",
};

#define NMALFORMED	(sizeof(malformed) / sizeof(malformed[0]))

/* Argon2id of PW with the salt "lectern-salt-016". */
#define A2_STD	"$argon2id$v=19$m=19456,t=2,p=1$bGVjdGVybi1zYWx0LTAxNg$" \
		"w3SFfqSfKHW+ugPURpXgEaEfPbcA8P5MEG0XIIr1vAo"
#define A2_WEAK	"$argon2id$v=19$m=4096,t=1,p=1$bGVjdGVybi1zYWx0LTAxNg$" \
		"MDKNoqGbG2NvY/2Hg5S/JhK4yHsuWNDLSr1c2HVhDk8"
#define A2_T3	"$argon2id$v=19$m=19456,t=3,p=1$bGVjdGVybi1zYWx0LTAxNg$" \
		"8VAec+Uyqqwp+BGHMk76i+Kq8uigF7mjzZ3s/DrL4BY"

/* Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Verify pw against stored and check the API_OK answer, ok and
 * needs_rehash.  name describes the case.
 */
static void
check_verify(const char *name, const char *pw, const char *stored,
    int want_ok, int want_rehash)
{
	enum api_err	 er;
	int		 okv = -1, rehash = -1;

	er = password_verify(pw, stored, &okv, &rehash);
	is_int(API_OK, er, "%s: password_verify answers", name);
	is_int(want_ok, okv, "...%s", want_ok ? "and matches" :
	    "and does not match");
	is_int(want_rehash, rehash, "...and needs_rehash is %d",
	    want_rehash);
}

/* Argon2id: round trip, parameters, wrong passwords, weaker hashes. */
static void
test_argon2(void)
{
	static const char	 prefix[] = "$argon2id$v=19$m=19456,t=2,p=1$";
	char			*h = NULL, *h2 = NULL;
	enum api_err		 er;
	int			 okv;

	er = password_hash(PW, &h);
	if (er != API_OK || h == NULL)
		bail("password_hash failed: %d", (int)er);
	ok(strncmp(h, prefix, sizeof(prefix) - 1) == 0,
	    "password_hash makes \"%s...\"", prefix);
	is_int(sizeof(prefix) - 1 + 22 + 1 + 43, strlen(h),
	    "...with a 16-byte salt and a 32-byte hash");
	check_verify("the same password", PW, h, 1, 0);
	check_verify("a wrong password", "correct horse batterx", h, 0, 0);
	check_verify("another case", "Correct horse battery", h, 0, 0);
	check_verify("a prefix", "correct horse batter", h, 0, 0);
	check_verify("the empty password", "", h, 0, 0);
	is_int(API_OK, password_hash(PW, &h2), "hashing it again works");
	ok(h2 != NULL && strcmp(h, h2) != 0, "...and gives another salt");
	free(h);
	free(h2);

	h = NULL;
	is_int(API_OK, password_hash(PW_UNI, &h),
	    "a non-ASCII password hashes");
	if (h == NULL)
		bail("password_hash failed");
	check_verify("the non-ASCII password", PW_UNI, h, 1, 0);
	check_verify("its ASCII look-alike", "passwoerd-nihongo-key", h, 0, 0);
	free(h);

	h = (char *)"x";
	is_int(API_INVALID, password_hash(NULL, &h),
	    "password_hash(NULL) is API_INVALID");
	ok(h == NULL, "...and sets *out to NULL");

	check_verify("a fixed standard hash", PW, A2_STD, 1, 0);
	check_verify("m=4096,t=1", PW, A2_WEAK, 1, 1);
	check_verify("m=4096,t=1 and a wrong password", "nope", A2_WEAK, 0, 0);
	check_verify("t=3", PW, A2_T3, 1, 0);

	okv = -1;
	is_int(API_INVALID, password_verify(NULL, A2_STD, &okv, NULL),
	    "password_verify of a NULL password is API_INVALID");
	is_int(0, okv, "...and not ok");
	is_int(API_OK, password_verify(PW, A2_STD, &okv, NULL),
	    "needs_rehash may be NULL");
	is_int(1, okv, "...and the answer still comes");
}

/* The Werkzeug vectors, right and wrong. */
static void
test_werkzeug(void)
{
	size_t	 i;
	char	 name[128];

	for (i = 0; i < NVECTORS; i++) {
		snprintf(name, sizeof(name), "%s", vectors[i].name);
		check_verify(name, vectors[i].pw, vectors[i].stored, 1, 1);
		snprintf(name, sizeof(name), "%s, wrong password",
		    vectors[i].name);
		check_verify(name, "correct horse battery!",
		    vectors[i].stored, 0, 0);
	}
}

/* Broken, absurd and foreign stored strings. */
static void
test_malformed(void)
{
	char		*big;
	size_t		 i;
	int		 okv, rehash, bad = 0;
	enum api_err	 er;
	double		 t0;

	t0 = now();
	for (i = 0; i < NMALFORMED; i++) {
		okv = rehash = -1;
		er = password_verify(PW, malformed[i], &okv, &rehash);
		if (er != API_OK || okv != 0 || rehash != 0) {
			diag("stored \"%s\": er %d ok %d rehash %d",
			    malformed[i], (int)er, okv, rehash);
			bad++;
		}
	}
	is_int(0, bad, "%zu malformed stored strings answer API_OK, not ok",
	    NMALFORMED);
	diag("%.3f s for %zu malformed strings", now() - t0, NMALFORMED);

	check_verify("a NULL stored hash", PW, NULL, 0, 0);

	if ((big = malloc(100001)) == NULL)
		bail("out of memory");
	memcpy(big, "pbkdf2:sha256:1000$", 19);
	memset(big + 19, 'a', 100000 - 19);
	big[100000] = '\0';
	check_verify("a 100 kB stored string", PW, big, 0, 0);
	check_verify("a 100 kB password", big, A2_STD, 0, 0);
	free(big);
}

/* The unusable marker and the dummy verification. */
static void
test_unusable(void)
{
	char		*u = NULL, *u2 = NULL;
	double		 t0, t_real, t_dummy;
	int		 okv;

	is_int(API_OK, password_unusable(&u), "password_unusable works");
	if (u == NULL)
		bail("password_unusable failed");
	ok(strncmp(u, "!unusable!", 10) == 0 && strlen(u) == 42,
	    "...and makes \"!unusable!\" and 32 hex digits");
	is_int(API_OK, password_unusable(&u2), "a second marker");
	ok(u2 != NULL && strcmp(u, u2) != 0, "...differs from the first");
	check_verify("the marker as its own password", u, u, 0, 0);
	check_verify("the marker's prefix", "!unusable!", u, 0, 0);
	check_verify("the empty password on the marker", "", u, 0, 0);
	free(u);
	free(u2);

	t0 = now();
	if (password_verify("wrong password!", A2_STD, &okv, NULL) != API_OK)
		bail("password_verify failed");
	t_real = now() - t0;
	t0 = now();
	password_verify_dummy("wrong password!");
	password_verify_dummy(NULL);
	t_dummy = (now() - t0) / 2;
	diag("a wrong password %.3f s, the dummy %.3f s", t_real, t_dummy);
	ok(t_dummy > t_real / 10, "password_verify_dummy does an Argon2id's "
	    "worth of work");
}

/*
 * A string of n code points mixing 1- to 4-byte characters in no
 * repeating order; the caller frees it.
 */
static char *
unicode_string(size_t n)
{
	static const char *const chars[] = {
		"\xc3\xa4", "\xc3\xb6", "\xc3\xbc", "\xc3\x9f", "\xc3\xa9",
		"\xc3\xb1", "\xc3\xa7", "\xce\xbb", "\xd0\xb6", "\xe6\x97\xa5",
		"\xe6\x9c\xac", "\xe8\xaa\x9e", "\xe9\xa6\xac",
		"\xf0\x9f\x94\x91", "\xf0\x9f\x90\x8e", "k", "Q", "7", " ",
		"z",
	};
	char		*s, *p;
	size_t		 i;
	uint32_t	 x = 12345;

	if ((s = malloc(n * 4 + 1)) == NULL)
		bail("out of memory");
	for (p = s, i = 0; i < n; i++) {
		x = x * 1103515245 + 12345;
		p = stpcpy(p, chars[(x >> 16) % 20]);
	}
	return s;
}

/* Check one policy case: want API_OK (why NULL) or API_INVALID. */
static void
check_policy(const char *name, const char *pw, const char *email,
    size_t min, const char *want_why)
{
	const char	*why = "unset";
	enum api_err	 er;

	er = password_check_policy(pw, email, min, &why);
	if (want_why == NULL) {
		is_int(API_OK, er, "%s is accepted", name);
		ok(why == NULL, "...and *why is NULL");
	} else {
		is_int(API_INVALID, er, "%s is refused", name);
		is_string(want_why, why, "...because it %s", want_why);
	}
}

/* The password policy. */
static void
test_policy(void)
{
	char	*s;
	size_t	 i;

	check_policy("a passphrase", "correct horse battery staple", NULL,
	    PASSWORD_MIN_DEFAULT, NULL);
	check_policy("a random-looking password", "xK9#mQ2$vL7!pR4z", NULL,
	    PASSWORD_MIN_DEFAULT, NULL);
	check_policy("a long random-looking passphrase",
	    "tulip-gravel-Oscillate-94-fjord-ember", "ana@example.com",
	    PASSWORD_MIN_DEFAULT, NULL);
	check_policy("a Japanese passphrase",
	    "\xe6\xad\xa3\xe3\x81\x97\xe3\x81\x84\xe9\xa6\xac\xe3\x81\xae"
	    "\xe3\x83\x90\xe3\x83\x83\xe3\x83\x86\xe3\x83\xaa\xe3\x83\xbc"
	    "\xe7\x95\x99\xe3\x82\x81\xe9\x87\x91\xe3\x81\xa7\xe3\x81\x99",
	    "ana@example.com", PASSWORD_MIN_DEFAULT, NULL);
	check_policy("a password with spaces around it",
	    "  correct horse battery  ", NULL, PASSWORD_MIN_DEFAULT, NULL);

	check_policy("NULL", NULL, NULL, PASSWORD_MIN_DEFAULT, "is required");
	check_policy("\"password1234\"", "password1234", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_DICT);
	check_policy("\"Password1234!\"", "Password1234!", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_DICT);
	check_policy("\"dictionary12\"", "dictionary12", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_DICT);
	check_policy("\"elephant1234\"", "elephant1234", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_DICT);
	check_policy("\"2024sunshine\"", "2024sunshine", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_DICT);
	check_policy("\"P@ssw0rd2024\"", "P@ssw0rd2024", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_DICT);
	check_policy("\"Summer2024!!!\"", "Summer2024!!!", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_DICT);
	check_policy("\"qwertyuiopas\"", "qwertyuiopas", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_SIMPLE);
	check_policy("\"aaaaaaaaaaaaaaaa\"", "aaaaaaaaaaaaaaaa", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_SIMPLE);
	check_policy("\"abcdefghijkl\"", "abcdefghijkl", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_SIMPLE);
	check_policy("\"1qaz!QAZ1qaz!QAZ\"", "1qaz!QAZ1qaz!QAZ", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_SIMPLE);
	check_policy("\"elephantelephant\"", "elephantelephant", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_SIMPLE);
	check_policy("twelve spaces", "            ", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_SIMPLE);

	check_policy("11 characters", "Vx7-kite-Qb", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_SHORT);
	check_policy("12 characters", "Vx7-kite-Qbz", NULL,
	    PASSWORD_MIN_DEFAULT, NULL);
	check_policy("7 characters with a minimum of 4", "Vx7-kQb", NULL, 4,
	    MSG_SHORT);
	check_policy("8 characters with a minimum of 4", "Vx7-kQbz", NULL, 4,
	    NULL);
	check_policy("11 two-byte characters",
	    "\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f\xc3\xa9\xc3\xb1\xc3\xa7\xce\xbb"
	    "\xd0\xb6\xc3\xa5\xc3\xb8", NULL, PASSWORD_MIN_DEFAULT, MSG_SHORT);

	s = unicode_string(128);
	diag("128 code points in %zu bytes", strlen(s));
	check_policy("128 mixed-width code points", s, NULL,
	    PASSWORD_MIN_DEFAULT, NULL);
	free(s);
	s = unicode_string(129);
	check_policy("129 mixed-width code points", s, NULL,
	    PASSWORD_MIN_DEFAULT, MSG_LONG);
	free(s);
	s = unicode_string(128);
	check_policy("a minimum of 500 (lowered to 128)", s, NULL, 500, NULL);
	free(s);
	if ((s = malloc(129 * 4 + 1)) == NULL)
		bail("out of memory");
	for (i = 0; i < 129; i++)
		memcpy(s + 4 * i, "\xf0\x9f\x94\x91", 4);
	s[129 * 4] = '\0';
	check_policy("129 four-byte code points", s, NULL,
	    PASSWORD_MIN_DEFAULT, MSG_LONG);
	free(s);

	check_policy("the email", "Ana.Lovelace@Example.com",
	    "ana.lovelace@example.com", PASSWORD_MIN_DEFAULT, MSG_EMAIL);
	check_policy("the email's local part", "CorrectHorseBattery",
	    "correcthorsebattery@example.com", PASSWORD_MIN_DEFAULT,
	    MSG_EMAIL);
	check_policy("the local part and digits", "ana.lovelace12",
	    "ana.lovelace@example.com", PASSWORD_MIN_DEFAULT,
	    MSG_EMAIL_BASED);
	check_policy("a passphrase with an unrelated email",
	    "correct horse battery staple", "ana.lovelace@example.com",
	    PASSWORD_MIN_DEFAULT, NULL);

	check_policy("invalid UTF-8", "correct horse \xff battery", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_TEXT);
	check_policy("an overlong encoding", "correct horse \xc0\xaf battery",
	    NULL, PASSWORD_MIN_DEFAULT, MSG_TEXT);
	check_policy("a cut-off sequence", "correct horse battery\xe6\x97",
	    NULL, PASSWORD_MIN_DEFAULT, MSG_TEXT);
	check_policy("an encoded surrogate", "correct horse \xed\xa0\x80 bat",
	    NULL, PASSWORD_MIN_DEFAULT, MSG_TEXT);
	check_policy("a tab", "correct horse\tbattery", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_TEXT);
	check_policy("an escape", "\x1b[31mcorrect horse battery", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_TEXT);
	check_policy("a DEL", "correct horse\x7f" "battery", NULL,
	    PASSWORD_MIN_DEFAULT, MSG_TEXT);
}

/* Run every group; the exit status says whether all 200 passed. */
int
main(void)
{

	plan(200);
	test_argon2();
	test_werkzeug();
	test_malformed();
	test_unusable();
	test_policy();
	return tap_status();
}

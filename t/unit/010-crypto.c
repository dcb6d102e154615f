/*
 * lectern — t/unit/010-crypto: random bytes, strict base64url, SHA-256,
 * HMAC-SHA256 (RFC 4231), hex and constant-time comparison.
 *
 * The first test points OPENSSL_CONF at a configuration file that would
 * make libcrypto's implicit initialisation fail, so it also shows that
 * crypto.c initialises OpenSSL without reading its configuration.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tap.h"

#include "crypto.h"

struct b64_vector {
	const char	*plain;
	size_t		 len;
	const char	*encoded;
};

/* RFC 4648 section 10, in the url alphabet without padding, and the
 * bytes whose standard encodings use '+' and '/'. */
static const struct b64_vector b64_vectors[] = {
	{ "", 0, "" },
	{ "f", 1, "Zg" },
	{ "fo", 2, "Zm8" },
	{ "foo", 3, "Zm9v" },
	{ "foob", 4, "Zm9vYg" },
	{ "fooba", 5, "Zm9vYmE" },
	{ "foobar", 6, "Zm9vYmFy" },
	{ "\xfb\xff", 2, "-_8" },
	{ "\xfb\xef\xbe", 3, "----" },
	{ "\xff\xff\xff", 3, "____" },
	{ "\x00\x00", 2, "AAA" },
};

/* Inputs the strict decoder must refuse, with why. */
static const char *const b64_bad[] = {
	"Zg==",		/* padding */
	"Zg=",		/* partial padding */
	"Zm9v=",	/* padding after a full group */
	"Zm+v",		/* standard alphabet '+' */
	"Zm/v",		/* standard alphabet '/' */
	"Zm9 v",	/* space */
	"Zm9v\n",	/* newline */
	"\tZm9v",	/* tab */
	"Z",		/* len % 4 == 1 */
	"Zm9vY",	/* len % 4 == 1 */
	"Zh",		/* non-canonical: low 4 bits of 'h' set */
	"Zm9",		/* non-canonical: low 2 bits of '9' set */
	"Zm9v*",	/* punctuation */
	"Zm9v\xc3\xa9",	/* non-ASCII */
};

/* RFC 4231 test case 7's data. */
static const char rfc4231_7_data[] = "This is a test using a larger than "
    "block-size key and a larger than block-size data. The key needs to "
    "be hashed before being used by the HMAC algorithm.";

/*
 * Point OPENSSL_CONF at a file that activates a provider that does not
 * exist: libcrypto's default initialisation fails on it.  The path is
 * stored in path (size bytes) for main to remove after the first
 * crypto call.  Returns nothing; bails when the file cannot be written.
 */
static void
poison_openssl_conf(char *path, size_t size)
{
	static const char	 conf[] = "openssl_conf = openssl_init\n"
	    "[openssl_init]\nproviders = provider_sect\n"
	    "[provider_sect]\nbogus = bogus_sect\n"
	    "[bogus_sect]\nactivate = 1\n";
	int			 fd;

	snprintf(path, size, "/tmp/lectern-010-XXXXXX");
	if ((fd = mkstemp(path)) == -1)
		bail("mkstemp failed");
	if (write(fd, conf, sizeof(conf) - 1) != (ssize_t)(sizeof(conf) - 1))
		bail("cannot write %s", path);
	close(fd);
	if (setenv("OPENSSL_CONF", path, 1) == -1)
		bail("setenv failed");
}

/*
 * Whether every character of s is in the base64url alphabet.  Returns 1
 * or 0.
 */
static int
all_b64url(const char *s)
{

	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == strlen(s);
}

/*
 * HMAC-SHA256 of data under key as hex in hex (65 bytes).  Returns the
 * crypto_hmac_sha256 result.
 */
static enum api_err
hmac_hex(const void *key, size_t keylen, const void *data, size_t len,
    char *hex)
{
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	enum api_err	 er;

	hex[0] = '\0';
	if ((er = crypto_hmac_sha256(key, keylen, data, len, mac)) == API_OK)
		crypto_hex(mac, sizeof(mac), hex);
	return er;
}

/*
 * The base64url encode and decode vectors.  Returns nothing.
 */
static void
test_b64(void)
{
	char		*enc;
	unsigned char	*dec;
	size_t		 i, declen;
	enum api_err	 er;

	for (i = 0; i < sizeof(b64_vectors) / sizeof(b64_vectors[0]); i++) {
		const struct b64_vector	*v = &b64_vectors[i];

		er = crypto_b64url_encode(v->plain, v->len, &enc);
		is_string(v->encoded, er == API_OK ? enc : NULL,
		    "encode vector %zu gives \"%s\"", i, v->encoded);
		free(enc);
		er = crypto_b64url_decode(v->encoded, strlen(v->encoded),
		    &dec, &declen);
		ok(er == API_OK && declen == v->len &&
		    memcmp(dec, v->plain, v->len) == 0 && dec[declen] == '\0',
		    "...and \"%s\" decodes back, NUL-terminated", v->encoded);
		free(dec);
	}
	er = crypto_b64url_encode(NULL, 0, &enc);
	is_string("", er == API_OK ? enc : NULL,
	    "encoding NULL with length 0 gives \"\"");
	free(enc);

	for (i = 0; i < sizeof(b64_bad) / sizeof(b64_bad[0]); i++) {
		dec = (unsigned char *)"x";
		declen = 99;
		er = crypto_b64url_decode(b64_bad[i], strlen(b64_bad[i]),
		    &dec, &declen);
		ok(er == API_INVALID && dec == NULL && declen == 0,
		    "strict decode rejects bad input %zu", i);
	}
	er = crypto_b64url_decode("Zm\0v", 4, &dec, &declen);
	ok(er == API_INVALID && dec == NULL, "strict decode rejects a NUL");
	er = crypto_b64url_decode("Zm9vYmFyXX", 8, &dec, &declen);
	ok(er == API_OK && declen == 6 && memcmp(dec, "foobar", 6) == 0,
	    "decode stops at the given length");
	free(dec);
}

/*
 * SHA-256, HMAC-SHA256 and hex.  Returns nothing.
 */
static void
test_hashes(void)
{
	unsigned char	 key[131], md[CRYPTO_SHA256_LEN];
	char		 hex[CRYPTO_SHA256_HEX_SIZE];
	enum api_err	 er;

	memset(key, 0x0b, 20);
	er = hmac_hex(key, 20, "Hi There", 8, hex);
	is_string("b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7", er == API_OK ? hex : NULL,
	    "HMAC-SHA256 RFC 4231 test case 1");
	er = hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, hex);
	is_string("5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843", er == API_OK ? hex : NULL,
	    "HMAC-SHA256 RFC 4231 test case 2");
	memset(key, 0xaa, sizeof(key));
	er = hmac_hex(key, sizeof(key), rfc4231_7_data,
	    sizeof(rfc4231_7_data) - 1, hex);
	is_string("9b09ffa71b942fcb27635fbcd5b0e944"
	    "bfdc63644f0713938a7f51535c3a35e2", er == API_OK ? hex : NULL,
	    "HMAC-SHA256 RFC 4231 test case 7 (131-byte key)");
	er = hmac_hex(NULL, 0, "lectern", 7, hex);
	is_string("659a8c25202cc03e65d75dccd8c96b71"
	    "108e6e60d6627708815c55917b50c459", er == API_OK ? hex : NULL,
	    "HMAC-SHA256 with an empty key matches Python's hmac");

	er = crypto_sha256_hex("abc", 3, hex);
	is_string("ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", er == API_OK ? hex : NULL,
	    "sha256(\"abc\") (FIPS 180-2)");
	er = crypto_sha256_hex(NULL, 0, hex);
	is_string("e3b0c44298fc1c149afbf4c8996fb924"
	    "27ae41e4649b934ca495991b7852b855", er == API_OK ? hex : NULL,
	    "sha256 of nothing");
	er = crypto_sha256("abc", 3, md);
	ok(er == API_OK && md[0] == 0xba && md[31] == 0xad,
	    "crypto_sha256 gives the raw bytes");

	crypto_hex("\x00\x0f\xa0\xff", 4, hex);
	is_string("000fa0ff", hex, "crypto_hex is lower-case, two per byte");
	crypto_hex("", 0, hex);
	is_string("", hex, "...and empty for no bytes");
}

/*
 * crypto_equal and crypto_streq.  Returns nothing.
 */
static void
test_compare(void)
{

	ok(crypto_equal("abcdef", "abcdef", 6), "crypto_equal: equal bytes");
	ok(!crypto_equal("xbcdef", "abcdef", 6), "...first byte differs");
	ok(!crypto_equal("abcdex", "abcdef", 6), "...last byte differs");
	ok(crypto_equal("a", "b", 0), "...zero bytes are equal");
	ok(crypto_equal("a\0b", "a\0b", 3), "...NUL bytes are compared");
	ok(!crypto_equal("a\0b", "a\0c", 3), "...past a NUL too");

	ok(crypto_streq("secret", "secret"), "crypto_streq: equal strings");
	ok(crypto_streq("", ""), "...two empty strings");
	ok(!crypto_streq("secret", "secreT"), "...last character differs");
	ok(!crypto_streq("Secret", "secret"), "...first character differs");
	ok(!crypto_streq("secret", "secre"), "...a is longer");
	ok(!crypto_streq("secre", "secret"), "...b is longer");
	ok(!crypto_streq("", "x"), "...empty against non-empty");
	ok(!crypto_streq("x", ""), "...non-empty against empty");
	ok(!crypto_streq(NULL, "x") && !crypto_streq("x", NULL) &&
	    !crypto_streq(NULL, NULL), "...NULL equals nothing");
}

/*
 * crypto_random and crypto_token.  Returns nothing.
 */
static void
test_random(void)
{
	unsigned char	 a[32], b[32], *dec;
	char		*t1 = NULL, *t2 = NULL;
	size_t		 declen;
	enum api_err	 er;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	ok(crypto_random(a, sizeof(a)) == API_OK &&
	    crypto_random(b, sizeof(b)) == API_OK &&
	    memcmp(a, b, sizeof(a)) != 0, "crypto_random fills buffers");
	is_int(API_OK, crypto_random(NULL, 0), "...and accepts length 0");

	er = crypto_token(32, &t1);
	ok(er == API_OK && t1 != NULL && strlen(t1) == 43 && all_b64url(t1),
	    "a 256-bit token is 43 base64url characters");
	er = crypto_token(32, &t2);
	ok(er == API_OK && t2 != NULL && strcmp(t1, t2) != 0,
	    "...and two tokens differ");
	er = crypto_b64url_decode(t1, strlen(t1), &dec, &declen);
	ok(er == API_OK && declen == 32, "...and it decodes to 32 bytes");
	free(dec);
	free(t1);
	free(t2);
	er = crypto_token(16, &t1);
	ok(er == API_OK && t1 != NULL && strlen(t1) == 22 && all_b64url(t1),
	    "a 128-bit jti is 22 base64url characters");
	free(t1);
	t1 = (char *)"x";
	is_int(API_INTERNAL, crypto_token(0, &t1), "crypto_token(0) fails");
	ok(t1 == NULL, "...and leaves NULL");
	is_int(API_INTERNAL, crypto_token(CRYPTO_TOKEN_MAX + 1, &t1),
	    "crypto_token above CRYPTO_TOKEN_MAX fails");
}

/*
 * Run every test.  Returns the TAP exit status: 0 when all planned
 * tests ran and passed.
 */
int
main(void)
{
	char		 path[64], hex[CRYPTO_SHA256_HEX_SIZE];
	enum api_err	 er;

	plan(73);
	poison_openssl_conf(path, sizeof(path));
	er = hmac_hex("Jefe", 4, "what do ya want for nothing?", 28, hex);
	ok(er == API_OK && strncmp(hex, "5bdcc146", 8) == 0,
	    "first use works although OPENSSL_CONF names a broken file");
	unlink(path);
	test_b64();
	test_hashes();
	test_compare();
	test_random();
	return tap_status();
}

/*
 * lectern — t/unit/032-jwks: key sets, RS256 ID tokens and the disk
 * cache.
 *
 * Keys are made here with OpenSSL and published as JWKs by hand (n and
 * e, base64url); tokens are signed here with EVP_DigestSign from header
 * and payload text, so each one fails for exactly the defect it
 * carries.  The HTTP tests (t/http/296-google.t, 297-firebase.t) sign
 * with PyJWT instead, an independent implementation.
 */
#include "config.h"

#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "../tap.h"

#include "conf.h"
#include "crypto.h"
#include "idtoken.h"
#include "jwks.h"

#define NOW	1700000000LL
#define AUD	"web.apps.example.com"
#define HDR_K1	"{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}"
#define GOOD	"{\"iss\":\"https://accounts.google.com\","		\
		"\"aud\":\"" AUD "\","					\
		"\"sub\":\"1234567890\",\"email\":\"a@example.com\","	\
		"\"email_verified\":true,\"iat\":1699999990,"		\
		"\"exp\":1700003600}"

static EVP_PKEY	*k1, *k2, *small;

/* base64url of n bytes at p; the caller frees it. */
static char *
b64(const void *p, size_t n)
{
	char	*o = NULL;

	if (crypto_b64url_encode(p, n, &o) != API_OK)
		bail("base64url");
	return o;
}

/* base64url of the big-endian bytes of RSA parameter param of k. */
static char *
b64_param(EVP_PKEY *k, const char *param)
{
	BIGNUM		*bn = NULL;
	unsigned char	 buf[1100];
	char		*o;
	int		 n;

	if (EVP_PKEY_get_bn_param(k, param, &bn) != 1 ||
	    (n = BN_bn2bin(bn, buf)) <= 0)
		bail("RSA parameter");
	o = b64(buf, (size_t)n);
	BN_free(bn);
	return o;
}

/* The JWK text of k named kid; the caller frees it. */
static char *
jwk(EVP_PKEY *k, const char *kid)
{
	char	*n = b64_param(k, OSSL_PKEY_PARAM_RSA_N);
	char	*e = b64_param(k, OSSL_PKEY_PARAM_RSA_E);
	char	*o;

	if (asprintf(&o, "{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\","
	    "\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"%s\"}", kid, n, e) == -1)
		bail("asprintf");
	free(n);
	free(e);
	return o;
}

/* "<b64 hdr>.<b64 payload>", the signing input. */
static char *
signing_input(const char *hdr, const char *pay)
{
	char	*h = b64(hdr, strlen(hdr)), *p = b64(pay, strlen(pay)), *o;

	if (asprintf(&o, "%s.%s", h, p) == -1)
		bail("asprintf");
	free(h);
	free(p);
	return o;
}

/* A token of hdr and pay signed RS256 with k. */
static char *
mint(EVP_PKEY *k, const char *hdr, const char *pay)
{
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	unsigned char	 sig[1100];
	size_t		 slen = sizeof(sig);
	char		*in = signing_input(hdr, pay), *s, *o;

	if (md == NULL || EVP_DigestSignInit_ex(md, NULL, "SHA256", NULL,
	    NULL, k, NULL) != 1 || EVP_DigestSign(md, sig, &slen,
	    (unsigned char *)in, strlen(in)) != 1)
		bail("sign");
	s = b64(sig, slen);
	if (asprintf(&o, "%s.%s", in, s) == -1)
		bail("asprintf");
	EVP_MD_CTX_free(md);
	free(in);
	free(s);
	return o;
}

/* hdr and pay with the HMAC-SHA256 of them under the text of secret. */
static char *
mint_hs256(const char *hdr, const char *pay, const char *secret)
{
	unsigned char	 mac[32];
	char		*in = signing_input(hdr, pay), *s, *o;

	if (crypto_hmac_sha256(secret, strlen(secret), in, strlen(in), mac) !=
	    API_OK)
		bail("hmac");
	s = b64(mac, sizeof(mac));
	if (asprintf(&o, "%s.%s", in, s) == -1)
		bail("asprintf");
	free(in);
	free(s);
	return o;
}

/* The public key of k in PEM, as an HS256 "secret" would take it. */
static char *
public_pem(EVP_PKEY *k)
{
	BIO	*b = BIO_new(BIO_s_mem());
	char	*p, *o;
	long	 n;

	if (b == NULL || PEM_write_bio_PUBKEY(b, k) != 1 ||
	    (n = BIO_get_mem_data(b, &p)) <= 0 ||
	    (o = strndup(p, (size_t)n)) == NULL)
		bail("PEM");
	BIO_free(b);
	return o;
}

static struct idtoken_rules google = {
	{ "accounts.google.com", "https://accounts.google.com" },
	"mobile.apps.example.com, " AUD, IDT_EMAIL_VERIFIED
};

static struct idtoken_rules firebase = {
	{ "https://securetoken.google.com/proj-1", NULL },
	"proj-1", IDT_AUTH_TIME | IDT_SUB_128
};

/* Verify tok with rules against set; the result, *why to stdout. */
static enum api_err
check(const struct jwks *set, const char *tok, const struct idtoken_rules *r,
    struct idtoken *t)
{
	const char	*why = "";
	enum api_err	 er;

	er = idtoken_verify(tok, set, r, NOW, t, &why);
	if (er != API_OK)
		diag("refused: %s", why);
	return er;
}

/* Whether tok is refused as invalid_token by the google rules. */
static int
refused(const struct jwks *set, const char *tok)
{
	struct idtoken	 t;
	enum api_err	 er;

	er = check(set, tok, &google, &t);
	idtoken_free(&t);
	return er == API_INVALID_TOKEN;
}

/* A Google payload: GOOD with member "name" replaced by value text. */
static char *
payload_with(const char *name, const char *value)
{
	cJSON	*o = cJSON_Parse(GOOD);
	char	*s;

	if (o == NULL)
		bail("payload");
	cJSON_DeleteItemFromObjectCaseSensitive(o, name);
	if (value != NULL)
		cJSON_AddItemToObject(o, name, cJSON_Parse(value));
	s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

/* One token of GOOD with name changed to value, signed by k1: refused? */
static int
refused_with(const struct jwks *set, const char *name, const char *value)
{
	char	*p = payload_with(name, value), *tok = mint(k1, HDR_K1, p);
	int	 r = refused(set, tok);

	free(p);
	free(tok);
	return r;
}

static void
test_parse(char **setp)
{
	struct jwks	*set = NULL;
	char		*j1 = jwk(k1, "k1"), *j2 = jwk(k2, "k2");
	char		*js = jwk(small, "small"), *text, *bad;
	size_t		 i, len;
	int		 crashed = 0;

	if (asprintf(&text, "{\"keys\":[%s,{\"kty\":\"EC\",\"crv\":\"P-256\","
	    "\"kid\":\"ec\",\"x\":\"AA\",\"y\":\"AA\"},%s,%s]}", j1, j2,
	    js) == -1)
		bail("asprintf");
	ok(jwks_parse(text, strlen(text), &set) == API_OK,
	    "a key set of two RSA keys, an EC key and a short key parses");
	ok(set != NULL && set->nkeys == 2, "...to the two usable keys");
	ok(jwks_find(set, "k1") != NULL && jwks_find(set, "k2") != NULL,
	    "...found by kid");
	ok(jwks_find(set, "ec") == NULL && jwks_find(set, "small") == NULL,
	    "the EC key and the 1024-bit key are skipped");
	jwks_free(set);

	len = strlen(text);
	for (i = 0; i < len; i++)
		if (jwks_parse(text, i, &set) == API_OK) {
			jwks_free(set);
			crashed = 1;
		}
	ok(!crashed, "no prefix of the key set parses");

#define BAD(what, fmt, ...) do {					\
	if (asprintf(&bad, fmt, __VA_ARGS__) == -1)			\
		bail("asprintf");					\
	ok(jwks_parse(bad, strlen(bad), &set) == API_INVALID &&		\
	    set == NULL, "%s is not a key set", what);			\
	free(bad);							\
} while (0)
	BAD("an array", "[%s]", j1);
	BAD("\"keys\" that is no array", "{\"keys\":%s}", j1);
	BAD("an empty \"keys\"", "{\"keys\":[]%s}", "");
	BAD("a set of only a 1024-bit key", "{\"keys\":[%s]}", js);
	BAD("a set with one kid twice", "{\"keys\":[%s,%s]}", j1, j1);
	BAD("trailing bytes", "{\"keys\":[%s]} x", j1);
#undef BAD
	if (asprintf(&bad, "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"e\","
	    "\"use\":\"enc\",\"n\":\"AA\",\"e\":\"AQAB\"},%s]}", j2) == -1)
		bail("asprintf");
	ok(jwks_parse(bad, strlen(bad), &set) == API_OK && set->nkeys == 1 &&
	    jwks_find(set, "e") == NULL, "an encryption key is skipped");
	jwks_free(set);
	free(bad);

	*setp = j1;
	free(j2);
	free(js);
	free(text);
}

static void
test_rsa_key(void)
{
	EVP_PKEY	*pk = NULL;
	char		*n = b64_param(k1, OSSL_PKEY_PARAM_RSA_N);

	ok(jwks_rsa_key(n, "AQAB", &pk) == API_OK && pk != NULL &&
	    EVP_PKEY_get_bits(pk) == 2048, "n and e make a 2048-bit key");
	EVP_PKEY_free(pk);
	ok(jwks_rsa_key(n, "AQ", &pk) == API_INVALID && pk == NULL,
	    "an exponent of 1 is refused");
	ok(jwks_rsa_key(n, "AQAC", &pk) == API_INVALID,
	    "an even exponent is refused");
	ok(jwks_rsa_key(n, "AQAB=", &pk) == API_INVALID,
	    "padded base64 is refused");
	ok(jwks_rsa_key("AQAB", "AQAB", &pk) == API_INVALID,
	    "a tiny modulus is refused");
	free(n);
}

static void
test_tokens(const struct jwks *set)
{
	struct idtoken	 t;
	char		*tok, *p, *pem, *big, *s;
	char		 kid[JWKS_KID_MAX + 1];
	const char	*why;
	enum api_err	 er;

	tok = mint(k1, HDR_K1, GOOD);
	er = check(set, tok, &google, &t);
	ok(er == API_OK, "a good Google token verifies");
	is_string(t.sub, "1234567890", "...with its subject");
	ok(t.email != NULL && strcmp(t.email, "a@example.com") == 0 &&
	    t.email_verified, "...and its verified email");
	idtoken_free(&t);
	ok(idtoken_kid(tok, kid, sizeof(kid), &why) == API_OK &&
	    strcmp(kid, "k1") == 0, "idtoken_kid reads the kid");

	/* The signature. */
	s = strrchr(tok, '.') + 5;
	*s = *s == 'A' ? 'B' : 'A';
	ok(refused(set, tok), "a flipped signature byte is refused");
	free(tok);
	tok = mint(k2, HDR_K1, GOOD);
	ok(refused(set, tok), "a signature by another key of the set");
	free(tok);
	tok = mint(k1, "{\"alg\":\"RS256\",\"kid\":\"nope\"}", GOOD);
	er = check(set, tok, &google, &t);
	idtoken_free(&t);
	ok(er == API_NOT_FOUND, "an unknown kid is API_NOT_FOUND");
	free(tok);
	tok = mint(k1, "{\"alg\":\"RS256\"}", GOOD);
	ok(refused(set, tok), "no kid is refused");
	free(tok);
	tok = mint(k1, "{\"alg\":\"RS256\",\"kid\":\"k1\",\"crit\":[\"x\"]}",
	    GOOD);
	ok(refused(set, tok), "a crit header is refused");
	free(tok);
	tok = mint(k1, "{\"alg\":\"RS256\",\"kid\":\"k1\",\"kid\":\"k2\"}",
	    GOOD);
	ok(refused(set, tok), "a header with a member twice is refused");
	free(tok);

	/* The algorithm is ours. */
	p = signing_input("{\"alg\":\"none\",\"kid\":\"k1\"}", GOOD);
	if (asprintf(&tok, "%s.", p) == -1)
		bail("asprintf");
	ok(refused(set, tok), "alg none without a signature is refused");
	free(tok);
	if (asprintf(&tok, "%s.c2ln", p) == -1)
		bail("asprintf");
	ok(refused(set, tok), "alg none with a signature is refused");
	free(tok);
	free(p);
	pem = public_pem(k1);
	tok = mint_hs256("{\"alg\":\"HS256\",\"kid\":\"k1\"}", GOOD, pem);
	ok(refused(set, tok), "HS256 keyed with the public key is refused");
	free(tok);
	free(pem);
	tok = mint(k1, "{\"alg\":\"RS512\",\"kid\":\"k1\"}", GOOD);
	ok(refused(set, tok), "RS512 is refused");
	free(tok);
	tok = mint(k1, "{\"alg\":\"rs256\",\"kid\":\"k1\"}", GOOD);
	ok(refused(set, tok), "rs256 in lower case is refused");
	free(tok);

	/* The shape. */
	tok = mint(k1, HDR_K1, GOOD);
	*strrchr(tok, '.') = '\0';
	ok(refused(set, tok), "two segments are refused");
	free(tok);
	tok = mint(k1, HDR_K1, GOOD);
	if (asprintf(&p, "%s.AAAA", tok) == -1)
		bail("asprintf");
	ok(refused(set, p), "four segments are refused");
	free(p);
	free(tok);
	if ((big = malloc(9 * 1024)) == NULL)
		bail("malloc");
	memset(big, 'a', 9 * 1024 - 1);
	big[9 * 1024 - 1] = '\0';
	if (asprintf(&p, "\"%s\"", big + 4200) == -1)
		bail("asprintf");
	s = payload_with("pad", p);
	tok = mint(k1, HDR_K1, s);
	ok(strlen(tok) <= IDTOKEN_MAX_LEN && !refused(set, tok),
	    "a token just under 8 KiB verifies (%zu bytes)", strlen(tok));
	free(tok);
	free(s);
	free(p);
	if (asprintf(&p, "\"%s\"", big + 2000) == -1)
		bail("asprintf");
	s = payload_with("pad", p);
	tok = mint(k1, HDR_K1, s);
	ok(strlen(tok) > IDTOKEN_MAX_LEN && refused(set, tok),
	    "a token over 8 KiB is refused (%zu bytes)", strlen(tok));
	free(tok);
	free(s);
	free(p);
	free(big);
	tok = mint(k1, HDR_K1, "{\"iss\":\"accounts.google.com\",\"iss\":1}");
	ok(refused(set, tok), "a payload with a member twice is refused");
	free(tok);
	tok = mint(k1, HDR_K1, "not json");
	ok(refused(set, tok), "a signed payload that is not JSON is refused");
	free(tok);

	/* The claims. */
	ok(refused_with(set, "aud", "\"other.apps.example.com\""),
	    "a wrong aud is refused");
	ok(refused_with(set, "aud", "[\"" AUD "\"]"),
	    "an aud array is refused");
	ok(!refused_with(set, "aud", "\"mobile.apps.example.com\""),
	    "every listed client id is an audience");
	ok(refused_with(set, "aud", "\"mobile.apps\""),
	    "...but not a part of one");
	ok(refused_with(set, "iss", "\"https://evil.example.com\""),
	    "a wrong iss is refused");
	ok(!refused_with(set, "iss", "\"accounts.google.com\""),
	    "iss accounts.google.com without https:// verifies");
	ok(refused_with(set, "exp", "1699999699"),
	    "exp more than 5 minutes ago is refused");
	ok(!refused_with(set, "exp", "1699999701"),
	    "exp less than 5 minutes ago is within the leeway");
	ok(refused_with(set, "exp", NULL), "no exp is refused");
	ok(refused_with(set, "exp", "\"1700003600\""),
	    "a string exp is refused");
	ok(refused_with(set, "iat", "1700000301"),
	    "iat more than 5 minutes ahead is refused");
	ok(!refused_with(set, "iat", "1700000299"),
	    "iat less than 5 minutes ahead is within the leeway");
	ok(refused_with(set, "iat", NULL), "no iat is refused");
	ok(refused_with(set, "nbf", "1700000400"), "a later nbf is refused");
	ok(refused_with(set, "email_verified", "false"),
	    "email_verified false is refused");
	ok(refused_with(set, "email_verified", NULL),
	    "no email_verified is refused");
	ok(refused_with(set, "email_verified", "\"true\""),
	    "email_verified as a string is refused");
	ok(refused_with(set, "email", NULL), "no email is refused");
	ok(refused_with(set, "sub", "\"\""), "an empty sub is refused");
	ok(refused_with(set, "sub", "\"a b\""), "a sub with a space");

	/* Firebase. */
#define FB(extra) "{\"iss\":\"https://securetoken.google.com/proj-1\","	\
	"\"aud\":\"proj-1\",\"iat\":1699999990,\"exp\":1700003600" extra "}"
	tok = mint(k1, HDR_K1, FB(",\"sub\":\"uid-1\","
	    "\"auth_time\":1699990000"));
	er = check(set, tok, &firebase, &t);
	ok(er == API_OK && strcmp(t.sub, "uid-1") == 0 && t.email == NULL,
	    "a Firebase token without an email verifies");
	idtoken_free(&t);
	free(tok);
	tok = mint(k1, HDR_K1, FB(",\"sub\":\"uid-1\","
	    "\"auth_time\":1700003600"));
	er = check(set, tok, &firebase, &t);
	idtoken_free(&t);
	ok(er == API_INVALID_TOKEN, "auth_time in the future is refused");
	free(tok);
	tok = mint(k1, HDR_K1, FB(",\"sub\":\"uid-1\""));
	er = check(set, tok, &firebase, &t);
	idtoken_free(&t);
	ok(er == API_INVALID_TOKEN, "no auth_time is refused");
	free(tok);
	tok = mint(k1, HDR_K1, FB(",\"sub\":\"\",\"auth_time\":1699990000"));
	er = check(set, tok, &firebase, &t);
	idtoken_free(&t);
	ok(er == API_INVALID_TOKEN, "an empty sub is refused");
	free(tok);
	tok = mint(k1, HDR_K1, FB(",\"sub\":\"uid-1\",\"auth_time\":1699990000,"
	    "\"aud\":\"proj-2\""));
	er = check(set, tok, &firebase, &t);
	idtoken_free(&t);
	ok(er == API_INVALID_TOKEN, "an aud twice is refused");
	free(tok);
	tok = mint(k1, HDR_K1, GOOD);
	er = check(set, tok, &firebase, &t);
	idtoken_free(&t);
	ok(er == API_INVALID_TOKEN, "a Google token is no Firebase token");
	free(tok);
#undef FB
}

/* Set the modification time of path to when. */
static void
set_mtime(const char *path, time_t when)
{
	struct utimbuf	 u;

	u.actime = when;
	u.modtime = when;
	if (utime(path, &u) != 0)
		bail("utime %s", path);
}

static void
test_cache(const char *j1)
{
	struct jwks	*set = NULL;
	struct stat	 st;
	char		 dir[] = "/tmp/lectern-jwks.XXXXXX", path[512];
	char		 attempt[512];
	const char	*url = "http://127.0.0.1:1/certs";
	FILE		*f;
	time_t		 now = time(NULL);
	enum api_err	 er;

	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	setenv("LECTERN_JWKS_CACHE_DIR", dir, 1);
	config_reset();
	snprintf(path, sizeof(path), "%s/google.jwks", dir);
	snprintf(attempt, sizeof(attempt), "%s/google.attempt", dir);

	er = jwks_get("google", url, "k1", NULL, now, &set);
	ok(er == API_UNAVAILABLE && set == NULL,
	    "no copy and no provider: unavailable");

	if ((f = fopen(path, "w")) == NULL)
		bail("fopen");
	fprintf(f, "lectern-jwks 1 300 %s\n{\"keys\":[%s]}", url, j1);
	fclose(f);
	er = jwks_get("google", url, "k1", NULL, now, &set);
	ok(er == API_OK && jwks_find(set, "k1") != NULL,
	    "a fresh copy is used without the provider");
	jwks_free(set);
	er = jwks_get("google", url, "k9", NULL, now, &set);
	ok(er == API_OK && jwks_find(set, "k9") == NULL,
	    "an unknown kid within a minute of the fetch: the copy as it is");
	jwks_free(set);
	ok(access(attempt, F_OK) != 0, "...and no refetch was tried");

	set_mtime(path, now - 61);
	er = jwks_get("google", url, "k9", NULL, now, &set);
	ok(er == API_UNAVAILABLE, "a minute later the kid refetches, "
	    "and a provider that is down is unavailable");
	ok(stat(attempt, &st) == 0 && (st.st_mode & 0777) == 0600,
	    "...the attempt is marked, owner-only");
	er = jwks_get("google", url, "k9", NULL, now, &set);
	ok(er == API_OK && jwks_find(set, "k9") == NULL,
	    "...and not repeated within the minute");
	jwks_free(set);
	er = jwks_get("google", url, "k1", NULL, now, &set);
	ok(er == API_OK && jwks_find(set, "k1") != NULL,
	    "known kids still verify from the copy");
	jwks_free(set);

	er = jwks_get("google", "http://127.0.0.1:1/other", "k1", NULL, now,
	    &set);
	ok(er == API_UNAVAILABLE, "a copy of another URL is not used");

	set_mtime(path, now - 301);
	er = jwks_get("google", url, "k1", NULL, now, &set);
	ok(er == API_UNAVAILABLE && set == NULL,
	    "a copy past its max-age with the provider down: unavailable");

	er = jwks_get("google", "ftp://127.0.0.1/certs", "k1", NULL, now,
	    &set);
	ok(er == API_UNAVAILABLE, "a URL that is not http(s) is never "
	    "fetched");
	unlink(path);
	unlink(attempt);
	rmdir(dir);
}

int
main(void)
{
	char	*j1 = NULL;

	plan(75);
	if ((k1 = EVP_RSA_gen(2048)) == NULL ||
	    (k2 = EVP_RSA_gen(2048)) == NULL ||
	    (small = EVP_RSA_gen(1024)) == NULL)
		bail("RSA key generation");
	test_parse(&j1);
	test_rsa_key();
	{
		struct jwks	*set = NULL;
		char		*j2 = jwk(k2, "k2"), *text;

		if (asprintf(&text, "{\"keys\":[%s,%s]}", j1, j2) == -1 ||
		    jwks_parse(text, strlen(text), &set) != API_OK)
			bail("key set");
		test_tokens(set);
		jwks_free(set);
		free(text);
		free(j2);
	}
	test_cache(j1);
	free(j1);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	EVP_PKEY_free(small);
	return 0;
}

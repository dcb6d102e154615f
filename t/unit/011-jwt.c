/*
 * lectern — t/unit/011-jwt: HS256 access tokens, signed and verified.
 *
 * Tokens come from three places: jwt_sign itself (round trips), PyJWT
 * 2.6 (fixed vectors pasted below, made with the secret and times
 * given here), and tokens built here by hand from a header and payload
 * text, signed with the right secret so that each one fails for exactly
 * the defect it carries.  Every defect must be API_UNAUTHORIZED.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../tap.h"

#include "crypto.h"
#include "jwt.h"

#define NOW	1700000100LL	/* the fixed "now" of every verify */
#define ISS	"lectern"
#define TYP	"access"

static const char secret[] = "lectern-unit-test-secret-0123456789abcdef";
#define KEY	(const unsigned char *)secret, sizeof(secret) - 1

#define H_OK	"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define H_NONE	"{\"alg\":\"none\",\"typ\":\"JWT\"}"
#define P_HEAD	"{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\"," \
		"\"jti\":\"Zm9vYmFyLWp0aS0wMDAx\",\"typ\":\"access\","
#define P_TIMES	"\"iat\":1700000000,\"nbf\":1700000000,\"exp\":1700000900"
#define P_OK	P_HEAD P_TIMES "}"
#define P_RJT	"\"role\":\"student\",\"jti\":\"j\",\"typ\":\"access\","
#define P_NOJTI	"{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\"," \
		"\"typ\":\"access\"," P_TIMES "}"

/*
 * Made with /usr/bin/python3 and PyJWT 2.6.0:
 *   key = "lectern-unit-test-secret-0123456789abcdef"
 *   base = dict(iss="lectern", sub="42", role="student",
 *       jti="Zm9vYmFyLWp0aS0wMDAx", typ="access", iat=1700000000,
 *       nbf=1700000000, exp=1700000900)
 *   jwt.encode(base, key, algorithm="HS256")
 */
static const char py_base[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpc3MiOiJsZWN0ZXJuIiwic3ViIjoiNDIiLCJyb2xlIjoic3R1ZGVudCIsImp0"
    "aSI6IlptOXZZbUZ5TFdwMGFTMHdNREF4IiwidHlwIjoiYWNjZXNzIiwiaWF0Ijox"
    "NzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDkwMH0."
    "9EQRC4R9uIoNXy8JVLV3fabOmRVGpc95HPt21oJF8dk";

/*
 * jwt.encode(dict(exp=1700000900, typ="access", jti="a-b_c", sub="7",
 *     iss="lectern", role="admin", name="Ada \u00e9", aud="x"), key,
 *     algorithm="HS256", headers={"kid": "k1",
 *     "jku": "https://evil.example/jwks",
 *     "jwk": {"kty": "oct", "k": "AAAA"}, "x5u": "https://evil.example/x"})
 * Other claim order, extra claims, no iat or nbf, and key-locating
 * header members that must be ignored.
 */
static const char py_kid[] =
    "eyJhbGciOiJIUzI1NiIsImprdSI6Imh0dHBzOi8vZXZpbC5leGFtcGxlL2p3a3Mi"
    "LCJqd2siOnsiayI6IkFBQUEiLCJrdHkiOiJvY3QifSwia2lkIjoiazEiLCJ0eXAi"
    "OiJKV1QiLCJ4NXUiOiJodHRwczovL2V2aWwuZXhhbXBsZS94In0."
    "eyJleHAiOjE3MDAwMDA5MDAsInR5cCI6ImFjY2VzcyIsImp0aSI6ImEtYl9jIiwi"
    "c3ViIjoiNyIsImlzcyI6ImxlY3Rlcm4iLCJyb2xlIjoiYWRtaW4iLCJuYW1lIjoi"
    "QWRhIFx1MDBlOSIsImF1ZCI6IngifQ."
    "A1YARv_NH5fvzjYQVRFMSLePzYKJKP7c9AlW3XPqACc";

/* jwt.encode(base, "not-the-secret-not-the-secret-00", algorithm="HS256") */
static const char py_wrong_key[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpc3MiOiJsZWN0ZXJuIiwic3ViIjoiNDIiLCJyb2xlIjoic3R1ZGVudCIsImp0"
    "aSI6IlptOXZZbUZ5TFdwMGFTMHdNREF4IiwidHlwIjoiYWNjZXNzIiwiaWF0Ijox"
    "NzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDkwMH0."
    "vhCiPO2wiIcO58wPu4UlJzpQ4ykdPiHzwJ99t64DY2c";

/* jwt.encode(dict(base, typ="refresh"), key, algorithm="HS256") */
static const char py_refresh[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpc3MiOiJsZWN0ZXJuIiwic3ViIjoiNDIiLCJyb2xlIjoic3R1ZGVudCIsImp0"
    "aSI6IlptOXZZbUZ5TFdwMGFTMHdNREF4IiwidHlwIjoicmVmcmVzaCIsImlhdCI6"
    "MTcwMDAwMDAwMCwibmJmIjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDA5MDB9."
    "VhCfO_lUWSiTXdB_E1o35tKdTddqZnxMLFCOBk0eyvk";

/* jwt.encode(base, key, algorithm="HS512") */
static const char py_hs512[] =
    "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9."
    "eyJpc3MiOiJsZWN0ZXJuIiwic3ViIjoiNDIiLCJyb2xlIjoic3R1ZGVudCIsImp0"
    "aSI6IlptOXZZbUZ5TFdwMGFTMHdNREF4IiwidHlwIjoiYWNjZXNzIiwiaWF0Ijox"
    "NzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDkwMH0."
    "PM0CqVKKQHoJTdpwnyjjpGK182c-1XqzUaKFeOdYwsVPZEvcpZTOJdZvpmADNR9Q"
    "jzjgkD0y0wWsqecLVlgfaw";

/* jwt.encode(dict(base, exp=1700000000), key, algorithm="HS256") */
static const char py_expired[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
    "eyJpc3MiOiJsZWN0ZXJuIiwic3ViIjoiNDIiLCJyb2xlIjoic3R1ZGVudCIsImp0"
    "aSI6IlptOXZZbUZ5TFdwMGFTMHdNREF4IiwidHlwIjoiYWNjZXNzIiwiaWF0Ijox"
    "NzAwMDAwMDAwLCJuYmYiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDAwMH0."
    "eYOJ_vCooTpzEOwOxECOzT_2RckD8prQ2r__7lbKIpg";

struct hand_case {
	const char	*header;
	const char	*payload;
	const char	*what;
};

/* Correctly signed with our secret; each must be refused. */
static const struct hand_case refused[] = {
	{ H_NONE, P_OK, "alg none with a valid HS256 signature" },
	{ "{\"alg\":\"None\"}", P_OK, "alg None" },
	{ "{\"alg\":\"noNE\"}", P_OK, "alg noNE" },
	{ "{\"alg\":\"NONE\"}", P_OK, "alg NONE" },
	{ "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", P_OK, "alg HS512" },
	{ "{\"alg\":\"RS256\",\"typ\":\"JWT\"}", P_OK, "alg RS256" },
	{ "{\"alg\":\"hs256\"}", P_OK, "alg hs256 (case matters)" },
	{ "{\"alg\":\"HS256 \"}", P_OK, "alg with a trailing space" },
	{ "{\"typ\":\"JWT\"}", P_OK, "no alg" },
	{ "{\"alg\":null}", P_OK, "alg null" },
	{ "{\"alg\":256}", P_OK, "alg a number" },
	{ "{\"alg\":[\"HS256\"]}", P_OK, "alg an array" },
	{ "{\"ALG\":\"HS256\"}", P_OK, "ALG instead of alg" },
	{ "{\"alg\":\"HS256\",\"alg\":\"none\"}", P_OK,
	    "alg twice (HS256 first)" },
	{ "{\"alg\":\"none\",\"alg\":\"HS256\"}", P_OK,
	    "alg twice (none first)" },
	{ "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", P_OK, "crit header" },
	{ "{\"alg\":\"HS256\\u0000\"}", P_OK, "alg with an escaped NUL" },
	{ "[\"HS256\"]", P_OK, "header a JSON array" },
	{ "\"HS256\"", P_OK, "header a JSON string" },
	{ "{}", P_OK, "header an empty object" },
	{ "{\"alg\":\"HS256\"", P_OK, "header not JSON (unclosed)" },
	{ "{\"alg\":\"HS256\"}x", P_OK, "header with trailing garbage" },
	{ "{\"alg\":\"HS256\",\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]"
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", P_OK, "header nested too deep" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\",\"exp\":1700000069}",
	    "expired 31 s ago (beyond leeway)" },
	{ H_OK, P_HEAD "\"iat\":1700000000}", "no exp" },
	{ H_OK, P_HEAD "\"exp\":\"1700000900\"}", "exp a string" },
	{ H_OK, P_HEAD "\"exp\":1.5}", "exp 1.5" },
	{ H_OK, P_HEAD "\"exp\":1700000900.5}", "exp not integral" },
	{ H_OK, P_HEAD "\"exp\":null}", "exp null" },
	{ H_OK, P_HEAD "\"exp\":true}", "exp true" },
	{ H_OK, P_HEAD "\"exp\":1e400}", "exp infinite" },
	{ H_OK, P_HEAD "\"exp\":1e300}", "exp beyond 2^53" },
	{ H_OK, P_HEAD "\"exp\":[1700000900]}", "exp an array" },
	{ H_OK, P_HEAD "\"exp\":1700000900,\"exp\":1}", "exp twice" },
	{ H_OK, P_HEAD "\"nbf\":1700000131,\"exp\":1700000900}",
	    "nbf 31 s ahead (beyond leeway)" },
	{ H_OK, P_HEAD "\"nbf\":\"1700000000\",\"exp\":1700000900}",
	    "nbf a string" },
	{ H_OK, P_HEAD "\"iat\":1700000131,\"exp\":1700000900}",
	    "iat 31 s in the future" },
	{ H_OK, P_HEAD "\"iat\":\"1700000000\",\"exp\":1700000900}",
	    "iat a string" },
	{ H_OK, "{\"iss\":\"other\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "other issuer" },
	{ H_OK, "{\"iss\":\"Lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "issuer Lectern" },
	{ H_OK, "{\"iss\":\"lectern \",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}",
	    "issuer with a trailing space" },
	{ H_OK, "{\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "no issuer" },
	{ H_OK, "{\"iss\":[\"lectern\"],\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}",
	    "issuer an array" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"refresh\"," P_TIMES "}", "typ refresh" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"j\"," P_TIMES "}", "no typ" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"Access\"," P_TIMES "}", "typ Access" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"abc\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "sub abc" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"-1\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "sub -1" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"0\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "sub 0" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"007\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "sub 007" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"+42\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "sub +42" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"4 2\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "sub 4 2" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "sub empty" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":42,\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "sub a number" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"9223372036854775808\","
	    P_RJT P_TIMES "}",
	    "sub beyond 2^63 - 1" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"12345678901234567890\","
	    P_RJT P_TIMES "}",
	    "sub of 20 digits" },
	{ H_OK, "{\"iss\":\"lectern\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "no sub" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"sub\":\"1\","
	    P_RJT P_TIMES "}",
	    "sub twice" },
	{ H_OK, P_NOJTI, "no jti" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"\",\"typ\":\"access\"," P_TIMES "}", "jti empty" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":7,\"typ\":\"access\"," P_TIMES "}", "jti a number" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"0123456789012345678901234567890123456789012345678901"
	    "234567890123\",\"typ\":\"access\"," P_TIMES "}",
	    "jti of 64 bytes" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"a\\nb\",\"typ\":\"access\"," P_TIMES "}",
	    "jti with a newline" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"a\\u0000b\",\"typ\":\"access\"," P_TIMES "}",
	    "jti with an escaped NUL" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "no role" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":1,"
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}", "role a number" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\","
	    "\"role\":\"studentstudentstu\",\"jti\":\"j\",\"typ\":\"access\","
	    P_TIMES "}", "role of 17 bytes" },
	{ H_OK, "[" P_OK "]", "payload a JSON array" },
	{ H_OK, "\"" P_OK "\"", "payload a JSON string" },
	{ H_OK, "hello", "payload not JSON" },
	{ H_OK, P_OK "x", "payload with trailing garbage" },
	{ H_OK, "{}", "payload an empty object" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"\xff\","
	    "\"jti\":\"j\",\"typ\":\"access\"," P_TIMES "}",
	    "payload not UTF-8" },
};

/* Correctly signed with our secret; each must be accepted. */
static const struct hand_case accepted[] = {
	{ H_OK, P_OK, "the plain token" },
	{ "{\"alg\":\"HS256\"}", P_OK, "a header without typ" },
	{ "{\"alg\":\"HS256\",\"kid\":\"../../etc/passwd\","
	    "\"jku\":\"https://evil.example/\",\"jwk\":{\"kty\":\"oct\","
	    "\"k\":\"AAAA\"},\"x5u\":\"http://evil.example/\"}", P_OK,
	    "hostile kid, jku, jwk and x5u are ignored" },
	{ H_OK, P_HEAD "\"exp\":1700000070}", "expired 30 s ago (leeway)" },
	{ H_OK, P_HEAD "\"exp\":1700000099}", "expired 1 s ago (leeway)" },
	{ H_OK, P_HEAD "\"nbf\":1700000130,\"exp\":1700000900}",
	    "nbf 30 s ahead (leeway)" },
	{ H_OK, P_HEAD "\"exp\":1700000900}", "no nbf and no iat" },
	{ H_OK, P_HEAD "\"exp\":1.7000009e9}", "exp written as 1.7000009e9" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"9223372036854775807\","
	    P_RJT P_TIMES "}",
	    "sub 2^63 - 1" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"0123456789012345678901234567890123456789012345678901"
	    "23456789012\",\"typ\":\"access\"," P_TIMES "}",
	    "jti of 63 bytes" },
	{ H_OK, "{\"iss\":\"lectern\",\"sub\":\"42\",\"role\":\"student\","
	    "\"jti\":\"j\",\"typ\":\"access\",\"aud\":[\"x\"],"
	    "\"extra\":{\"a\":[1,2]}," P_TIMES "}", "unknown claims" },
	{ H_OK, " " P_OK "\n", "white space around the payload JSON" },
};

/*
 * Base64url of s, or bail.  Returns a string the caller frees.
 */
static char *
b64(const void *s, size_t len)
{
	char	*out;

	if (crypto_b64url_encode(s, len, &out) != API_OK)
		bail("base64url encode failed");
	return out;
}

/*
 * "<a>.<b>" or "<a>.<b>.<c>" when c is not NULL.  Returns a string the
 * caller frees; bails when out of memory.
 */
static char *
join(const char *a, const char *b, const char *c)
{
	size_t	 n;
	char	*s;

	n = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 3;
	if ((s = malloc(n)) == NULL)
		bail("out of memory");
	if (c != NULL)
		snprintf(s, n, "%s.%s.%s", a, b, c);
	else
		snprintf(s, n, "%s.%s", a, b);
	return s;
}

/*
 * A token of the segment texts h64 and p64 (used as they are, whatever
 * they hold), signed with HS256 under our secret, with only the first
 * siglen bytes of the signature (at most 32) and then extra bytes of
 * 'x' (at most 96 in all).  Returns a string the caller frees; bails on
 * failure.
 */
static char *
sign_raw(const char *h64, const char *p64, size_t siglen, size_t extra)
{
	unsigned char	 mac[CRYPTO_SHA256_LEN + 64];
	char		*hp, *s, *tok;

	if (siglen > CRYPTO_SHA256_LEN || siglen + extra > sizeof(mac))
		bail("sign_raw: bad lengths");
	hp = join(h64, p64, NULL);
	if (crypto_hmac_sha256(KEY, hp, strlen(hp), mac) != API_OK)
		bail("HMAC failed");
	memset(mac + siglen, 'x', extra);
	s = b64(mac, siglen + extra);
	tok = join(h64, p64, s);
	free(hp);
	free(s);
	return tok;
}

/*
 * A token of header text hdr and payload text pay, signed as sign_raw
 * does.  Returns a string the caller frees.
 */
static char *
make_sig(const char *hdr, const char *pay, size_t siglen, size_t extra)
{
	char	*h, *p, *tok;

	h = b64(hdr, strlen(hdr));
	p = b64(pay, strlen(pay));
	tok = sign_raw(h, p, siglen, extra);
	free(h);
	free(p);
	return tok;
}

/*
 * A token of header text hdr and payload text pay, correctly signed.
 * Returns a string the caller frees.
 */
static char *
make(const char *hdr, const char *pay)
{

	return make_sig(hdr, pay, CRYPTO_SHA256_LEN, 0);
}

/*
 * Verify tok with the fixed issuer, type, secret and time.  Returns the
 * jwt_verify result; *c holds the claims.
 */
static enum api_err
verify(const char *tok, struct jwt_claims *c)
{

	/* Dirty the claims first: a rejection must clear them. */
	memset(c, 'Z', sizeof(*c));
	return jwt_verify(tok, ISS, TYP, KEY, NOW, c);
}

/*
 * Whether tok is refused with API_UNAUTHORIZED and zeroed claims.
 * Returns 1 or 0.
 */
static int
refuses(const char *tok)
{
	struct jwt_claims	 c, zero;

	memset(&zero, 0, sizeof(zero));
	return verify(tok, &c) == API_UNAUTHORIZED &&
	    memcmp(&c, &zero, sizeof(c)) == 0;
}

/*
 * A correctly signed token of exactly total bytes, the plain payload
 * padded with a "pad" claim.  Returns a string the caller frees.
 */
static char *
make_long(size_t total)
{
	/* 36 header characters, two dots, 43 signature characters. */
	size_t	 b64len = total - 81, plen, base, n;
	char	*pay, *tok;

	if (b64len % 4 == 1)
		bail("no token is %zu bytes long", total);
	plen = b64len / 4 * 3 + (b64len % 4 ? b64len % 4 - 1 : 0);
	base = strlen(P_OK) - 1 + strlen(",\"pad\":\"\"}");
	if ((pay = malloc(plen + 1)) == NULL)
		bail("out of memory");
	n = strlen(P_OK) - 1;
	memcpy(pay, P_OK, n);
	memcpy(pay + n, ",\"pad\":\"", 8);
	memset(pay + n + 8, 'a', plen - base);
	memcpy(pay + n + 8 + plen - base, "\"}", 3);
	tok = make(H_OK, pay);
	free(pay);
	return tok;
}

/*
 * Signing: byte-for-byte agreement with PyJWT, round trips, bad
 * arguments.  Returns nothing.
 */
static void
test_sign(void)
{
	struct jwt_claims	 c, v;
	char			*tok, *jti;
	enum api_err		 er;

	memset(&c, 0, sizeof(c));
	snprintf(c.sub, sizeof(c.sub), "42");
	snprintf(c.role, sizeof(c.role), "student");
	snprintf(c.jti, sizeof(c.jti), "Zm9vYmFyLWp0aS0wMDAx");
	snprintf(c.typ, sizeof(c.typ), "access");
	c.iat = c.nbf = 1700000000;
	c.exp = 1700000900;
	er = jwt_sign(&c, ISS, KEY, &tok);
	is_string(py_base, er == API_OK ? tok : NULL,
	    "jwt_sign matches PyJWT byte for byte");
	er = jwt_verify(tok, ISS, TYP, KEY, NOW, &v);
	ok(er == API_OK && strcmp(v.sub, "42") == 0 &&
	    strcmp(v.role, "student") == 0 &&
	    strcmp(v.jti, "Zm9vYmFyLWp0aS0wMDAx") == 0 &&
	    strcmp(v.typ, "access") == 0 && v.iat == 1700000000 &&
	    v.nbf == 1700000000 && v.exp == 1700000900,
	    "...and verifies back to the same claims");
	free(tok);

	if (crypto_token(16, &jti) != API_OK)
		bail("crypto_token failed");
	snprintf(c.jti, sizeof(c.jti), "%s", jti);
	snprintf(c.sub, sizeof(c.sub), "9007199254740993");
	snprintf(c.role, sizeof(c.role), "admin");
	c.iat = c.nbf = NOW;
	c.exp = NOW + 900;
	er = jwt_sign(&c, "https://lectern.example", KEY, &tok);
	ok(er == API_OK, "jwt_sign with a random jti and another issuer");
	er = jwt_verify(tok, "https://lectern.example", TYP, KEY, NOW, &v);
	ok(er == API_OK && strcmp(v.jti, jti) == 0 &&
	    strcmp(v.sub, "9007199254740993") == 0 &&
	    strcmp(v.role, "admin") == 0 && v.exp == NOW + 900,
	    "...and round-trips");
	is_int(API_UNAUTHORIZED, jwt_verify(tok, ISS, TYP, KEY, NOW, &v),
	    "...but not for issuer lectern");
	is_int(API_UNAUTHORIZED, jwt_verify(tok, "https://lectern.example",
	    "refresh", KEY, NOW, &v), "...nor as a refresh token");
	is_int(API_UNAUTHORIZED, jwt_verify(tok, "https://lectern.example",
	    TYP, (const unsigned char *)secret, sizeof(secret) - 2, NOW, &v),
	    "...nor under a key one byte shorter");
	is_int(API_OK, jwt_verify(tok, "https://lectern.example", TYP, KEY,
	    NOW + 900 + 30, &v), "...and is still good 30 s after exp");
	is_int(API_UNAUTHORIZED, jwt_verify(tok, "https://lectern.example",
	    TYP, KEY, NOW + 900 + 31, &v), "...but not 31 s after");
	free(tok);
	free(jti);

	tok = (char *)"x";
	c.sub[0] = '\0';
	is_int(API_INTERNAL, jwt_sign(&c, ISS, KEY, &tok),
	    "jwt_sign refuses an empty sub");
	ok(tok == NULL, "...and leaves *out NULL");
	snprintf(c.sub, sizeof(c.sub), "1");
	memset(c.role, 'r', sizeof(c.role));
	is_int(API_INTERNAL, jwt_sign(&c, ISS, KEY, &tok),
	    "jwt_sign refuses an unterminated role");
	snprintf(c.role, sizeof(c.role), "student");
	is_int(API_INTERNAL, jwt_sign(&c, ISS, (const unsigned char *)"", 0,
	    &tok), "jwt_sign refuses an empty key");
	is_int(API_INTERNAL, jwt_sign(&c, "", KEY, &tok),
	    "jwt_sign refuses an empty issuer");
	c.exp = 9007199254740993LL;
	is_int(API_INTERNAL, jwt_sign(&c, ISS, KEY, &tok),
	    "jwt_sign refuses an exp beyond 2^53");
	is_int(API_INTERNAL, jwt_verify(py_base, ISS, TYP,
	    (const unsigned char *)"", 0, NOW, &v),
	    "jwt_verify with an empty key is an internal error");
}

/*
 * The PyJWT vectors.  Returns nothing.
 */
static void
test_pyjwt(void)
{
	struct jwt_claims	 c;

	is_int(API_OK, verify(py_base, &c), "PyJWT token verifies");
	ok(strcmp(c.sub, "42") == 0 && strcmp(c.jti, "Zm9vYmFyLWp0aS0wMDAx")
	    == 0 && c.exp == 1700000900, "...with its claims");
	is_int(API_OK, verify(py_kid, &c),
	    "PyJWT token with kid, jku, jwk, x5u and extra claims verifies");
	ok(strcmp(c.sub, "7") == 0 && strcmp(c.role, "admin") == 0 &&
	    strcmp(c.jti, "a-b_c") == 0 && c.iat == 0 && c.nbf == 0,
	    "...with its claims, iat and nbf 0 when absent");
	ok(refuses(py_wrong_key), "PyJWT token under another secret refused");
	ok(refuses(py_refresh), "PyJWT token of typ refresh refused");
	ok(refuses(py_hs512), "PyJWT HS512 token refused");
	ok(refuses(py_expired), "PyJWT token expired 100 s ago refused");
}

/*
 * Hand-made tokens: the two tables.  Returns nothing.
 */
static void
test_tables(void)
{
	struct jwt_claims	 c;
	char			*tok;
	size_t			 i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		tok = make(refused[i].header, refused[i].payload);
		ok(refuses(tok), "refused: %s", refused[i].what);
		free(tok);
	}
	for (i = 0; i < sizeof(accepted) / sizeof(accepted[0]); i++) {
		tok = make(accepted[i].header, accepted[i].payload);
		is_int(API_OK, verify(tok, &c), "accepted: %s",
		    accepted[i].what);
		free(tok);
	}
}

/*
 * Malformed shapes.  Returns nothing.
 */
static void
test_shapes(void)
{
	struct jwt_claims	 c;
	char			*good, *h, *p, *tok, *t2, *s;
	size_t			 len, i, k, bad;
	const char		*subst = "A.=_+/ ";

	good = make(H_OK, P_OK);
	len = strlen(good);
	h = b64(H_OK, strlen(H_OK));
	p = b64(P_OK, strlen(P_OK));
	s = strrchr(good, '.') + 1;

	ok(refuses(NULL), "NULL token refused");
	ok(refuses(""), "empty token refused");
	ok(refuses("abc"), "one segment refused");
	tok = join(h, p, NULL);
	ok(refuses(tok), "two segments refused");
	free(tok);
	tok = join(good, "", NULL);
	ok(refuses(tok), "three segments and a trailing dot refused");
	free(tok);
	tok = join(good, s, NULL);
	ok(refuses(tok), "four segments refused");
	free(tok);
	ok(refuses("..") && refuses("...") && refuses("."),
	    "only dots refused");
	tok = join("", p, s);
	ok(refuses(tok), "empty header segment refused");
	free(tok);
	tok = join(h, "", s);
	ok(refuses(tok), "empty payload segment refused");
	free(tok);
	tok = join(h, p, "");
	ok(refuses(tok), "empty signature segment refused");
	free(tok);
	t2 = b64(H_NONE, strlen(H_NONE));
	tok = join(t2, p, "");
	ok(refuses(tok), "alg none without a signature refused");
	free(tok);
	free(t2);

	tok = strdup(good);
	tok[len - 1] = '+';
	ok(refuses(tok), "'+' in the signature refused");
	tok[len - 1] = '/';
	ok(refuses(tok), "'/' in the signature refused");
	tok[3] = '*';
	ok(refuses(tok), "'*' in the header refused");
	free(tok);
	tok = join(good, "=", NULL);
	tok[len] = '=';
	tok[len + 1] = '\0';
	ok(refuses(tok), "padding '=' after the signature refused");
	free(tok);
	if (asprintf(&tok, "%s=.%s.%s", h, p, s) == -1)
		bail("out of memory");
	ok(refuses(tok), "padding '=' after the header refused");
	free(tok);
	if (asprintf(&tok, " %s", good) == -1)
		bail("out of memory");
	ok(refuses(tok), "leading space refused");
	free(tok);
	if (asprintf(&tok, "%s\n", good) == -1)
		bail("out of memory");
	ok(refuses(tok), "trailing newline refused");
	free(tok);
	if (asprintf(&tok, "%s.%s .%s", h, p, s) == -1)
		bail("out of memory");
	ok(refuses(tok), "space inside the token refused");
	free(tok);

	/* Bad payload segments under a signature that matches them, so
	 * that the strict decoding of the payload itself is what refuses. */
	if (asprintf(&t2, "%s=", p) == -1)
		bail("out of memory");
	tok = sign_raw(h, t2, CRYPTO_SHA256_LEN, 0);
	ok(refuses(tok), "signed payload with padding '=' refused");
	free(tok);
	t2[strlen(t2) - 1] = ' ';
	tok = sign_raw(h, t2, CRYPTO_SHA256_LEN, 0);
	ok(refuses(tok), "signed payload with a trailing space refused");
	free(tok);
	t2[strlen(t2) - 1] = 'A';
	tok = sign_raw(h, t2, CRYPTO_SHA256_LEN, 0);
	ok(refuses(tok), "signed payload of length 4n + 1 refused");
	free(tok);
	free(t2);
	t2 = strdup(p);
	t2[10] = '+';
	tok = sign_raw(h, t2, CRYPTO_SHA256_LEN, 0);
	ok(refuses(tok), "signed payload with '+' refused");
	free(tok);
	t2[10] = '/';
	tok = sign_raw(h, t2, CRYPTO_SHA256_LEN, 0);
	ok(refuses(tok), "signed payload with '/' refused");
	free(tok);
	free(t2);
	/* P_OK is 4n + 2 bytes long: its encoding ends in 3 characters,
	 * the last carrying two unused bits. */
	t2 = strdup(p);
	if (strlen(t2) % 4 != 3)
		bail("P_OK no longer ends in a partial group");
	t2[strlen(t2) - 1] = (char)(t2[strlen(t2) - 1] + 1);
	tok = sign_raw(h, t2, CRYPTO_SHA256_LEN, 0);
	ok(refuses(tok), "signed non-canonical payload encoding refused");
	free(tok);
	free(t2);

	/* 32 signature bytes are 43 characters: the last one carries two
	 * unused bits.  Setting one gives the same bytes, non-canonically. */
	tok = strdup(good);
	tok[len - 1] = tok[len - 1] == 'A' ? 'B' : (char)(tok[len - 1] + 1);
	ok(refuses(tok), "non-canonical signature encoding refused");
	free(tok);

	tok = make_sig(H_OK, P_OK, 31, 0);
	ok(refuses(tok), "signature of 31 bytes refused");
	free(tok);
	tok = make_sig(H_OK, P_OK, 32, 1);
	ok(refuses(tok), "signature of 33 bytes refused");
	free(tok);
	tok = make_sig(H_OK, P_OK, 0, 64);
	ok(refuses(tok), "signature of 64 bytes refused");
	free(tok);
	tok = strdup(good);
	tok[len - 5] = tok[len - 5] == 'A' ? 'B' : 'A';
	ok(refuses(tok), "signature with one character changed refused");
	free(tok);

	tok = make_long(JWT_MAX_LEN);
	is_int(JWT_MAX_LEN, (long long)strlen(tok), "a token of %d bytes...",
	    JWT_MAX_LEN);
	is_int(API_OK, verify(tok, &c), "...is accepted");
	free(tok);
	tok = make_long(JWT_MAX_LEN + 1);
	ok(refuses(tok), "a correctly signed token of %d bytes refused",
	    JWT_MAX_LEN + 1);
	free(tok);
	tok = make_long(10240);
	ok(refuses(tok), "a correctly signed 10 KB token refused");
	free(tok);

	/* Every proper prefix, and every one-character substitution. */
	bad = 0;
	for (i = 0; i < len; i++) {
		tok = strndup(good, i);
		bad += !refuses(tok);
		free(tok);
	}
	ok(bad == 0, "every proper prefix of a good token refused");
	bad = 0;
	tok = strdup(good);
	for (i = 0; i < len; i++) {
		for (k = 0; subst[k] != '\0'; k++) {
			if (good[i] == subst[k])
				continue;
			tok[i] = subst[k];
			bad += !refuses(tok);
		}
		tok[i] = good[i];
	}
	free(tok);
	ok(bad == 0, "every one-character substitution refused");

	free(good);
	free(h);
	free(p);
}

/*
 * Run every test.  Returns the TAP exit status: 0 when all planned
 * tests ran and passed.
 */
int
main(void)
{

	plan(145);
	test_sign();
	test_pyjwt();
	test_tables();
	test_shapes();
	return tap_status();
}

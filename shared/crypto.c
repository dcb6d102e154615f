/*
 * lectern — crypto: random bytes, base64url, SHA-256, HMAC-SHA256 and
 * constant-time comparison on OpenSSL 3 libcrypto.
 *
 * OpenSSL 3 initialises itself implicitly on first use, reading
 * openssl.cnf and loading whatever it names; that costs a CGI process
 * more than a millisecond and lets a stray configuration file change
 * our algorithms.  So the first call here initialises it explicitly with
 * OPENSSL_INIT_NO_LOAD_CONFIG, and the HMAC and SHA-256 implementations
 * are fetched once and cached.  These statics are a read-only cache
 * (safe to keep across FastCGI requests); no request data lives here.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "crypto.h"
#include "log.h"

static const char		 b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char		 hex_digits[] = "0123456789abcdef";
static const unsigned char	 empty[1];	/* stands in for NULL input */

/*
 * The read-only cache: set once, never freed, no request data.
 * XXX: filled without a lock; fine for our single-threaded CGI and
 * FastCGI processes, not for a threaded caller.
 */
static int			 initialised;
static EVP_MAC			*hmac_alg;
static EVP_MD			*sha256_alg;

/*
 * Initialise libcrypto once, without its configuration file.  Returns
 * API_OK or API_INTERNAL (logged).
 */
static enum api_err
crypto_init(void)
{

	if (initialised)
		return API_OK;
	if (OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) != 1) {
		log_warnx("crypto: OPENSSL_init_crypto failed");
		return API_INTERNAL;
	}
	initialised = 1;
	return API_OK;
}

/*
 * The cached HMAC implementation, fetched on the first call.  Returns a
 * borrowed pointer, or NULL (logged) when libcrypto fails.
 */
static EVP_MAC *
get_hmac(void)
{

	if (hmac_alg != NULL)
		return hmac_alg;
	if (crypto_init() != API_OK)
		return NULL;
	if ((hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		log_warnx("crypto: EVP_MAC_fetch(HMAC) failed");
	return hmac_alg;
}

/*
 * The cached SHA-256 implementation, fetched on the first call.  Returns
 * a borrowed pointer, or NULL (logged) when libcrypto fails.
 */
static EVP_MD *
get_sha256(void)
{

	if (sha256_alg != NULL)
		return sha256_alg;
	if (crypto_init() != API_OK)
		return NULL;
	if ((sha256_alg = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		log_warnx("crypto: EVP_MD_fetch(SHA256) failed");
	return sha256_alg;
}

/*
 * Fill buf with len random bytes.  Returns API_OK, or API_INTERNAL
 * (logged, buf wiped).
 */
enum api_err
crypto_random(void *buf, size_t len)
{
	unsigned char	*p = buf;
	int		 n;

	if (len == 0)
		return API_OK;
	if (crypto_init() != API_OK)
		goto err;
	/* RAND_bytes takes an int; feed it in slices. */
	while (len > 0) {
		n = len > INT_MAX ? INT_MAX : (int)len;
		if (RAND_bytes(p, n) != 1) {
			log_warnx("crypto: RAND_bytes failed");
			goto err;
		}
		p += n;
		len -= (size_t)n;
	}
	return API_OK;
err:
	OPENSSL_cleanse(buf, (size_t)(p - (unsigned char *)buf) + len);
	return API_INTERNAL;
}

/*
 * Encode len bytes as unpadded base64url into *out (caller frees).
 * Returns API_OK or API_ENOMEM (logged).
 */
enum api_err
crypto_b64url_encode(const void *data, size_t len, char **out)
{
	const unsigned char	*in = data;
	char			*s;
	size_t			 i, o, olen;
	uint32_t		 v;

	*out = NULL;
	if (len > (SIZE_MAX - 4) / 4 * 3) {
		log_warnx("crypto_b64url_encode: input too long");
		return API_ENOMEM;
	}
	olen = len / 3 * 4 + (len % 3 == 0 ? 0 : len % 3 + 1);
	if ((s = malloc(olen + 1)) == NULL) {
		log_warnx("crypto_b64url_encode: out of memory");
		return API_ENOMEM;
	}
	for (i = 0, o = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		s[o++] = b64url_alphabet[v >> 18 & 0x3f];
		s[o++] = b64url_alphabet[v >> 12 & 0x3f];
		s[o++] = b64url_alphabet[v >> 6 & 0x3f];
		s[o++] = b64url_alphabet[v & 0x3f];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		s[o++] = b64url_alphabet[v >> 18 & 0x3f];
		s[o++] = b64url_alphabet[v >> 12 & 0x3f];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		s[o++] = b64url_alphabet[v >> 18 & 0x3f];
		s[o++] = b64url_alphabet[v >> 12 & 0x3f];
		s[o++] = b64url_alphabet[v >> 6 & 0x3f];
	}
	s[o] = '\0';
	*out = s;
	return API_OK;
}

/*
 * The six-bit value of base64url character c, or -1 when c is not in
 * the alphabet.
 */
static int
b64url_value(unsigned char c)
{

	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * Strictly decode len characters of s into *out (caller frees) and
 * *outlen.  Returns API_OK, API_INVALID or API_ENOMEM (logged).
 */
enum api_err
crypto_b64url_decode(const char *s, size_t len, unsigned char **out,
    size_t *outlen)
{
	unsigned char	*buf;
	size_t		 i, o, rem;
	uint32_t	 v;
	int		 c;

	*out = NULL;
	*outlen = 0;
	rem = len % 4;
	if (rem == 1)
		return API_INVALID;
	for (i = 0; i < len; i++)
		if (b64url_value((unsigned char)s[i]) < 0)
			return API_INVALID;
	/* The unused low bits of the last character must be zero. */
	if (rem == 2 && (b64url_value((unsigned char)s[len - 1]) & 0x0f) != 0)
		return API_INVALID;
	if (rem == 3 && (b64url_value((unsigned char)s[len - 1]) & 0x03) != 0)
		return API_INVALID;
	if ((buf = malloc(len / 4 * 3 + 3)) == NULL) {
		log_warnx("crypto_b64url_decode: out of memory");
		return API_ENOMEM;
	}
	v = 0;
	for (i = 0, o = 0; i < len; i++) {
		c = b64url_value((unsigned char)s[i]);
		v = v << 6 | (uint32_t)c;
		if (i % 4 == 3) {
			buf[o++] = (unsigned char)(v >> 16);
			buf[o++] = (unsigned char)(v >> 8);
			buf[o++] = (unsigned char)v;
			v = 0;
		}
	}
	if (rem == 2)
		buf[o++] = (unsigned char)(v >> 4);
	else if (rem == 3) {
		buf[o++] = (unsigned char)(v >> 10);
		buf[o++] = (unsigned char)(v >> 2);
	}
	buf[o] = '\0';
	*out = buf;
	*outlen = o;
	return API_OK;
}

/*
 * HMAC-SHA256 through EVP_MAC.  Returns API_OK or API_INTERNAL (logged,
 * out wiped).  The context holds a copy of the key and wipes it when it
 * is freed.
 */
enum api_err
crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[CRYPTO_SHA256_LEN])
{
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx = NULL;
	OSSL_PARAM	 params[2];
	size_t		 outl = 0;
	enum api_err	 rc = API_INTERNAL;

	if ((mac = get_hmac()) == NULL)
		goto out;
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL) {
		log_warnx("crypto_hmac_sha256: EVP_MAC_CTX_new failed");
		goto out;
	}
	/* Only read, although the prototype says char *. */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    "SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	/* A NULL key means "keep the old key" to EVP_MAC_init. */
	if (key == NULL || keylen == 0) {
		key = empty;
		keylen = 0;
	}
	if (EVP_MAC_init(ctx, key, keylen, params) != 1 ||
	    (len > 0 && EVP_MAC_update(ctx, data, len) != 1) ||
	    EVP_MAC_final(ctx, out, &outl, CRYPTO_SHA256_LEN) != 1 ||
	    outl != CRYPTO_SHA256_LEN) {
		log_warnx("crypto_hmac_sha256: libcrypto failed");
		goto out;
	}
	rc = API_OK;
out:
	EVP_MAC_CTX_free(ctx);
	if (rc != API_OK)
		OPENSSL_cleanse(out, CRYPTO_SHA256_LEN);
	return rc;
}

/*
 * SHA-256 of data into out.  Returns API_OK or API_INTERNAL (logged).
 */
enum api_err
crypto_sha256(const void *data, size_t len,
    unsigned char out[CRYPTO_SHA256_LEN])
{
	EVP_MD		*md;
	unsigned int	 outl = 0;

	if ((md = get_sha256()) == NULL)
		return API_INTERNAL;
	if (data == NULL)
		data = empty;
	if (EVP_Digest(data, len, out, &outl, md, NULL) != 1 ||
	    outl != CRYPTO_SHA256_LEN) {
		log_warnx("crypto_sha256: EVP_Digest failed");
		return API_INTERNAL;
	}
	return API_OK;
}

/* A SHA-256 computed over data that comes in pieces. */
struct crypto_sha256_ctx {
	EVP_MD_CTX	*md;
};

struct crypto_sha256_ctx *
crypto_sha256_new(void)
{
	struct crypto_sha256_ctx	*h;
	EVP_MD				*md;

	if ((md = get_sha256()) == NULL)
		return NULL;
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		log_warnx("crypto_sha256_new: out of memory");
		return NULL;
	}
	if ((h->md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(h->md, md, NULL) != 1) {
		log_warnx("crypto_sha256_new: libcrypto failed");
		crypto_sha256_free(h);
		return NULL;
	}
	return h;
}

enum api_err
crypto_sha256_update(struct crypto_sha256_ctx *h, const void *data,
    size_t len)
{

	if (len > 0 && EVP_DigestUpdate(h->md, data, len) != 1) {
		log_warnx("crypto_sha256_update: libcrypto failed");
		return API_INTERNAL;
	}
	return API_OK;
}

enum api_err
crypto_sha256_final(struct crypto_sha256_ctx *h,
    char out[CRYPTO_SHA256_HEX_SIZE])
{
	unsigned char	 md[CRYPTO_SHA256_LEN];
	unsigned int	 outl = 0;

	out[0] = '\0';
	if (EVP_DigestFinal_ex(h->md, md, &outl) != 1 ||
	    outl != CRYPTO_SHA256_LEN) {
		log_warnx("crypto_sha256_final: libcrypto failed");
		return API_INTERNAL;
	}
	crypto_hex(md, sizeof(md), out);
	return API_OK;
}

void
crypto_sha256_free(struct crypto_sha256_ctx *h)
{

	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->md);
	free(h);
}

/*
 * SHA-256 of data as lower-case hex in out.  Returns API_OK or
 * API_INTERNAL (out is then "").
 */
enum api_err
crypto_sha256_hex(const void *data, size_t len,
    char out[CRYPTO_SHA256_HEX_SIZE])
{
	unsigned char	 md[CRYPTO_SHA256_LEN];

	out[0] = '\0';
	if (crypto_sha256(data, len, md) != API_OK)
		return API_INTERNAL;
	crypto_hex(md, sizeof(md), out);
	return API_OK;
}

/*
 * n bytes as lower-case hex in out (2 * n + 1 bytes).  Returns nothing.
 */
void
crypto_hex(const void *bytes, size_t n, char *out)
{
	const unsigned char	*p = bytes;
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex_digits[p[i] >> 4];
		out[2 * i + 1] = hex_digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/*
 * Constant-time comparison of n bytes.  Returns 1 when equal, else 0.
 */
int
crypto_equal(const void *a, const void *b, size_t n)
{

	if (n == 0)
		return 1;
	return CRYPTO_memcmp(a, b, n) == 0;
}

/*
 * Compare two strings with work that depends only on their lengths:
 * every position up to the longer length is visited, reading the
 * terminating NUL of the shorter string past its end, and differences
 * are accumulated without branching on them.  Returns 1 when equal,
 * else 0 (also when either is NULL).
 */
int
crypto_streq(const char *a, const char *b)
{
	const unsigned char	*ua = (const unsigned char *)a;
	const unsigned char	*ub = (const unsigned char *)b;
	size_t			 la, lb, n, i;
	volatile unsigned char	 diff;

	if (a == NULL || b == NULL)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	n = la > lb ? la : lb;
	diff = la != lb;
	for (i = 0; i < n; i++)
		diff |= ua[i < la ? i : la] ^ ub[i < lb ? i : lb];
	return diff == 0;
}

/*
 * nbytes random bytes as unpadded base64url in *out (caller frees).
 * Returns API_OK, API_INTERNAL or API_ENOMEM.
 */
enum api_err
crypto_token(size_t nbytes, char **out)
{
	unsigned char	 raw[CRYPTO_TOKEN_MAX];
	enum api_err	 rc;

	*out = NULL;
	if (nbytes == 0 || nbytes > CRYPTO_TOKEN_MAX) {
		log_warnx("crypto_token: bad length %zu", nbytes);
		return API_INTERNAL;
	}
	if ((rc = crypto_random(raw, nbytes)) != API_OK)
		return rc;
	rc = crypto_b64url_encode(raw, nbytes, out);
	OPENSSL_cleanse(raw, nbytes);
	return rc;
}

void
crypto_wipe_free(char *s)
{

	if (s == NULL)
		return;
	OPENSSL_cleanse(s, strlen(s));
	free(s);
}

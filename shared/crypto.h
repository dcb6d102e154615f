/*
 * lectern — crypto: the small set of primitives the API needs, on
 * OpenSSL 3 libcrypto.
 *
 * Random bytes, strict base64url (RFC 4648 section 5, no padding),
 * SHA-256, HMAC-SHA256, lower-case hex and constant-time comparison.
 * OpenSSL is initialised explicitly and minimally on first use (its
 * configuration file is never read); the HMAC and SHA-256 algorithm
 * objects are fetched once and kept as a read-only cache for the life
 * of the process.  No request data is kept between calls.
 */
#ifndef LECTERN_CRYPTO_H
#define LECTERN_CRYPTO_H

#include <stddef.h>

#include "err.h"

#define CRYPTO_SHA256_LEN	32	/* bytes of a SHA-256 or HMAC-SHA256 */
#define CRYPTO_SHA256_HEX_SIZE	65	/* its hex form with the NUL */
#define CRYPTO_TOKEN_MAX	1024	/* most random bytes in one token */

/*
 * Fill buf with len cryptographically strong random bytes (RAND_bytes).
 * Returns API_OK, or API_INTERNAL (logged) when the generator fails;
 * buf is then wiped.
 */
enum api_err	 crypto_random(void *buf, size_t len)
		    __attribute__((warn_unused_result));

/*
 * Encode len bytes of data as base64url without padding into *out, a
 * NUL-terminated string the caller frees with free(3).  data may be
 * NULL when len is 0 (the result is then "").  Returns API_OK or
 * API_ENOMEM (logged); *out is NULL on failure.
 */
enum api_err	 crypto_b64url_encode(const void *data, size_t len,
		    char **out)
		    __attribute__((warn_unused_result));

/*
 * Decode exactly len characters of s (no NUL needed) as strict
 * base64url into *out, with its length in *outlen.  Rejects, with
 * API_INVALID: any character outside A-Z a-z 0-9 - _ (so padding '=',
 * '+', '/', white space and NUL), a length with len % 4 == 1, and
 * non-canonical encodings whose unused trailing bits are not zero.
 * The empty string decodes to zero bytes.  Returns API_OK, API_INVALID
 * or API_ENOMEM (logged).  On success the caller frees *out with
 * free(3); the buffer has one extra NUL byte after *outlen bytes so
 * that text may be used as a string.  On failure *out is NULL and
 * *outlen 0.
 */
enum api_err	 crypto_b64url_decode(const char *s, size_t len,
		    unsigned char **out, size_t *outlen)
		    __attribute__((warn_unused_result));

/*
 * HMAC-SHA256 of len bytes of data under keylen bytes of key, into out.
 * key and data may be NULL when their length is 0.  Returns API_OK, or
 * API_INTERNAL (logged) when libcrypto fails; out is then wiped.  The
 * key is copied only into libcrypto's context, which wipes it when
 * freed.
 */
enum api_err	 crypto_hmac_sha256(const void *key, size_t keylen,
		    const void *data, size_t len,
		    unsigned char out[CRYPTO_SHA256_LEN])
		    __attribute__((warn_unused_result));

/*
 * SHA-256 of len bytes of data into out.  Returns API_OK or
 * API_INTERNAL (logged).
 */
enum api_err	 crypto_sha256(const void *data, size_t len,
		    unsigned char out[CRYPTO_SHA256_LEN])
		    __attribute__((warn_unused_result));

/*
 * SHA-256 of len bytes of data as 64 lower-case hex digits and a NUL in
 * out.  Returns API_OK or API_INTERNAL (logged; out is then "").
 */
enum api_err	 crypto_sha256_hex(const void *data, size_t len,
		    char out[CRYPTO_SHA256_HEX_SIZE])
		    __attribute__((warn_unused_result));

/*
 * SHA-256 over data given in pieces: crypto_sha256_new (NULL when
 * libcrypto or memory fails, logged), crypto_sha256_update for each
 * piece, crypto_sha256_final for the lower-case hex digest (API_OK or
 * API_INTERNAL), then crypto_sha256_free (NULL is fine).
 */
struct crypto_sha256_ctx;
struct crypto_sha256_ctx *crypto_sha256_new(void);
enum api_err	 crypto_sha256_update(struct crypto_sha256_ctx *h,
		    const void *data, size_t len)
		    __attribute__((warn_unused_result));
enum api_err	 crypto_sha256_final(struct crypto_sha256_ctx *h,
		    char out[CRYPTO_SHA256_HEX_SIZE])
		    __attribute__((warn_unused_result));
void		 crypto_sha256_free(struct crypto_sha256_ctx *h);

/*
 * Write n bytes as 2 * n lower-case hex digits and a NUL into out,
 * which must hold 2 * n + 1 bytes.  Cannot fail.
 */
void		 crypto_hex(const void *bytes, size_t n, char *out);

/*
 * Whether the n bytes at a and b are equal, in time that depends only
 * on n (CRYPTO_memcmp).  Returns 1 when equal, else 0.
 */
int		 crypto_equal(const void *a, const void *b, size_t n)
		    __attribute__((warn_unused_result));

/*
 * Whether the NUL-terminated strings a and b are equal.  The work done
 * depends only on the two lengths, never on where the strings first
 * differ, so the time leaks no prefix of a secret.  A NULL argument is
 * equal to nothing (returns 0).  Returns 1 when equal, else 0.
 */
int		 crypto_streq(const char *a, const char *b)
		    __attribute__((warn_unused_result));

/*
 * A fresh random token: nbytes (1 .. CRYPTO_TOKEN_MAX) random bytes
 * encoded as base64url without padding, in *out, which the caller frees
 * with free(3).  32 bytes make a refresh token, 16 a jti.  Returns
 * API_OK, API_INTERNAL (generator failure or nbytes out of range) or
 * API_ENOMEM; *out is NULL on failure.  The raw bytes are wiped.
 */
enum api_err	 crypto_token(size_t nbytes, char **out)
		    __attribute__((warn_unused_result));

/*
 * Wipe the NUL-terminated secret s (a token, a password) and free it.
 * NULL is fine.
 */
void		crypto_wipe_free(char *s);

#endif /* LECTERN_CRYPTO_H */

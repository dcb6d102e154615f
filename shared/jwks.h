/*
 * lectern — jwks: a provider's JSON Web Key Set (RFC 7517) for RS256.
 *
 * A key set is fetched with the outbound rules of SPEC §8 (httpc: https
 * only, loopback http for tests, no redirects, bounded time and size),
 * parsed from each key's n and e into an OpenSSL public key, and kept
 * on disk for the max-age the provider's Cache-Control gives, so every
 * CGI and FastCGI process shares one copy.  The copy is replaced
 * atomically (a temporary file renamed over it) and is readable by its
 * owner only.  A token naming a key the fresh copy lacks (the provider
 * rotated its keys) refetches the set, at most once a minute.  When no
 * fresh copy can be had the answer is API_UNAVAILABLE: a stale or
 * missing key set never lets a token through.
 */
#ifndef LECTERN_JWKS_H
#define LECTERN_JWKS_H

#include <stddef.h>

#include <openssl/evp.h>

#include "err.h"

#define JWKS_MAX_LEN		(64 * 1024)	/* largest key set taken */
#define JWKS_MAX_ENTRIES	64	/* members of "keys" */
#define JWKS_MAX_KEYS		16	/* usable RSA keys kept */
#define JWKS_KID_MAX		128	/* bytes of a key id */
#define JWKS_REFETCH_MIN	60	/* s between refetches for a kid */
#define JWKS_MAX_AGE_DEFAULT	60	/* s, when no max-age is given */
#define JWKS_MAX_AGE_MAX	86400	/* s, the longest a copy is kept */
#define JWKS_RSA_BITS_MIN	2048
#define JWKS_RSA_BITS_MAX	8192

struct jwks_key {
	char		 kid[JWKS_KID_MAX + 1];
	EVP_PKEY	*pkey;
};

struct jwks {
	struct jwks_key	 keys[JWKS_MAX_KEYS];
	size_t		 nkeys;
};

/*
 * An RSA public key from the base64url (unpadded) big-endian modulus
 * n64 and exponent e64 of a JWK.  The modulus must have 2048 to 8192
 * bits, the exponent be odd and greater than 1.  Returns API_OK with
 * *out for the caller to EVP_PKEY_free, API_INVALID or API_ENOMEM.
 */
enum api_err	 jwks_rsa_key(const char *n64, const char *e64,
		    EVP_PKEY **out) __attribute__((warn_unused_result));

/*
 * Parse len bytes of text (no NUL needed) as a key set: a JSON object
 * whose "keys" is an array of at most JWKS_MAX_ENTRIES objects.  Keys
 * that are not RSA, whose "use" is not "sig" or whose "alg" is not
 * RS256 (when given), that have no printable kid, or whose n and e are
 * unfit are skipped; two keys with one kid make the whole set invalid.
 * At least one key must remain.  Pure: no I/O, no global state, safe
 * to feed any bytes.  Returns API_OK with *out for jwks_free,
 * API_INVALID or API_ENOMEM.
 */
enum api_err	 jwks_parse(const char *text, size_t len, struct jwks **out)
		    __attribute__((warn_unused_result));

/* The key of set named kid, borrowed from set, or NULL. */
EVP_PKEY	*jwks_find(const struct jwks *set, const char *kid);

/* Free set.  NULL is fine. */
void		 jwks_free(struct jwks *set);

/*
 * The key set of provider name ("google"), published at url, as of now
 * (epoch seconds), for a token signed with key kid (NULL: any).  Taken
 * from the cache directory (LECTERN_JWKS_CACHE_DIR) while fresh and
 * holding kid; fetched when there is no fresh copy, or when the fresh
 * copy lacks kid and neither it nor a refetch is younger than
 * JWKS_REFETCH_MIN.  Returns API_OK with *out for jwks_free (it may
 * still lack kid: the caller refuses the token); API_UNAVAILABLE when
 * the set had to be fetched and could not be (logged with rid);
 * API_ENOMEM.
 */
enum api_err	 jwks_get(const char *name, const char *url, const char *kid,
		    const char *rid, long long now, struct jwks **out)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_JWKS_H */

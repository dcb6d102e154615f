/*
 * lectern — idtoken: RS256 ID tokens from Google and Firebase (SPEC §7).
 *
 * The algorithm is ours, not the token's: the header's alg must be
 * exactly "RS256" (so "none", HS256 signed with the public key as its
 * secret, and every other value are refused before any key is used),
 * its kid must name a key of the provider's set, and the signature is
 * checked with OpenSSL (EVP_DigestVerify, SHA-256, PKCS #1 v1.5) before
 * the payload is read.  Then every claim the provider's rules name is
 * checked, with IDTOKEN_LEEWAY seconds of clock skew.  Every defect is
 * API_INVALID_TOKEN with a short static reason; nothing of the token
 * itself is ever logged or kept.
 */
#ifndef LECTERN_IDTOKEN_H
#define LECTERN_IDTOKEN_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "jwks.h"

#define IDTOKEN_MAX_LEN		8192	/* longer tokens are refused */
#define IDTOKEN_LEEWAY		300	/* s of skew for exp, iat, auth_time */
#define IDTOKEN_SUB_MAX		255

/* struct idtoken_rules.flags */
#define IDT_EMAIL_VERIFIED	0x01u	/* email and email_verified true */
#define IDT_AUTH_TIME		0x02u	/* auth_time given, in the past */
#define IDT_SUB_128		0x04u	/* sub at most 128 bytes (Firebase) */

/* What a provider's tokens must say. */
struct idtoken_rules {
	const char	*iss[2];	/* accepted issuers; [1] may be NULL */
	const char	*aud;		/* accepted audiences: "a,b,c" */
	unsigned int	 flags;		/* IDT_* */
};

/* A verified token. */
struct idtoken {
	char		 sub[IDTOKEN_SUB_MAX + 1];
	const char	*email;		/* in claims, or NULL */
	int		 email_verified;
	long long	 exp;
	long long	 iat;
	cJSON		*claims;	/* the payload; idtoken_free frees it */
};

/*
 * Check the form of token and its header: at most IDTOKEN_MAX_LEN
 * bytes, exactly three non-empty strict base64url segments, a header
 * that is a JSON object without duplicate members or "crit", whose alg
 * is exactly "RS256" and whose kid is 1 to JWKS_KID_MAX printable
 * characters, copied to kid (size bytes).  Returns API_OK,
 * API_INVALID_TOKEN (*why says why) or API_ENOMEM.
 */
enum api_err	 idtoken_kid(const char *token, char *kid, size_t size,
		    const char **why) __attribute__((warn_unused_result));

/*
 * Verify token against the key set and rules at time now (epoch s) and
 * fill *out.  The header as idtoken_kid wants it; the kid found in set
 * (else API_NOT_FOUND); a signature of the key's size that verifies
 * over "<header>.<payload>"; a payload that is a JSON object without
 * duplicate members holding: iss one of rules->iss; aud a string in
 * rules->aud; exp and iat integers with now <= exp + IDTOKEN_LEEWAY and
 * iat <= now + IDTOKEN_LEEWAY; nbf, when given, <= now + IDTOKEN_LEEWAY;
 * sub 1 to 255 (IDT_SUB_128: 128) printable characters; with
 * IDT_EMAIL_VERIFIED an email string and email_verified exactly true;
 * with IDT_AUTH_TIME an integer auth_time <= now + IDTOKEN_LEEWAY.
 * Returns API_OK, API_NOT_FOUND, API_INVALID_TOKEN (*why set),
 * API_ENOMEM or API_INTERNAL; *out is to be freed with idtoken_free in
 * every case.
 */
enum api_err	 idtoken_verify(const char *token, const struct jwks *set,
		    const struct idtoken_rules *rules, long long now,
		    struct idtoken *out, const char **why)
		    __attribute__((warn_unused_result));

/* Free what t holds. */
void		 idtoken_free(struct idtoken *t);

#endif /* LECTERN_IDTOKEN_H */

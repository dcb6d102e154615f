/*
 * lectern — jwt: HS256 access tokens (SPEC section 3, RFC 7519, RFC 8725).
 *
 * jwt_sign makes a compact JWS with the header {"alg":"HS256","typ":"JWT"}
 * and our fixed set of claims; jwt_verify accepts only tokens of exactly
 * that shape.  Every defect of a presented token is API_UNAUTHORIZED,
 * never an error that becomes a 500.  Revocation of the jti needs the
 * database and is the caller's job.
 */
#ifndef LECTERN_JWT_H
#define LECTERN_JWT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

#define JWT_MAX_LEN	4096	/* longest token jwt_verify decodes */
#define JWT_LEEWAY	30	/* seconds of clock skew for exp and nbf */

/*
 * The claims we issue.  Strings are NUL-terminated within their arrays;
 * nothing here is allocated.
 */
struct jwt_claims {
	char		 sub[32];	/* user id, decimal digits */
	char		 role[16];	/* "student", "admin", ... */
	char		 jti[64];	/* token id, for revocation */
	char		 sid[64];	/* session id; optional, "" if absent */
	char		 typ[16];	/* "access" */
	long long	 iat;		/* issued at (epoch s); 0 if absent */
	long long	 nbf;		/* not before; 0 if absent */
	long long	 exp;		/* expires at */
};

/*
 * Sign claims c with issuer iss under keylen bytes of key (HMAC-SHA256)
 * and store the compact token in *out, which the caller frees with
 * free(3).  The payload is {iss, sub, role, jti, typ, iat, nbf, exp},
 * plus sid when c->sid is not empty.
 * Returns API_OK, API_ENOMEM, or API_INTERNAL (logged) when an argument
 * is missing, a claim string is empty or unterminated, the key is empty
 * or libcrypto fails.  *out is NULL on failure.
 */
enum api_err	 jwt_sign(const struct jwt_claims *c, const char *iss,
		    const unsigned char *key, size_t keylen, char **out)
		    __attribute__((warn_unused_result));

/*
 * Verify token (NUL-terminated) against issuer iss, token type want_typ
 * ("access"), keylen bytes of key and the time now (epoch seconds), and
 * fill *out with its claims.  The token must be at most JWT_MAX_LEN
 * bytes of exactly three non-empty strict base64url segments.  The
 * header must be a JSON object without duplicate members or "crit",
 * whose "alg" is exactly "HS256" ("kid", "jku", "jwk", "x5u" are never
 * used).  The signature must be 32 bytes equal (constant time) to the
 * HMAC of "<header>.<payload>"; only then is the payload read.  The
 * payload must be a JSON object without duplicate members, with:
 *   "exp"  an integral number, now <= exp + JWT_LEEWAY (required);
 *   "nbf"  if present, integral, now >= nbf - JWT_LEEWAY;
 *   "iat"  if present, integral, now >= iat - JWT_LEEWAY;
 *   "iss"  equal to iss;  "typ" equal to want_typ;
 *   "sub"  a positive decimal user id without leading zeros;
 *   "jti"  a printable string of 1 to 63 bytes;
 *   "role" a printable string of 1 to 15 bytes.
 * Other members are ignored.  Revocation of the jti is the caller's
 * job.  Returns API_OK; API_UNAUTHORIZED for any defect of the token
 * (including a NULL token); API_ENOMEM; or API_INTERNAL (logged) when
 * iss, want_typ, out or the key is missing or empty, or libcrypto
 * fails.  On any failure *out is zeroed.  Nothing is allocated for the
 * caller.
 */
enum api_err	 jwt_verify(const char *token, const char *iss,
		    const char *want_typ, const unsigned char *key,
		    size_t keylen, long long now, struct jwt_claims *out)
		    __attribute__((warn_unused_result));

/*
 * Decode len characters at seg (one segment of a JWT) as strict
 * base64url and parse them as a JSON object of at most 64 members with
 * unique names.  Returns API_OK with *out for the caller to
 * cJSON_Delete, API_UNAUTHORIZED for any defect, or API_ENOMEM.  Shared
 * by access tokens and the providers' ID tokens (idtoken.c).
 */
enum api_err	 jwt_segment_object(const char *seg, size_t len, cJSON **out)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_JWT_H */

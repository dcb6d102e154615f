/*
 * lectern — jwt: HS256 sign and verify on libcrypto (SPEC section 3).
 *
 * Verification follows RFC 8725: the algorithm is fixed by us, not by
 * the token (only the exact string "HS256" passes, and key-locating
 * header members are never looked at), the signature is checked before
 * the payload is parsed and compared in constant time, and every claim
 * we rely on must be present with the right JSON type.  Both JSON
 * objects must be free of duplicate member names, so no other JSON
 * parser can read a different token out of the same bytes.  Anything
 * wrong with the token is API_UNAUTHORIZED; only allocation and
 * libcrypto failures are anything else.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include <cjson/cJSON.h>

#include "crypto.h"
#include "json.h"
#include "jwt.h"
#include "log.h"
#include "valid.h"

#define JWT_MAX_MEMBERS	64			/* per JSON object */
#define JWT_NUM_MAX	9007199254740992LL	/* 2^53 */

static const char	 jwt_header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

/*
 * Whether the n-byte array s holds a NUL-terminated, non-empty string.
 * Returns 1 or 0.
 */
static int
field_ok(const char *s, size_t n)
{

	return s[0] != '\0' && memchr(s, '\0', n) != NULL;
}

/*
 * Build the payload text of claims c with issuer iss.  Returns API_OK
 * with *out to be freed with cJSON_free, API_ENOMEM or API_INTERNAL
 * (a time outside +-2^53, which a JSON number cannot carry exactly).
 */
static enum api_err
payload_text(const struct jwt_claims *c, const char *iss, char **out)
{
	cJSON		*o;
	enum api_err	 rc = API_ENOMEM;

	*out = NULL;
	if (c->iat < -JWT_NUM_MAX || c->iat > JWT_NUM_MAX ||
	    c->nbf < -JWT_NUM_MAX || c->nbf > JWT_NUM_MAX ||
	    c->exp < -JWT_NUM_MAX || c->exp > JWT_NUM_MAX) {
		log_warnx("jwt_sign: time claim out of range");
		return API_INTERNAL;
	}
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "iss", iss) == NULL ||
	    cJSON_AddStringToObject(o, "sub", c->sub) == NULL ||
	    cJSON_AddStringToObject(o, "role", c->role) == NULL ||
	    cJSON_AddStringToObject(o, "jti", c->jti) == NULL ||
	    cJSON_AddStringToObject(o, "typ", c->typ) == NULL ||
	    cJSON_AddNumberToObject(o, "iat", (double)c->iat) == NULL ||
	    cJSON_AddNumberToObject(o, "nbf", (double)c->nbf) == NULL ||
	    cJSON_AddNumberToObject(o, "exp", (double)c->exp) == NULL ||
	    (c->sid[0] != '\0' &&
	    cJSON_AddStringToObject(o, "sid", c->sid) == NULL)) {
		log_warnx("jwt_sign: out of memory");
		goto out;
	}
	if ((*out = json_emit(o)) == NULL)
		goto out;
	rc = API_OK;
out:
	cJSON_Delete(o);
	return rc;
}

/*
 * Sign claims c.  Returns API_OK with *out for the caller to free(3),
 * API_ENOMEM or API_INTERNAL (logged); *out is NULL on failure.
 */
enum api_err
jwt_sign(const struct jwt_claims *c, const char *iss,
    const unsigned char *key, size_t keylen, char **out)
{
	char		*json = NULL, *h64 = NULL, *p64 = NULL, *s64 = NULL;
	char		*tok = NULL;
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	size_t		 hlen, plen, slen;
	enum api_err	 rc;

	if (out == NULL)
		return API_INTERNAL;
	*out = NULL;
	if (c == NULL || iss == NULL || *iss == '\0' || key == NULL ||
	    keylen == 0 || !field_ok(c->sub, sizeof(c->sub)) ||
	    !field_ok(c->role, sizeof(c->role)) ||
	    !field_ok(c->jti, sizeof(c->jti)) ||
	    !field_ok(c->typ, sizeof(c->typ))) {
		log_warnx("jwt_sign: missing key, issuer or claim");
		return API_INTERNAL;
	}
	if ((rc = payload_text(c, iss, &json)) != API_OK)
		goto out;
	if ((rc = crypto_b64url_encode(jwt_header, sizeof(jwt_header) - 1,
	    &h64)) != API_OK ||
	    (rc = crypto_b64url_encode(json, strlen(json), &p64)) != API_OK)
		goto out;
	hlen = strlen(h64);
	plen = strlen(p64);
	/* header "." payload "." 43 signature characters NUL */
	if ((tok = malloc(hlen + plen + 2 + 43 + 1)) == NULL) {
		log_warnx("jwt_sign: out of memory");
		rc = API_ENOMEM;
		goto out;
	}
	memcpy(tok, h64, hlen);
	tok[hlen] = '.';
	memcpy(tok + hlen + 1, p64, plen);
	tok[hlen + 1 + plen] = '\0';
	if ((rc = crypto_hmac_sha256(key, keylen, tok, hlen + 1 + plen,
	    mac)) != API_OK ||
	    (rc = crypto_b64url_encode(mac, sizeof(mac), &s64)) != API_OK)
		goto out;
	slen = strlen(s64);
	tok[hlen + 1 + plen] = '.';
	memcpy(tok + hlen + plen + 2, s64, slen + 1);
	*out = tok;
	tok = NULL;
	rc = API_OK;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	cJSON_free(json);
	free(h64);
	free(p64);
	free(s64);
	free(tok);
	return rc;
}

/*
 * Whether no two members of object o share a name and o has at most
 * JWT_MAX_MEMBERS members.  Returns 1 or 0.
 */
static int
members_unique(const cJSON *o)
{
	const cJSON	*a, *b;
	size_t		 n = 0;

	for (a = o->child; a != NULL; a = a->next) {
		if (++n > JWT_MAX_MEMBERS || a->string == NULL)
			return 0;
		for (b = a->next; b != NULL; b = b->next)
			if (b->string == NULL ||
			    strcmp(a->string, b->string) == 0)
				return 0;
	}
	return 1;
}

enum api_err
jwt_segment_object(const char *seg, size_t len, cJSON **out)
{
	unsigned char	*buf = NULL;
	size_t		 blen;
	cJSON		*o = NULL;
	enum api_err	 er, rc = API_UNAUTHORIZED;

	*out = NULL;
	if ((er = crypto_b64url_decode(seg, len, &buf, &blen)) != API_OK) {
		if (er == API_ENOMEM)
			rc = API_ENOMEM;
		goto out;
	}
	if (json_parse((const char *)buf, blen, &o) != API_OK ||
	    !cJSON_IsObject(o) || !members_unique(o))
		goto out;
	*out = o;
	o = NULL;
	rc = API_OK;
out:
	cJSON_Delete(o);
	free(buf);
	return rc;
}

/*
 * Copy string member key of o into dst (size bytes) when it is a string
 * of 1 to size - 1 bytes, every one of them printable ASCII other than
 * space.  Returns 1, or 0 when absent, of another type or unfit.
 */
static int
get_printable(const cJSON *o, const char *key, char *dst, size_t size)
{
	const char	*s;

	if (!valid_visible(s = json_get_string(o, key), size - 1))
		return 0;
	memcpy(dst, s, strlen(s) + 1);
	return 1;
}

/*
 * Whether s is a positive decimal user id: 1 to 19 digits, no leading
 * zero, at most LLONG_MAX.  Returns 1 or 0.
 */
static int
user_id_ok(const char *s)
{
	size_t	 i, len;
	char	*end;

	len = strlen(s);
	if (len == 0 || len > 19 || s[0] == '0')
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	errno = 0;
	(void)strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/*
 * Check the claims of payload p and copy them into *c.  Returns 1 when
 * every check passes, else 0.
 */
static int
check_claims(const cJSON *p, const char *iss, const char *want_typ,
    long long now, struct jwt_claims *c)
{
	const cJSON	*it;
	const char	*s;

	if (!json_get_int(p, "exp", &c->exp) || now > c->exp + JWT_LEEWAY)
		return 0;
	if ((it = cJSON_GetObjectItemCaseSensitive(p, "nbf")) != NULL &&
	    (!json_int(it, &c->nbf) || now < c->nbf - JWT_LEEWAY))
		return 0;
	if ((it = cJSON_GetObjectItemCaseSensitive(p, "iat")) != NULL &&
	    (!json_int(it, &c->iat) || now < c->iat - JWT_LEEWAY))
		return 0;
	if ((s = json_get_string(p, "iss")) == NULL || strcmp(s, iss) != 0)
		return 0;
	if (!get_printable(p, "typ", c->typ, sizeof(c->typ)) ||
	    strcmp(c->typ, want_typ) != 0)
		return 0;
	if (!get_printable(p, "sub", c->sub, sizeof(c->sub)) ||
	    !user_id_ok(c->sub))
		return 0;
	if (!get_printable(p, "jti", c->jti, sizeof(c->jti)))
		return 0;
	if (!get_printable(p, "role", c->role, sizeof(c->role)))
		return 0;
	if (cJSON_GetObjectItemCaseSensitive(p, "sid") != NULL &&
	    !get_printable(p, "sid", c->sid, sizeof(c->sid)))
		return 0;
	return 1;
}

/*
 * Verify token and fill *out.  Returns API_OK, API_UNAUTHORIZED,
 * API_ENOMEM or API_INTERNAL; *out is zeroed on failure.
 */
enum api_err
jwt_verify(const char *token, const char *iss, const char *want_typ,
    const unsigned char *key, size_t keylen, long long now,
    struct jwt_claims *out)
{
	const char	*d1, *d2, *end;
	const cJSON	*alg;
	cJSON		*hdr = NULL, *pay = NULL;
	unsigned char	*sig = NULL;
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	size_t		 len, siglen;
	enum api_err	 er, rc = API_UNAUTHORIZED;

	if (out == NULL || iss == NULL || want_typ == NULL || key == NULL ||
	    keylen == 0) {
		log_warnx("jwt_verify: missing key, issuer, type or output");
		if (out != NULL)
			memset(out, 0, sizeof(*out));
		return API_INTERNAL;
	}
	memset(out, 0, sizeof(*out));
	memset(mac, 0, sizeof(mac));
	if (token == NULL)
		goto out;

	/* Size first: nothing longer is decoded at all. */
	if ((len = strnlen(token, JWT_MAX_LEN + 1)) > JWT_MAX_LEN)
		goto out;
	end = token + len;

	/* Exactly three non-empty segments. */
	if ((d1 = memchr(token, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1))) == NULL ||
	    memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) != NULL ||
	    d1 == token || d2 == d1 + 1 || d2 + 1 == end)
		goto out;

	/* The header: an object whose alg is exactly "HS256", no crit. */
	if ((rc = jwt_segment_object(token, (size_t)(d1 - token), &hdr)) !=
	    API_OK)
		goto out;
	rc = API_UNAUTHORIZED;
	alg = cJSON_GetObjectItemCaseSensitive(hdr, "alg");
	if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "HS256") != 0 ||
	    cJSON_GetObjectItemCaseSensitive(hdr, "crit") != NULL)
		goto out;

	/* The signature, before anything in the payload is read. */
	if ((er = crypto_b64url_decode(d2 + 1, (size_t)(end - d2 - 1), &sig,
	    &siglen)) != API_OK) {
		if (er == API_ENOMEM)
			rc = API_ENOMEM;
		goto out;
	}
	if (siglen != CRYPTO_SHA256_LEN)
		goto out;
	if ((er = crypto_hmac_sha256(key, keylen, token,
	    (size_t)(d2 - token), mac)) != API_OK) {
		rc = er;
		goto out;
	}
	if (CRYPTO_memcmp(mac, sig, CRYPTO_SHA256_LEN) != 0)
		goto out;

	/* The payload and its claims. */
	if ((rc = jwt_segment_object(d1 + 1, (size_t)(d2 - d1 - 1), &pay)) !=
	    API_OK)
		goto out;
	rc = API_UNAUTHORIZED;
	if (!check_claims(pay, iss, want_typ, now, out))
		goto out;
	rc = API_OK;
out:
	if (rc != API_OK)
		memset(out, 0, sizeof(*out));
	OPENSSL_cleanse(mac, sizeof(mac));
	cJSON_Delete(hdr);
	cJSON_Delete(pay);
	free(sig);
	return rc;
}

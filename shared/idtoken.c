/*
 * lectern — idtoken: RS256 ID tokens checked against a key set and a
 * provider's rules (see idtoken.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include <cjson/cJSON.h>

#include "crypto.h"
#include "idtoken.h"
#include "json.h"
#include "jwt.h"
#include "jwks.h"
#include "valid.h"


/*
 * A segment of the token as a JSON object with unique members
 * (jwt_segment_object), its defects answered as an invalid ID token.
 * Returns API_OK, API_INVALID_TOKEN or API_ENOMEM.
 */
static enum api_err
segment_object(const char *seg, size_t len, cJSON **out)
{
	enum api_err	 er;

	er = jwt_segment_object(seg, len, out);
	return er == API_UNAUTHORIZED ? API_INVALID_TOKEN : er;
}

/*
 * Split token into its three segments: the header ends at *d1, the
 * payload at *d2.  Returns API_OK or API_INVALID_TOKEN (*why set).
 */
static enum api_err
split(const char *token, const char **d1, const char **d2, const char **why)
{
	const char	*end;
	size_t		 len;

	if (token == NULL) {
		*why = "no token";
		return API_INVALID_TOKEN;
	}
	/* Size first: nothing longer is decoded at all. */
	if ((len = strnlen(token, IDTOKEN_MAX_LEN + 1)) > IDTOKEN_MAX_LEN) {
		*why = "the token is too long";
		return API_INVALID_TOKEN;
	}
	end = token + len;
	if ((*d1 = memchr(token, '.', len)) == NULL ||
	    (*d2 = memchr(*d1 + 1, '.', (size_t)(end - *d1 - 1))) == NULL ||
	    memchr(*d2 + 1, '.', (size_t)(end - *d2 - 1)) != NULL ||
	    *d1 == token || *d2 == *d1 + 1 || *d2 + 1 == end) {
		*why = "the token is not three segments";
		return API_INVALID_TOKEN;
	}
	return API_OK;
}

enum api_err
idtoken_kid(const char *token, char *kid, size_t size, const char **why)
{
	const char	*d1, *d2, *alg, *k;
	cJSON		*hdr = NULL;
	enum api_err	 er;

	*why = "the token is malformed";
	if (size > 0)
		kid[0] = '\0';
	if ((er = split(token, &d1, &d2, why)) != API_OK)
		return er;
	if ((er = segment_object(token, (size_t)(d1 - token), &hdr)) !=
	    API_OK)
		return er;
	er = API_INVALID_TOKEN;
	if ((alg = json_get_string(hdr, "alg")) == NULL ||
	    strcmp(alg, "RS256") != 0) {
		*why = "the token's algorithm is not RS256";
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(hdr, "crit") != NULL) {
		*why = "the token has critical header parameters";
		goto out;
	}
	k = json_get_string(hdr, "kid");
	if (!valid_visible(k, JWKS_KID_MAX) || strlen(k) >= size) {
		*why = "the token names no key";
		goto out;
	}
	memcpy(kid, k, strlen(k) + 1);
	er = API_OK;
out:
	cJSON_Delete(hdr);
	return er;
}

/*
 * Whether the signature segment (len characters at sig64) is pkey's
 * RS256 signature over the first signed_len bytes of token.  Returns
 * API_OK, API_INVALID_TOKEN or API_ENOMEM.
 */
static enum api_err
signature_ok(EVP_PKEY *pkey, const char *token, size_t signed_len,
    const char *sig64, size_t len)
{
	EVP_MD_CTX	*md = NULL;
	unsigned char	*sig = NULL;
	size_t		 siglen;
	enum api_err	 er;

	if ((er = crypto_b64url_decode(sig64, len, &sig, &siglen)) != API_OK)
		return er == API_ENOMEM ? er : API_INVALID_TOKEN;
	er = API_INVALID_TOKEN;
	if (EVP_PKEY_get_size(pkey) <= 0 ||
	    siglen != (size_t)EVP_PKEY_get_size(pkey))
		goto out;
	if ((md = EVP_MD_CTX_new()) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(md, NULL, "SHA256", NULL, NULL, pkey,
	    NULL) != 1)
		goto out;
	if (EVP_DigestVerify(md, sig, siglen, (const unsigned char *)token,
	    signed_len) == 1)
		er = API_OK;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(md);
	free(sig);
	return er;
}

/* Whether aud is one of the comma-separated list (spaces ignored). */
static int
audience_ok(const char *aud, const char *list)
{
	const char	*p, *a, *b;
	size_t		 len;

	if (aud == NULL || list == NULL || *aud == '\0')
		return 0;
	len = strlen(aud);
	for (p = list;; p = b + 1) {
		b = p + strcspn(p, ",");
		a = p + strspn(p, " \t");
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if ((size_t)(b - a) == len && memcmp(a, aud, len) == 0)
			return 1;
		b = p + strcspn(p, ",");
		if (*b == '\0')
			return 0;
	}
}

/*
 * Check the claims of t->claims against rules at now and fill t.
 * Returns API_OK or API_INVALID_TOKEN (*why set).
 */
static enum api_err
check_claims(struct idtoken *t, const struct idtoken_rules *rules,
    long long now, const char **why)
{
	const cJSON	*p = t->claims, *it;
	const char	*s;
	long long	 v;

	s = json_get_string(p, "iss");
	if (s == NULL || rules->iss[0] == NULL || (strcmp(s,
	    rules->iss[0]) != 0 && (rules->iss[1] == NULL ||
	    strcmp(s, rules->iss[1]) != 0))) {
		*why = "the token's issuer is wrong";
		return API_INVALID_TOKEN;
	}
	if (!audience_ok(json_get_string(p, "aud"), rules->aud)) {
		*why = "the token's audience is wrong";
		return API_INVALID_TOKEN;
	}
	if (!json_get_int(p, "exp", &t->exp) ||
	    now > t->exp + IDTOKEN_LEEWAY) {
		*why = "the token has expired";
		return API_INVALID_TOKEN;
	}
	if (!json_get_int(p, "iat", &t->iat) ||
	    t->iat > now + IDTOKEN_LEEWAY) {
		*why = "the token's issue time is wrong";
		return API_INVALID_TOKEN;
	}
	if ((it = cJSON_GetObjectItemCaseSensitive(p, "nbf")) != NULL &&
	    (!json_int(it, &v) || v > now + IDTOKEN_LEEWAY)) {
		*why = "the token is not valid yet";
		return API_INVALID_TOKEN;
	}
	s = json_get_string(p, "sub");
	if (!valid_visible(s, (rules->flags & IDT_SUB_128) ? 128 :
	    IDTOKEN_SUB_MAX)) {
		*why = "the token's subject is missing or malformed";
		return API_INVALID_TOKEN;
	}
	memcpy(t->sub, s, strlen(s) + 1);
	if ((rules->flags & IDT_AUTH_TIME) &&
	    (!json_get_int(p, "auth_time", &v) ||
	    v > now + IDTOKEN_LEEWAY)) {
		*why = "the token's auth_time is missing or in the future";
		return API_INVALID_TOKEN;
	}
	t->email = json_get_string(p, "email");
	t->email_verified = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p,
	    "email_verified"));
	if ((rules->flags & IDT_EMAIL_VERIFIED) &&
	    (t->email == NULL || !t->email_verified)) {
		*why = "the token's email is missing or not verified";
		return API_INVALID_TOKEN;
	}
	return API_OK;
}

enum api_err
idtoken_verify(const char *token, const struct jwks *set,
    const struct idtoken_rules *rules, long long now, struct idtoken *out,
    const char **why)
{
	const char	*d1, *d2;
	char		 kid[JWKS_KID_MAX + 1];
	EVP_PKEY	*pkey;
	enum api_err	 er;

	memset(out, 0, sizeof(*out));
	if (set == NULL || rules == NULL) {
		*why = "internal";
		return API_INTERNAL;
	}
	if ((er = idtoken_kid(token, kid, sizeof(kid), why)) != API_OK ||
	    (er = split(token, &d1, &d2, why)) != API_OK)
		return er;
	if ((pkey = jwks_find(set, kid)) == NULL) {
		*why = "the token's key is unknown";
		return API_NOT_FOUND;
	}
	/* The signature, before anything in the payload is read. */
	if ((er = signature_ok(pkey, token, (size_t)(d2 - token), d2 + 1,
	    strlen(d2 + 1))) != API_OK) {
		*why = "the token's signature does not verify";
		return er;
	}
	if ((er = segment_object(d1 + 1, (size_t)(d2 - d1 - 1),
	    &out->claims)) != API_OK) {
		*why = "the token's payload is malformed";
		return er;
	}
	return check_claims(out, rules, now, why);
}

void
idtoken_free(struct idtoken *t)
{

	if (t == NULL)
		return;
	cJSON_Delete(t->claims);
	memset(t, 0, sizeof(*t));
}

/*
 * lectern — sigv4: AWS Signature Version 4 presigned URLs.  The steps
 * are AWS's: a canonical request (method, URI-encoded path, sorted
 * query, the host header, UNSIGNED-PAYLOAD), the string to sign over
 * its SHA-256 with the credential scope, a signing key derived by four
 * HMACs from the secret, and the hex HMAC of the string to sign with
 * that key as X-Amz-Signature.  t/unit/040-sigv4 checks the result
 * against AWS's published example.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "sigv4.h"

/*
 * Append s to buf (size bytes, *len used so far), URI-encoded as AWS
 * wants: unreserved characters as they are, everything else %XX in
 * upper case; '/' kept when keep_slash.  Returns 0, or -1 when it does
 * not fit.
 */
static int
uri_encode(char *buf, size_t size, size_t *len, const char *s,
    int keep_slash)
{
	static const char	 hex[] = "0123456789ABCDEF";
	unsigned char		 ch;

	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if (*len + 4 > size)
			return -1;
		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~' || (keep_slash && ch == '/'))
			buf[(*len)++] = (char)ch;
		else {
			buf[(*len)++] = '%';
			buf[(*len)++] = hex[ch >> 4];
			buf[(*len)++] = hex[ch & 15];
		}
	}
	buf[*len] = '\0';
	return 0;
}

/* Append the NUL-terminated s to buf as uri_encode does, unencoded. */
static int
append(char *buf, size_t size, size_t *len, const char *s)
{
	size_t	 n = strlen(s);

	if (*len + n + 1 > size)
		return -1;
	memcpy(buf + *len, s, n + 1);
	*len += n;
	return 0;
}

/*
 * The host of base ("scheme://host[:port]"): a pointer into base, or
 * NULL when base has no scheme, a path, or nothing after it.
 */
static const char *
base_host(const char *base)
{
	const char	*h;

	if ((h = strstr(base, "://")) == NULL)
		return NULL;
	h += 3;
	if (*h == '\0' || strchr(h, '/') != NULL)
		return NULL;
	return h;
}

/*
 * HMAC-SHA256 of the NUL-terminated msg with key (klen bytes) into out.
 */
static enum api_err
hmac(const unsigned char *key, size_t klen, const char *msg,
    unsigned char out[CRYPTO_SHA256_LEN])
{

	return crypto_hmac_sha256(key, klen, msg, strlen(msg), out);
}

enum api_err
sigv4_presign(const struct sigv4_key *k, const char *method,
    const char *base, const char *path, time_t now, long expires,
    char *url, size_t size)
{
	char		 date[17], day[9], scope[256], query[1024];
	char		 creq[2048], sts[512], hash[CRYPTO_SHA256_HEX_SIZE];
	char		 sig[CRYPTO_SHA256_HEX_SIZE], secret[256], epath[1024];
	char		 credential[512], exp[24];
	unsigned char	 kd[CRYPTO_SHA256_LEN], mac[CRYPTO_SHA256_LEN];
	const char	*host;
	struct tm	 tm;
	size_t		 qlen = 0, plen = 0, clen = 0;
	enum api_err	 rc = API_INVALID;
	int		 n;

	url[0] = '\0';
	if ((host = base_host(base)) == NULL || path[0] != '/' ||
	    expires < 1 || expires > 604800 || gmtime_r(&now, &tm) == NULL)
		return API_INVALID;
	strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	n = snprintf(scope, sizeof(scope), "%s/%s/%s/aws4_request", day,
	    k->region, k->service);
	if (n < 0 || (size_t)n >= sizeof(scope))
		return API_INVALID;
	n = snprintf(credential, sizeof(credential), "%s/%s",
	    k->access_key_id, scope);
	if (n < 0 || (size_t)n >= sizeof(credential))
		return API_INVALID;
	snprintf(exp, sizeof(exp), "%ld", expires);
	/* The query, its names already in sorted order. */
	if (append(query, sizeof(query), &qlen,
	    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=") != 0 ||
	    uri_encode(query, sizeof(query), &qlen, credential, 0) != 0 ||
	    append(query, sizeof(query), &qlen, "&X-Amz-Date=") != 0 ||
	    append(query, sizeof(query), &qlen, date) != 0 ||
	    append(query, sizeof(query), &qlen, "&X-Amz-Expires=") != 0 ||
	    append(query, sizeof(query), &qlen, exp) != 0 ||
	    append(query, sizeof(query), &qlen,
	    "&X-Amz-SignedHeaders=host") != 0 ||
	    uri_encode(epath, sizeof(epath), &plen, path, 1) != 0)
		return API_INVALID;
	n = snprintf(creq, sizeof(creq), "%s\n%s\n%s\nhost:%s\n\nhost\n"
	    "UNSIGNED-PAYLOAD", method, epath, query, host);
	if (n < 0 || (size_t)n >= sizeof(creq))
		return API_INVALID;
	clen = (size_t)n;
	if ((rc = crypto_sha256_hex(creq, clen, hash)) != API_OK)
		return rc;
	n = snprintf(sts, sizeof(sts), "AWS4-HMAC-SHA256\n%s\n%s\n%s", date,
	    scope, hash);
	if (n < 0 || (size_t)n >= sizeof(sts))
		return API_INVALID;
	n = snprintf(secret, sizeof(secret), "AWS4%s", k->secret_access_key);
	if (n < 0 || (size_t)n >= sizeof(secret)) {
		rc = API_INVALID;
		goto out;
	}
	if ((rc = hmac((unsigned char *)secret, (size_t)n, day, kd)) !=
	    API_OK ||
	    (rc = hmac(kd, sizeof(kd), k->region, kd)) != API_OK ||
	    (rc = hmac(kd, sizeof(kd), k->service, kd)) != API_OK ||
	    (rc = hmac(kd, sizeof(kd), "aws4_request", kd)) != API_OK ||
	    (rc = hmac(kd, sizeof(kd), sts, mac)) != API_OK)
		goto out;
	crypto_hex(mac, sizeof(mac), sig);
	n = snprintf(url, size, "%s%s?%s&X-Amz-Signature=%s", base, epath,
	    query, sig);
	if (n < 0 || (size_t)n >= size) {
		url[0] = '\0';
		rc = API_INVALID;
		goto out;
	}
	rc = API_OK;
out:
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(kd, sizeof(kd));
	return rc;
}

/*
 * lectern — jwks: a provider's key set, parsed, fetched and cached on
 * disk (see jwks.h).
 *
 * The cache file <dir>/<name>.jwks is one header line
 * "lectern-jwks 1 <max-age> <url>" and then the key set as the provider
 * sent it; its modification time is when it was fetched.  A refetch for
 * an unknown kid also touches <dir>/<name>.attempt, so a provider that
 * is down or keeps lacking the kid is asked at most once a minute.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "crypto.h"
#include "httpc.h"
#include "json.h"
#include "jwks.h"
#include "log.h"
#include "valid.h"

#define CACHE_MAGIC	"lectern-jwks 1 "
#define CACHE_HDR_MAX	2048	/* the header line, URL included */

/*
 * Decode base64url s into a new BIGNUM in *out.  Returns API_OK,
 * API_INVALID or API_ENOMEM.
 */
static enum api_err
b64_bn(const char *s, BIGNUM **out)
{
	unsigned char	*buf = NULL;
	size_t		 len;
	enum api_err	 er;

	*out = NULL;
	if ((er = crypto_b64url_decode(s, strlen(s), &buf, &len)) != API_OK)
		return er;
	if (len == 0 || len > JWKS_RSA_BITS_MAX / 8 + 1 || len > INT_MAX)
		er = API_INVALID;
	else if ((*out = BN_bin2bn(buf, (int)len, NULL)) == NULL)
		er = API_ENOMEM;
	free(buf);
	return er;
}

enum api_err
jwks_rsa_key(const char *n64, const char *e64, EVP_PKEY **out)
{
	BIGNUM		*n = NULL, *e = NULL;
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*ctx = NULL;
	enum api_err	 er;

	*out = NULL;
	if (n64 == NULL || e64 == NULL)
		return API_INVALID;
	if ((er = b64_bn(n64, &n)) != API_OK || (er = b64_bn(e64, &e)) !=
	    API_OK)
		goto out;
	er = API_INVALID;
	if (BN_num_bits(n) < JWKS_RSA_BITS_MIN ||
	    BN_num_bits(n) > JWKS_RSA_BITS_MAX || BN_num_bits(e) > 64 ||
	    !BN_is_odd(e) || BN_is_one(e) || !BN_is_odd(n))
		goto out;
	er = API_ENOMEM;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL)
		goto out;
	er = API_INVALID;
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		*out = NULL;
		goto out;
	}
	er = API_OK;
out:
	if (er != API_OK)
		ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return er;
}

/*
 * Add the JWK k to set when it is an RSA signing key for RS256.
 * Returns API_OK (added or skipped), API_INVALID (a kid seen before)
 * or API_ENOMEM.
 */
static enum api_err
add_key(struct jwks *set, const cJSON *k)
{
	const char	*kty, *use, *alg, *kid;
	EVP_PKEY	*pkey;
	enum api_err	 er;

	if (!cJSON_IsObject(k) || (kty = json_get_string(k, "kty")) ==
	    NULL || strcmp(kty, "RSA") != 0)
		return API_OK;
	if (cJSON_GetObjectItemCaseSensitive(k, "use") != NULL &&
	    ((use = json_get_string(k, "use")) == NULL ||
	    strcmp(use, "sig") != 0))
		return API_OK;
	if (cJSON_GetObjectItemCaseSensitive(k, "alg") != NULL &&
	    ((alg = json_get_string(k, "alg")) == NULL ||
	    strcmp(alg, "RS256") != 0))
		return API_OK;
	if (!valid_visible(kid = json_get_string(k, "kid"), JWKS_KID_MAX))
		return API_OK;
	if (jwks_find(set, kid) != NULL)
		return API_INVALID;
	if (set->nkeys == JWKS_MAX_KEYS)
		return API_OK;
	er = jwks_rsa_key(json_get_string(k, "n"), json_get_string(k, "e"),
	    &pkey);
	if (er == API_INVALID)
		return API_OK;
	if (er != API_OK)
		return er;
	memcpy(set->keys[set->nkeys].kid, kid, strlen(kid) + 1);
	set->keys[set->nkeys++].pkey = pkey;
	return API_OK;
}

enum api_err
jwks_parse(const char *text, size_t len, struct jwks **out)
{
	struct jwks	*set = NULL;
	cJSON		*doc = NULL;
	const cJSON	*keys, *k;
	int		 n;
	enum api_err	 er;

	*out = NULL;
	if (text == NULL || len == 0 || len > JWKS_MAX_LEN)
		return API_INVALID;
	if ((er = json_parse(text, len, &doc)) != API_OK) {
		if (er != API_ENOMEM)
			er = API_INVALID;
		goto out;
	}
	er = API_INVALID;
	if (!cJSON_IsObject(doc) ||
	    !cJSON_IsArray(keys = cJSON_GetObjectItemCaseSensitive(doc,
	    "keys")) || (n = cJSON_GetArraySize(keys)) < 1 ||
	    n > JWKS_MAX_ENTRIES)
		goto out;
	if ((set = calloc(1, sizeof(*set))) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	cJSON_ArrayForEach(k, keys)
		if ((er = add_key(set, k)) != API_OK)
			goto out;
	er = set->nkeys > 0 ? API_OK : API_INVALID;
out:
	cJSON_Delete(doc);
	if (er == API_OK)
		*out = set;
	else
		jwks_free(set);
	return er;
}

EVP_PKEY *
jwks_find(const struct jwks *set, const char *kid)
{
	size_t	 i;

	if (set == NULL || kid == NULL)
		return NULL;
	for (i = 0; i < set->nkeys; i++)
		if (strcmp(set->keys[i].kid, kid) == 0)
			return set->keys[i].pkey;
	return NULL;
}

void
jwks_free(struct jwks *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->nkeys; i++)
		EVP_PKEY_free(set->keys[i].pkey);
	free(set);
}

/*
 * The path of name's file with suffix in the cache directory into buf.
 * Returns 1, or 0 when it does not fit.
 */
static int
cache_path(char *buf, size_t size, const char *name, const char *suffix)
{
	int	 n;

	n = snprintf(buf, size, "%s/%s%s", config_get()->jwks_cache_dir,
	    name, suffix);
	return n > 0 && (size_t)n < size;
}

/*
 * Read name's cached copy for url into *set, with the time it was
 * fetched and its max-age.  Returns 1, or 0 when there is no usable
 * copy (none, unreadable, another URL's, malformed).
 */
static int
cache_load(const char *name, const char *url, struct jwks **set,
    long long *fetched, long long *max_age)
{
	char		 path[PATH_MAX], *buf = NULL, *nl, *end;
	struct stat	 st;
	size_t		 len = 0, ulen;
	ssize_t		 n;
	long long	 age;
	int		 fd, ok = 0;

	*set = NULL;
	if (!cache_path(path, sizeof(path), name, ".jwks") ||
	    (fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    st.st_size > JWKS_MAX_LEN + CACHE_HDR_MAX ||
	    (buf = malloc((size_t)st.st_size + 1)) == NULL)
		goto out;
	while (len < (size_t)st.st_size) {
		n = read(fd, buf + len, (size_t)st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			goto out;
		len += (size_t)n;
	}
	buf[len] = '\0';
	/* "lectern-jwks 1 <max-age> <url>\n<key set>" */
	if (strncmp(buf, CACHE_MAGIC, sizeof(CACHE_MAGIC) - 1) != 0 ||
	    (nl = memchr(buf, '\n', len)) == NULL)
		goto out;
	errno = 0;
	age = strtoll(buf + sizeof(CACHE_MAGIC) - 1, &end, 10);
	ulen = strlen(url);
	if (errno != 0 || end == buf + sizeof(CACHE_MAGIC) - 1 || *end != ' ' ||
	    age < 0 || age > JWKS_MAX_AGE_MAX ||
	    (size_t)(nl - end - 1) != ulen || memcmp(end + 1, url, ulen) != 0)
		goto out;
	if (jwks_parse(nl + 1, len - (size_t)(nl + 1 - buf), set) != API_OK)
		goto out;
	*fetched = (long long)st.st_mtime;
	*max_age = age;
	ok = 1;
out:
	free(buf);
	close(fd);
	return ok;
}

/* Make the cache directory and its missing parents, owner-only. */
static void
cache_mkdir(const char *dir)
{
	char	 path[PATH_MAX], *p;

	if (strlen(dir) >= sizeof(path))
		return;
	memcpy(path, dir, strlen(dir) + 1);
	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(path, 0700);
		*p = '/';
	}
	(void)mkdir(path, 0700);
}

/* Write all len bytes of buf to fd.  Returns 1 or 0. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		buf += n;
		len -= (size_t)n;
	}
	return 1;
}

/*
 * Store body (len bytes, as fetched from url with max_age) as name's
 * cached copy: written to a temporary file, owner-only, then renamed
 * over the old one, so a reader sees the old copy or the new one whole.
 * A failure is logged and otherwise ignored: the set is still used.
 */
static void
cache_store(const char *name, const char *url, long long max_age,
    const char *body, size_t len, const char *rid)
{
	const char	*dir = config_get()->jwks_cache_dir;
	char		 path[PATH_MAX], tmp[PATH_MAX], hdr[CACHE_HDR_MAX];
	int		 fd, n, ok;

	n = snprintf(hdr, sizeof(hdr), CACHE_MAGIC "%lld %s\n", max_age, url);
	if (n <= 0 || (size_t)n >= sizeof(hdr) ||
	    strchr(url, '\n') != NULL ||
	    !cache_path(path, sizeof(path), name, ".jwks") ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >=
	    (int)sizeof(tmp))
		return;
	if ((fd = mkstemp(tmp)) == -1 && errno == ENOENT) {
		cache_mkdir(dir);
		fd = mkstemp(tmp);
	}
	if (fd == -1) {
		log_event(LOG_LVL_WARN, rid, "jwks_cache_failed", "provider",
		    name, "error", strerror(errno), NULL);
		return;
	}
	ok = fchmod(fd, 0600) == 0 && write_all(fd, hdr, (size_t)n) &&
	    write_all(fd, body, len);
	if (close(fd) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		log_event(LOG_LVL_WARN, rid, "jwks_cache_failed", "provider",
		    name, "error", strerror(errno), NULL);
		(void)unlink(tmp);
	}
}

/*
 * When name's key set was last fetched or asked for, from the attempt
 * marker; 0 when never.
 */
static long long
last_attempt(const char *name)
{
	char		 path[PATH_MAX];
	struct stat	 st;

	if (!cache_path(path, sizeof(path), name, ".attempt") ||
	    stat(path, &st) == -1)
		return 0;
	return (long long)st.st_mtime;
}

/* Mark now as name's latest refetch for an unknown kid. */
static void
mark_attempt(const char *name)
{
	char	 path[PATH_MAX];
	int	 fd;

	if (!cache_path(path, sizeof(path), name, ".attempt"))
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1 && errno == ENOENT) {
		cache_mkdir(config_get()->jwks_cache_dir);
		fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0600);
	}
	if (fd == -1)
		return;
	(void)futimens(fd, NULL);
	close(fd);
}

/*
 * Fetch name's key set from url, parse it into *set and cache it.
 * Returns API_OK, API_UNAVAILABLE (logged) or API_ENOMEM.
 */
static enum api_err
fetch(const char *name, const char *url, const char *rid, struct jwks **set)
{
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	long long		 max_age;
	char			 st[16];
	enum api_err		 er;

	*set = NULL;
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.url = url;
	q.connect_timeout = 3;
	q.timeout = 5;
	q.max_len = JWKS_MAX_LEN;
	er = httpc_request(&q, &resp, rid);
	if (er == API_ENOMEM)
		goto out;
	if (er != API_OK || resp.status != 200) {
		snprintf(st, sizeof(st), "%ld", resp.status);
		log_event(LOG_LVL_ERROR, rid, "jwks_unavailable", "provider",
		    name, "status", st, "error", er != API_OK ? resp.error :
		    "unexpected status", NULL);
		er = API_UNAVAILABLE;
		goto out;
	}
	if ((er = jwks_parse(resp.body, resp.len, set)) != API_OK) {
		if (er != API_ENOMEM) {
			log_event(LOG_LVL_ERROR, rid, "jwks_unavailable",
			    "provider", name, "error", "malformed key set",
			    NULL);
			er = API_UNAVAILABLE;
		}
		goto out;
	}
	max_age = resp.max_age < 0 ? JWKS_MAX_AGE_DEFAULT : resp.max_age;
	if (max_age > JWKS_MAX_AGE_MAX)
		max_age = JWKS_MAX_AGE_MAX;
	snprintf(st, sizeof(st), "%lld", max_age);
	log_event(LOG_LVL_INFO, rid, "jwks_fetched", "provider", name,
	    "max_age", st, NULL);
	if (max_age > 0)
		cache_store(name, url, max_age, resp.body, resp.len, rid);
out:
	httpc_resp_free(&resp);
	return er;
}

enum api_err
jwks_get(const char *name, const char *url, const char *kid,
    const char *rid, long long now, struct jwks **out)
{
	struct jwks	*set = NULL, *fresh_set = NULL;
	long long	 fetched = 0, max_age = 0, last;
	int		 fresh;
	enum api_err	 er;

	*out = NULL;
	fresh = cache_load(name, url, &set, &fetched, &max_age) &&
	    now < fetched + max_age;
	if (fresh && (kid == NULL || jwks_find(set, kid) != NULL)) {
		*out = set;
		return API_OK;
	}
	if (fresh) {
		/* A kid the fresh copy lacks: ask again, once a minute. */
		last = last_attempt(name);
		if (last < fetched)
			last = fetched;
		if (now - last < JWKS_REFETCH_MIN) {
			*out = set;
			return API_OK;
		}
		mark_attempt(name);
	}
	jwks_free(set);
	if ((er = fetch(name, url, rid, &fresh_set)) != API_OK)
		return er;
	*out = fresh_set;
	return API_OK;
}

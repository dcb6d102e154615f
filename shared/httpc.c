/*
 * lectern — httpc: outbound HTTP calls through libcurl.
 *
 * One easy handle per call: the executables that call out make one or
 * two calls per request, and a fresh handle keeps nothing of one call in
 * the next.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "httpc.h"
#include "log.h"

struct sink {
	struct httpc_resp	*resp;
	size_t			 cap;
	size_t			 max;
	int			 overflow;
};

int
httpc_url_allowed(const char *url)
{
	const char	*host;
	size_t		 len;

	if (url == NULL)
		return 0;
	if (strncasecmp(url, "https://", 8) == 0)
		return url[8] != '\0' && url[8] != '/';
	if (strncasecmp(url, "http://", 7) != 0)
		return 0;
	host = url + 7;
	len = strcspn(host, ":/?#");
	if (host[0] == '[')
		return strncmp(host, "[::1]", 5) == 0 &&
		    (host[5] == '\0' || strchr(":/?#", host[5]) != NULL);
	if (len == 9 && strncasecmp(host, "localhost", 9) == 0)
		return 1;
	/* 127.0.0.0/8, written as a dotted quad. */
	if (len >= 7 && len <= 15 && strncmp(host, "127.", 4) == 0 &&
	    strspn(host, "0123456789.") >= len)
		return 1;
	return 0;
}

/*
 * Read the max-age (or no-cache, no-store) of one Cache-Control header
 * line of len bytes into *max_age.  Other headers are ignored.
 */
static void
cache_control(const char *line, size_t len, long *max_age)
{
	static const char	 name[] = "cache-control:";
	char			 buf[512], *p, *tok, *end;
	long			 v;

	if (len < sizeof(name) - 1 || len >= sizeof(buf) ||
	    strncasecmp(line, name, sizeof(name) - 1) != 0)
		return;
	memcpy(buf, line + sizeof(name) - 1, len - (sizeof(name) - 1));
	buf[len - (sizeof(name) - 1)] = '\0';
	for (p = buf; (tok = strsep(&p, ",")) != NULL; ) {
		tok += strspn(tok, " \t");
		tok[strcspn(tok, " \t\r\n")] = '\0';
		if (strcasecmp(tok, "no-cache") == 0 ||
		    strcasecmp(tok, "no-store") == 0) {
			*max_age = 0;
			return;
		}
		if (strncasecmp(tok, "max-age=", 8) != 0 || tok[8] < '0' ||
		    tok[8] > '9')
			continue;
		errno = 0;
		v = strtol(tok + 8, &end, 10);
		if (errno == 0 && *end == '\0' && v >= 0 && *max_age != 0)
			*max_age = v;
	}
}

/* libcurl's header callback: one header line at a time. */
static size_t
on_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct sink	*s = arg;
	size_t		 n = size * nmemb;

	/* A new status line (after a 100 Continue) starts afresh. */
	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0)
		s->resp->max_age = -1;
	else
		cache_control(ptr, n, &s->resp->max_age);
	return n;
}

static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct sink	*s = arg;
	size_t		 n = size * nmemb, cap;
	char		*nb;

	if (s->resp->len + n > s->max) {
		s->overflow = 1;
		return 0;
	}
	if (s->resp->len + n + 1 > s->cap) {
		cap = s->cap ? s->cap : 4096;
		while (cap < s->resp->len + n + 1)
			cap *= 2;
		if ((nb = realloc(s->resp->body, cap)) == NULL)
			return 0;
		s->resp->body = nb;
		s->cap = cap;
	}
	memcpy(s->resp->body + s->resp->len, ptr, n);
	s->resp->len += n;
	s->resp->body[s->resp->len] = '\0';
	return n;
}

enum api_err
httpc_request(const struct httpc_req *q, struct httpc_resp *resp,
    const char *rid)
{
	CURL			*c = NULL;
	struct curl_slist	*hdrs = NULL;
	struct sink		 sink;
	char			 ct[128];
	curl_off_t		 cl = -1;
	CURLcode		 cc;
	enum api_err		 er = API_UPSTREAM;

	memset(resp, 0, sizeof(*resp));
	memset(&sink, 0, sizeof(sink));
	resp->max_age = -1;
	resp->content_length = -1;
	sink.resp = resp;
	sink.max = q->max_len > 0 && q->max_len < HTTPC_RESPONSE_MAX ?
	    q->max_len : HTTPC_RESPONSE_MAX;
	if (!httpc_url_allowed(q->url)) {
		snprintf(resp->error, sizeof(resp->error),
		    "URL not allowed (https, or http to loopback only)");
		log_event(LOG_LVL_ERROR, rid, "upstream_url_refused", NULL);
		return API_UPSTREAM;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (c = curl_easy_init()) == NULL) {
		snprintf(resp->error, sizeof(resp->error), "libcurl setup");
		return API_ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, q->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    q->connect_timeout > 0 ? q->connect_timeout : 5L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, q->timeout > 0 ? q->timeout : 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &sink);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)sink.max);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "lectern/" PACKAGE_VERSION);
	if (q->user != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, q->user);
		curl_easy_setopt(c, CURLOPT_PASSWORD,
		    q->password != NULL ? q->password : "");
	}
	if (strcmp(q->method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(q->method, "GET") != 0)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
	if (q->body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(q->body));
		snprintf(ct, sizeof(ct), "Content-Type: %s",
		    q->content_type != NULL ? q->content_type :
		    "application/json");
		if ((hdrs = curl_slist_append(hdrs, ct)) == NULL) {
			er = API_ENOMEM;
			goto out;
		}
	}
	if ((hdrs = curl_slist_append(hdrs, "Accept: application/json")) ==
	    NULL || (hdrs = curl_slist_append(hdrs, "Expect:")) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		snprintf(resp->error, sizeof(resp->error), "%s",
		    sink.overflow || cc == CURLE_FILESIZE_EXCEEDED ?
		    "response too large" :
		    curl_easy_strerror(cc));
		log_event(LOG_LVL_ERROR, rid, "upstream_failed",
		    "error", resp->error, NULL);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
	    &cl) == CURLE_OK && cl >= 0)
		resp->content_length = (long long)cl;
	if (resp->body == NULL && (resp->body = strdup("")) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = API_OK;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return er;
}

void
httpc_resp_free(struct httpc_resp *resp)
{

	if (resp == NULL)
		return;
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}

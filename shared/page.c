/*
 * lectern — http: paged lists.  The page and per_page parameters, and
 * the list envelope with its Link header for the next and previous
 * pages.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "json.h"
#include "valid.h"

enum api_err
http_paging(struct req *r, long long *page, long long *per_page)
{
	const char	*p, *pp;
	cJSON		*errs;
	enum api_err	 er;

	if ((er = http_param(r, "page", &p)) != API_OK ||
	    (er = http_param(r, "per_page", &pp)) != API_OK)
		return er;
	er = valid_paging(p, pp, page, per_page, &errs);
	return er == API_INVALID ? http_invalid(r, errs) : er;
}

/*
 * Append to buf a percent-encoded copy of s (RFC 3986 unreserved
 * characters kept).
 */
static void
pct_append(char *buf, size_t size, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 len = strlen(buf);
	unsigned char		 c;

	for (; *s != '\0' && len + 4 < size; s++) {
		c = (unsigned char)*s;
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			buf[len++] = (char)c;
		else {
			buf[len++] = '%';
			buf[len++] = hex[c >> 4];
			buf[len++] = hex[c & 15];
		}
	}
	buf[len] = '\0';
}

/* The URL of page p of this list: path, other parameters, page, per_page. */

static void
page_url(struct req *r, char *buf, size_t size, long long p, long long pp)
{
	const char	*uri = http_getenv(r, "REQUEST_URI"), *q;
	size_t		 i, len;

	if (uri == NULL)
		uri = "";
	q = strchr(uri, '?');
	len = q != NULL ? (size_t)(q - uri) : strlen(uri);
	if (len >= size / 2)
		len = size / 2;
	memcpy(buf, uri, len);
	buf[len] = '\0';
	strncat(buf, "?", size - strlen(buf) - 1);
	for (i = 0; i < r->nparams; i++) {
		if (strcmp(r->params[i].name, "page") == 0 ||
		    strcmp(r->params[i].name, "per_page") == 0)
			continue;
		pct_append(buf, size, r->params[i].name);
		strncat(buf, "=", size - strlen(buf) - 1);
		pct_append(buf, size, r->params[i].value);
		strncat(buf, "&", size - strlen(buf) - 1);
	}
	len = strlen(buf);
	snprintf(buf + len, size - len, "page=%lld&per_page=%lld", p, pp);
}

/*
 * The list envelope {items, page, per_page, total, total_pages,
 * has_next, has_prev} into *out (it takes items, even on failure; the
 * caller frees *out), and the Link header for next and prev into link
 * ("" when there is neither).  Returns API_OK or API_ENOMEM.
 */
static enum api_err
page_body(struct req *r, cJSON *items, long long page, long long per_page,
    long long total, cJSON **out, char *link, size_t linksize)
{
	cJSON		*o;
	char		 url[1000];
	long long	 pages;

	*out = NULL;
	link[0] = '\0';
	pages = total > 0 ? (total + per_page - 1) / per_page : 0;
	if ((o = cJSON_CreateObject()) == NULL) {
		cJSON_Delete(items);
		return API_ENOMEM;
	}
	cJSON_AddItemToObject(o, "items", items);
	if (cJSON_AddNumberToObject(o, "page", (double)page) == NULL ||
	    cJSON_AddNumberToObject(o, "per_page", (double)per_page) == NULL ||
	    cJSON_AddNumberToObject(o, "total", (double)total) == NULL ||
	    cJSON_AddNumberToObject(o, "total_pages", (double)pages) == NULL ||
	    cJSON_AddBoolToObject(o, "has_next", page < pages) == NULL ||
	    cJSON_AddBoolToObject(o, "has_prev", page > 1) == NULL) {
		cJSON_Delete(o);
		return API_ENOMEM;
	}
	if (page < pages) {
		page_url(r, url, sizeof(url), page + 1, per_page);
		snprintf(link, linksize, "<%s>; rel=\"next\"", url);
	}
	if (page > 1) {
		page_url(r, url, sizeof(url), page - 1 < pages ? page - 1 :
		    (pages > 0 ? pages : 1), per_page);
		snprintf(link + strlen(link), linksize - strlen(link),
		    "%s<%s>; rel=\"prev\"", link[0] ? ", " : "", url);
	}
	*out = o;
	return API_OK;
}

enum api_err
http_page_text(struct req *r, cJSON *items, long long page,
    long long per_page, long long total, char **text, char *link,
    size_t linksize)
{
	cJSON		*o;
	enum api_err	 er;

	*text = NULL;
	if ((er = page_body(r, items, page, per_page, total, &o, link,
	    linksize)) != API_OK)
		return er;
	*text = json_emit(o);
	cJSON_Delete(o);
	return *text != NULL ? API_OK : API_ENOMEM;
}

enum api_err
http_send_page_text(struct req *r, const char *text, const char *link,
    int etag)
{

	if (link != NULL && link[0] != '\0')
		(void)http_header(r, "Link", link);
	return etag ? http_send_etag_text(r, text) : http_send_raw(r, 200, text);
}

/*
 * lectern — list: running a paged list query and sending its envelope,
 * and keeping the pages of a versioned public list (struct list_page's
 * version) in a process that serves many requests.  The filters of a
 * list are read in listfilter.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "http.h"
#include "list.h"
#include "row.h"

/*
 * The rows of res as a JSON array into *items (the caller frees it, also
 * on failure), each made by q->row or from q->cols, and the total
 * (column q->total_col of the first row) into *total.  Rows whose column
 * q->id_col is NULL are skipped.  Returns API_OK, API_ENOMEM (also when
 * a row makes no item) or API_INTERNAL (no total).
 */
static enum api_err
list_items(const struct db_res *res, const struct list_page *q,
    cJSON **items, long long *total)
{
	cJSON		*o;
	const char	*t;
	int		 i;

	*total = 0;
	if ((*items = cJSON_CreateArray()) == NULL)
		return API_ENOMEM;
	if ((t = db_get(res, 0, q->total_col)) == NULL)
		return API_INTERNAL;
	*total = strtoll(t, NULL, 10);
	for (i = 0; i < db_nrows(res); i++) {
		if (db_get(res, i, q->id_col) == NULL)
			continue;	/* a page past the end */
		if ((o = q->row != NULL ? q->row(res, i, 0) :
		    row_json(res, i, 0, q->cols, q->ncols)) == NULL)
			return API_ENOMEM;
		cJSON_AddItemToArray(*items, o);
	}
	return API_OK;
}

/*
 * The pages kept: each under the list, the request's URI and the
 * query's parameters (what the page and its Link header are made from),
 * with the list's version when it was read.  A few entries, replaced in
 * turn; a page over CACHE_BODY_MAX is not kept.
 */
#define CACHE_ENTRIES	8
#define CACHE_BODY_MAX	(256 * 1024)

struct cached {
	const struct list_page	*q;
	char			*key;
	size_t			 keylen;
	char			*version;
	char			*body;
	char			*link;
};

static struct cached	 cache[CACHE_ENTRIES];
static size_t		 cache_next;

/*
 * The key of r's page of q with parameters p[n] (LIMIT and OFFSET
 * included) into a new buffer *key of *len bytes: each part ended by
 * '\0', a NULL parameter as "\1".  Returns 0, or -1 when out of memory.
 */
static int
cache_key(struct req *r, const char *const *p, int n, char **key,
    size_t *len)
{
	const char	*part, *uri = http_getenv(r, "REQUEST_URI");
	size_t		 size, o, plen;
	int		 i;

	size = strlen(uri != NULL ? uri : "") + 1;
	for (i = 0; i < n; i++)
		size += strlen(p[i] != NULL ? p[i] : "\1") + 1;
	if ((*key = malloc(size)) == NULL)
		return -1;
	for (o = 0, i = -1; i < n; i++) {
		if (i == -1)
			part = uri != NULL ? uri : "";
		else
			part = p[i] != NULL ? p[i] : "\1";
		plen = strlen(part) + 1;
		memcpy(*key + o, part, plen);
		o += plen;
	}
	*len = o;
	return 0;
}

static struct cached *
cache_find(const struct list_page *q, const char *key, size_t len)
{
	size_t	 i;

	for (i = 0; i < CACHE_ENTRIES; i++)
		if (cache[i].q == q && cache[i].keylen == len &&
		    memcmp(cache[i].key, key, len) == 0)
			return &cache[i];
	return NULL;
}

static void
cache_clear(struct cached *c)
{

	free(c->key);
	free(c->version);
	free(c->body);
	free(c->link);
	memset(c, 0, sizeof(*c));
}

/*
 * Keep body and link as the page of q under key (taken: freed here when
 * not kept) at version.  Out of memory, the page is simply not kept.
 */
static void
cache_put(struct cached *c, const struct list_page *q, char *key,
    size_t len, const char *version, const char *body, const char *link)
{

	if (c == NULL) {
		c = &cache[cache_next];
		cache_next = (cache_next + 1) % CACHE_ENTRIES;
	}
	cache_clear(c);
	if (strlen(body) > CACHE_BODY_MAX) {
		free(key);
		return;
	}
	c->key = key;
	c->keylen = len;
	if ((c->version = strdup(version)) == NULL ||
	    (c->body = strdup(body)) == NULL ||
	    (link[0] != '\0' && (c->link = strdup(link)) == NULL)) {
		cache_clear(c);
		return;
	}
	c->q = q;
}

/*
 * q's version into buf: 0, or -1 when it cannot be read (db_exec logged
 * why; a server whose schema predates the version row, say, while an
 * update is half done), and the page is then read as if never kept.
 */
static int
read_version(struct db *db, const struct list_page *q, char *buf,
    size_t size)
{
	struct db_res	*res = NULL;
	const char	*v;
	int		 ok;

	ok = db_exec(db, q->version, 0, NULL, &res) == API_OK &&
	    db_nrows(res) == 1 && (v = db_get(res, 0, 0)) != NULL &&
	    strlen(v) < size;
	if (ok)
		memcpy(buf, v, strlen(v) + 1);
	db_res_free(res);
	return ok ? 0 : -1;
}

enum api_err
list_send(struct req *r, struct db *db, const struct list_page *q,
    const char *const *params, long long page, long long per_page)
{
	struct db_res	*res = NULL;
	struct cached	*c = NULL;
	cJSON		*items = NULL;
	const char	*p[LIST_PARAMS_MAX + 2];
	char		 lim[LIST_NUM_SIZE], off[LIST_NUM_SIZE];
	char		 version[LIST_NUM_SIZE], link[HTTP_LINK_SIZE];
	char		*key = NULL, *body = NULL;
	size_t		 len = 0;
	long long	 total;
	int		 i, n, keep;
	enum api_err	 er;

	if (q->nparams < 0 || q->nparams > LIST_PARAMS_MAX)
		return API_INTERNAL;
	for (i = 0; i < q->nparams; i++)
		p[i] = params[i];
	snprintf(lim, sizeof(lim), "%lld", per_page);
	snprintf(off, sizeof(off), "%lld", (page - 1) * per_page);
	p[q->nparams] = lim;
	p[q->nparams + 1] = off;
	n = q->nparams + 2;
	/*
	 * A versioned public list in a process that serves many requests:
	 * the page kept under this version, if any.  The version is read
	 * first, so a page kept is never older than the version it is kept
	 * under.
	 */
	keep = q->version != NULL && q->etag && db_prepares(db) &&
	    !db_in_tx(db) && read_version(db, q, version, sizeof(version)) == 0;
	if (keep) {
		if (cache_key(r, p, n, &key, &len) == -1)
			return API_ENOMEM;
		c = cache_find(q, key, len);
		if (c != NULL && strcmp(c->version, version) == 0) {
			er = http_send_page_text(r, c->body, c->link, 1);
			goto out;
		}
	}
	if ((er = db_exec(db, q->sql, n, p, &res)) != API_OK ||
	    (er = list_items(res, q, &items, &total)) != API_OK)
		goto out;
	er = http_page_text(r, items, page, per_page, total, &body, link,
	    sizeof(link));
	items = NULL;
	if (er != API_OK)
		goto out;
	if (keep) {
		cache_put(c, q, key, len, version, body, link);
		key = NULL;
	}
	er = http_send_page_text(r, body, link, q->etag);
out:
	cJSON_free(body);
	cJSON_Delete(items);
	free(key);
	db_res_free(res);
	return er;
}

/*
 * lectern — list: running a paged list query and sending its envelope,
 * and the optional filters of a list, read from the query string and
 * checked by a table.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "http.h"
#include "list.h"
#include "valid.h"

#define TEXT_MAX	64	/* characters of a LIST_TEXT filter */

/*
 * The rows of res as a JSON array into *items (the caller frees it, also
 * on failure), each made by row, and the total (column total_col of the
 * first row) into *total.  Rows whose column id_col is NULL are skipped.
 * Returns API_OK, API_ENOMEM (also when row returns NULL) or
 * API_INTERNAL (no total).
 */
static enum api_err
list_items(const struct db_res *res, int id_col, int total_col,
    list_row_fn row, cJSON **items, long long *total)
{
	cJSON		*o;
	const char	*t;
	int		 i;

	*total = 0;
	if ((*items = cJSON_CreateArray()) == NULL)
		return API_ENOMEM;
	if ((t = db_get(res, 0, total_col)) == NULL)
		return API_INTERNAL;
	*total = strtoll(t, NULL, 10);
	for (i = 0; i < db_nrows(res); i++) {
		if (db_get(res, i, id_col) == NULL)
			continue;	/* a page past the end */
		if ((o = row(res, i)) == NULL)
			return API_ENOMEM;
		cJSON_AddItemToArray(*items, o);
	}
	return API_OK;
}

enum api_err
list_send(struct req *r, struct db *db, const struct list_page *q,
    const char **params, long long page, long long per_page)
{
	struct db_res	*res = NULL;
	cJSON		*items = NULL;
	char		 lim[LIST_NUM_SIZE], off[LIST_NUM_SIZE];
	long long	 total;
	enum api_err	 er;

	snprintf(lim, sizeof(lim), "%lld", per_page);
	snprintf(off, sizeof(off), "%lld", (page - 1) * per_page);
	params[q->nparams] = lim;
	params[q->nparams + 1] = off;
	if ((er = db_exec(db, q->sql, q->nparams + 2, params, &res)) != API_OK ||
	    (er = list_items(res, q->id_col, q->total_col, q->row, &items,
	    &total)) != API_OK)
		goto out;
	er = q->etag ? http_send_page_etag(r, items, page, per_page, total) :
	    http_send_page(r, items, page, per_page, total);
	items = NULL;
out:
	cJSON_Delete(items);
	db_res_free(res);
	return er;
}

/* Whether s is one of the NULL-terminated list. */
static int
one_of(const char *s, const char *const *list)
{

	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

/* Whether s is three digits that make a number from 400 to 599. */
static int
error_status(const char *s)
{

	return strlen(s) == 3 && strspn(s, "0123456789") == 3 &&
	    atoi(s) >= 400 && atoi(s) <= 599;
}

/*
 * Check the value v of filter f.  Returns NULL when it is good, else
 * why it is not (a fixed message).
 */
static const char *
check(const struct list_filter *f, const char *v)
{
	long long	 id;

	switch (f->kind) {
	case LIST_TEXT:
		if (!valid_text(v, 0) || valid_utf8_len(v) > TEXT_MAX)
			return "must be at most 64 characters of text";
		break;
	case LIST_ID:
		if (!valid_id_str(v, &id))
			return "must be a positive integer id";
		break;
	case LIST_TIME:
		if (!valid_rfc3339(v, NULL, 0))
			return "must be an RFC 3339 timestamp";
		break;
	case LIST_STATUS:
		if (!error_status(v))
			return "must be an HTTP status from 400 to 599";
		break;
	case LIST_ONE_OF:
		if (!one_of(v, f->allowed))
			return f->why;
		break;
	}
	return NULL;
}

enum api_err
list_filters(struct req *r, const struct list_filter *f, size_t n,
    const char **v)
{
	const char	*why;
	size_t		 i;
	enum api_err	 er;

	for (i = 0; i < n; i++) {
		if ((er = http_param(r, f[i].name, &v[i])) != API_OK)
			return er;
		if (v[i] != NULL && *v[i] == '\0')
			v[i] = NULL;
		if (v[i] != NULL && (why = check(&f[i], v[i])) != NULL)
			return http_invalid_field(r, f[i].name, why);
	}
	return API_OK;
}

/*
 * lectern — list: running a paged list query and sending its envelope.
 * The filters of a list are read in listfilter.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "http.h"
#include "list.h"

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
    const char *const *params, long long page, long long per_page)
{
	struct db_res	*res = NULL;
	cJSON		*items = NULL;
	const char	*p[LIST_PARAMS_MAX + 2];
	char		 lim[LIST_NUM_SIZE], off[LIST_NUM_SIZE];
	long long	 total;
	int		 i;
	enum api_err	 er;

	if (q->nparams < 0 || q->nparams > LIST_PARAMS_MAX)
		return API_INTERNAL;
	for (i = 0; i < q->nparams; i++)
		p[i] = params[i];
	snprintf(lim, sizeof(lim), "%lld", per_page);
	snprintf(off, sizeof(off), "%lld", (page - 1) * per_page);
	p[q->nparams] = lim;
	p[q->nparams + 1] = off;
	if ((er = db_exec(db, q->sql, q->nparams + 2, p, &res)) != API_OK ||
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

/*
 * lectern — row: a database row as JSON, read by a column table.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "http.h"
#include "log.h"
#include "row.h"

/*
 * The object a member named name goes into: obj itself, or for "a.b"
 * the object a of obj (made when missing); *leaf is the member's own
 * name.  NULL when out of memory or the name is too long.
 */
static cJSON *
parent(cJSON *obj, const char *name, const char **leaf)
{
	const char	*dot;
	char		 key[64];
	cJSON		*sub;
	size_t		 len;

	if ((dot = strchr(name, '.')) == NULL) {
		*leaf = name;
		return obj;
	}
	*leaf = dot + 1;
	if ((len = (size_t)(dot - name)) >= sizeof(key))
		return NULL;
	memcpy(key, name, len);
	key[len] = '\0';
	if ((sub = cJSON_GetObjectItemCaseSensitive(obj, key)) != NULL)
		return sub;
	return cJSON_AddObjectToObject(obj, key);
}

int
row_add(cJSON *obj, const struct db_res *res, int row, int col,
    const struct row_col *cols, int n)
{
	const struct row_col	*c;
	const char		*v, *leaf;
	cJSON			*to, *item;
	int			 i;

	for (i = 0; i < n; i++) {
		c = &cols[i];
		if (c->kind == ROW_SKIP)
			continue;
		v = db_get(res, row, col + i);
		if (v == NULL && (c->flags & ROW_OMIT_NULL))
			continue;
		if ((to = parent(obj, c->name, &leaf)) == NULL)
			return -1;
		if (v == NULL && c->kind == ROW_TEXT &&
		    (c->flags & ROW_EMPTY))
			item = cJSON_CreateString("");
		else if (v == NULL)
			item = cJSON_CreateNull();
		else if (c->kind == ROW_NUM)
			item = cJSON_CreateNumber((double)strtoll(v, NULL, 10));
		else if (c->kind == ROW_BOOL)
			item = cJSON_CreateBool(v[0] == 't');
		else if (c->kind == ROW_JSON)
			item = cJSON_Parse(v);
		else
			item = cJSON_CreateString(v);
		if (item == NULL)
			return -1;
		cJSON_AddItemToObject(to, leaf, item);
	}
	return 0;
}

cJSON *
row_json(const struct db_res *res, int row, int col,
    const struct row_col *cols, int n)
{
	cJSON	*o;

	if (row < 0 || row >= db_nrows(res))
		return NULL;
	if ((o = cJSON_CreateObject()) == NULL ||
	    row_add(o, res, row, col, cols, n) == -1) {
		log_warnx("row_json: out of memory");
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

int
row_add_one(cJSON *obj, const char *name, const struct db_res *res,
    row_json_fn fn)
{
	cJSON	*o;

	if (db_nrows(res) < 1 || (o = fn(res, 0, 0)) == NULL)
		return -1;
	if (!cJSON_AddItemToObject(obj, name, o)) {
		cJSON_Delete(o);
		return -1;
	}
	return 0;
}

int
row_add_array(cJSON *obj, const char *name, const struct db_res *res,
    row_json_fn fn)
{
	cJSON	*arr, *o;
	int	 i;

	if ((arr = cJSON_AddArrayToObject(obj, name)) == NULL)
		return -1;
	for (i = 0; i < db_nrows(res); i++) {
		if ((o = fn(res, i, 0)) == NULL)
			return -1;
		cJSON_AddItemToArray(arr, o);
	}
	return 0;
}

enum api_err
row_send(struct req *r, int status, const struct db_res *res,
    row_json_fn fn)
{
	cJSON		*o;
	enum api_err	 er;

	if (db_nrows(res) < 1)
		return API_NOT_FOUND;
	if ((o = fn(res, 0, 0)) == NULL)
		return API_ENOMEM;
	er = http_send(r, status, o);
	cJSON_Delete(o);
	return er;
}

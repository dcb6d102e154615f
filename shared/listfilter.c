/*
 * lectern — list filters: the optional query filters of a list, read
 * from the query string and checked by a table.  Apart from list.c so
 * that the endpoint runner's first stage links no database code.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "list.h"
#include "valid.h"

#define TEXT_MAX	64	/* characters of a LIST_TEXT filter */

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
		if (!valid_one_of(v, f->allowed))
			return f->why;
		break;
	case LIST_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return "must be true or false";
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
		if (v[i] == NULL && f[i].required)
			return http_invalid_field(r, f[i].name, "is required");
		if (v[i] != NULL && (why = check(&f[i], v[i])) != NULL)
			return http_invalid_field(r, f[i].name, why);
	}
	return API_OK;
}

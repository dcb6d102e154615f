/*
 * lectern — endpoint: the runner's first stage, which needs no database:
 * the path id, the query's filters and paging, and the body read and
 * checked against the declaration.  endpoint_main_nodb serves endpoints
 * that stop there (GET /live); shared/endpoint_db.c adds the rest.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "log.h"
#include "valid.h"

/* What the route's path placeholder is, if it has one. */
enum path_kind { PATH_NONE, PATH_ID, PATH_KEY };

/*
 * The kind of placeholder in route: "{id}" and "{..._id}" are numeric
 * ids, any other "{name}" one path segment.
 */
static enum path_kind
path_kind(const char *route)
{
	const char	*open, *close;

	if (route == NULL || (open = strchr(route, '{')) == NULL ||
	    (close = strchr(open, '}')) == NULL)
		return PATH_NONE;
	if ((close - open == 3 && strncmp(open, "{id}", 4) == 0) ||
	    (close - open >= 4 && strncmp(close - 3, "_id}", 4) == 0))
		return PATH_ID;
	return PATH_KEY;
}

/*
 * The path segment of c's request into c: PATH_INFO is "/<value>".
 * Returns API_OK, or API_NOT_FOUND for an id that is not one (an id
 * nobody could have is a missing thing, whatever its digits).
 */
static enum api_err
read_path(struct call *c)
{
	const char	*v;

	switch (path_kind(c->ep->route)) {
	case PATH_NONE:
		return API_OK;
	case PATH_ID:
		v = c->r->path_info[0] == '/' ? c->r->path_info + 1 : "";
		if (!valid_id_str(v, &c->id))
			return API_NOT_FOUND;
		snprintf(c->id_str, sizeof(c->id_str), "%lld", c->id);
		return API_OK;
	case PATH_KEY:
		v = c->r->path_info[0] == '/' ? c->r->path_info + 1 : "";
		if (*v == '\0' || strchr(v, '/') != NULL)
			return API_NOT_FOUND;
		c->key = v;
		return API_OK;
	}
	return API_INTERNAL;
}

/*
 * The "must set at least one of a, b, c" check of an EP_ONE_OF body.
 * Returns API_OK or API_INVALID with the detail set.
 */
static enum api_err
one_of(struct call *c)
{
	char	 why[512];
	size_t	 i, len;

	for (i = 0; i < c->ep->nfields; i++)
		if (CALL_GIVEN(c, i))
			return API_OK;
	len = (size_t)snprintf(why, sizeof(why), "must set at least one of ");
	for (i = 0; i < c->ep->nfields && len < sizeof(why); i++)
		len += (size_t)snprintf(why + len, sizeof(why) - len, "%s%s",
		    i == 0 ? "" : i + 1 == c->ep->nfields ? " or " : ", ",
		    c->ep->fields[i].name);
	return http_invalid_field(c->r, "body", why);
}

/*
 * Read the body of an endpoint that takes none: an empty one is fine,
 * anything else is 415 (not JSON) or 400 (JSON nobody asked for).
 */
static enum api_err
no_body(struct call *c)
{
	const char	*buf;
	size_t		 len;
	enum api_err	 er;

	if (c->r->content_length == 0 ||
	    (c->r->content_length < 0 && c->r->content_type == NULL))
		return API_OK;
	if ((er = http_body_raw(c->r, &buf, &len)) != API_OK)
		return er;
	if (len == 0)
		return API_OK;
	return http_fail(c->r, API_INVALID, "this endpoint takes no body");
}

/* Read and check the JSON body of c against its fields. */
static enum api_err
json_body(struct call *c)
{
	const struct endpoint	*ep = c->ep;
	cJSON			*body, *errs = NULL, *empty;
	enum api_err		 er;

	if ((ep->flags & EP_BODY_OPTIONAL) && (c->r->content_length == 0 ||
	    (c->r->content_length < 0 && c->r->content_type == NULL))) {
		if ((empty = cJSON_CreateObject()) == NULL)
			return API_ENOMEM;
		/* r owns the parsed body; an absent one reads as {}. */
		c->r->json = empty;
		body = empty;
	} else if ((er = http_body_json(c->r, &body)) != API_OK)
		return er;
	c->body = body;
	if ((er = valid_object(body, ep->fields, ep->nfields, c->in,
	    &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(c->r, errs) : er;
	c->have_in = 1;
	if ((ep->flags & EP_ONE_OF) && (er = one_of(c)) != API_OK)
		return er;
	return API_OK;
}

enum api_err
endpoint_input(struct call *c)
{
	const struct endpoint	*ep = c->ep;
	enum api_err		 er;

	if (ep->nfields > EP_FIELDS_MAX || ep->nquery > EP_QUERY_MAX ||
	    (ep->run == NULL && (ep->list == NULL ||
	    (ep->flags & (EP_PAGED | EP_NO_DB)) != EP_PAGED))) {
		log_warnx("endpoint %s %s: declaration not served", ep->method,
		    ep->route);
		return API_INTERNAL;
	}
	if ((er = read_path(c)) != API_OK)
		return er;
	if (ep->nquery > 0 &&
	    (er = list_filters(c->r, ep->query, ep->nquery, c->q)) != API_OK)
		return er;
	if ((ep->flags & EP_PAGED) &&
	    (er = http_paging(c->r, &c->page, &c->per_page)) != API_OK)
		return er;
	switch (ep->body == BODY_NONE && ep->fields != NULL ? BODY_JSON :
	    ep->body) {
	case BODY_NONE:
		return no_body(c);
	case BODY_JSON:
		return json_body(c);
	case BODY_RAW:
		return http_body_raw(c->r, &c->raw, &c->raw_len);
	case BODY_STREAM:
		if (c->r->content_length < 0)
			return http_fail(c->r, API_INVALID,
			    "Content-Length is required");
		if (c->r->content_length > config_get()->upload_max)
			return API_TOO_LARGE;
		return API_OK;
	}
	return API_INTERNAL;
}

void
endpoint_call_free(struct call *c)
{

	if (c->have_in)
		valid_out_free(c->in, c->ep->fields, c->ep->nfields);
	c->have_in = 0;
}

/* One request of an EP_NO_DB endpoint (http_run_fn). */
enum api_err
endpoint_run_nodb(struct req *r, const void *arg)
{
	struct call	 c;
	enum api_err	 er;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.ep = arg;
	if ((er = endpoint_input(&c)) == API_OK)
		er = c.ep->run(&c);
	endpoint_call_free(&c);
	return er;
}

int
endpoint_main_nodb(const struct endpoint *ep)
{

	const struct http_route	 rt = ENDPOINT_ROUTE(ep, endpoint_run_nodb);

	return http_serve(&rt);
}

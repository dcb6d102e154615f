/*
 * lectern — t/unit/030-endpoint: the runner's input stage, without a
 * server or a database.
 *
 * A fake request (t/unit/fakereq.h) supplies the CGI variables and
 * the body; endpoint_input then reads them against a declaration made
 * here: the path id (a 5,000-digit one is a missing thing, not an
 * error), a path key, the query's filters (list_filters) and paging, a
 * bodyless endpoint's body (415 for text, 400 for JSON), a JSON body
 * against its fields, EP_BODY_OPTIONAL and EP_ONE_OF.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "endpoint.h"
#include "err.h"
#include "http.h"
#include "list.h"
#include "valid.h"

#include "../tap.h"
#include "fakereq.h"

#define NENV	16

/* The handler the declarations name; endpoint_input never calls it. */
static enum api_err
never(struct call *c)
{

	(void)c;
	return API_INTERNAL;
}

/*
 * One request for ep: method, body (NULL: none) and then name/value
 * pairs of CGI variables, closed by NULL.  CONTENT_LENGTH is set from
 * the body.  Returns what endpoint_input returned; *c and *r hold the
 * rest until done() frees them.
 */
static struct fakereq	 fk;
static const char	*fkenv[NENV * 2 + 1];
static char		 clen[24];

static enum api_err __attribute__((sentinel))
input(struct call *c, struct req *r, const struct endpoint *ep,
    const char *body, ...)
{
	va_list		 ap;
	const char	*name;
	size_t		 n = 0;

	memset(&fk, 0, sizeof(fk));
	fk.env = fkenv;
	fk.body = body != NULL ? body : "";
	fk.len = strlen(fk.body);
	fk.chunk = 5;
	fkenv[n++] = "UNIQUE_ID";
	fkenv[n++] = "req-030";
	fkenv[n++] = "REQUEST_METHOD";
	fkenv[n++] = ep->method;
	fkenv[n++] = "REMOTE_ADDR";
	fkenv[n++] = "127.0.0.9";
	if (body != NULL) {
		snprintf(clen, sizeof(clen), "%zu", fk.len);
		fkenv[n++] = "CONTENT_LENGTH";
		fkenv[n++] = clen;
	}
	va_start(ap, body);
	while ((name = va_arg(ap, const char *)) != NULL) {
		if (n + 2 >= NENV * 2)
			bail("input: too many variables");
		fkenv[n++] = name;
		fkenv[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	fkenv[n] = NULL;
	fakereq_start(r, &fk);
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->ep = ep;
	return endpoint_input(c);
}

static void
done(struct call *c, struct req *r)
{

	endpoint_call_free(c);
	http_req_free(r);
}

static const struct endpoint ep_id = {
	.method = "GET",
	.route = "/api/courses/{id}",
	.who = WHO_ANYONE,
	.body = BODY_NONE,
	.run = never,
};

static const struct endpoint ep_key = {
	.method = "GET",
	.route = "/api/things/{slug}",
	.who = WHO_ANYONE,
	.body = BODY_NONE,
	.run = never,
};

static const struct endpoint ep_sub_id = {
	.method = "DELETE",
	.route = "/api/courses/{course_id}/x",
	.who = WHO_ANYONE,
	.body = BODY_NONE,
	.run = never,
};

/* The path id and the path key. */
static void
test_path(void)
{
	struct call	 c;
	struct req	 r;
	char		*big;

	is_int(API_OK, input(&c, &r, &ep_id, NULL, "PATH_INFO", "/42", NULL),
	    "a numeric path id is read");
	is_int(42, c.id, "...into c->id");
	is_string("42", c.id_str, "...and c->id_str");
	ok(c.key == NULL, "...and no key");
	done(&c, &r);

	is_int(API_OK, input(&c, &r, &ep_sub_id, NULL, "PATH_INFO", "/7",
	    NULL), "a {course_id} placeholder is an id too");
	is_int(7, c.id, "...read into c->id");
	done(&c, &r);

	is_int(API_NOT_FOUND, input(&c, &r, &ep_id, NULL, "PATH_INFO", "/abc",
	    NULL), "a path id of letters is not found");
	done(&c, &r);
	is_int(API_NOT_FOUND, input(&c, &r, &ep_id, NULL, "PATH_INFO", "/0",
	    NULL), "...and so is 0");
	done(&c, &r);
	is_int(API_NOT_FOUND, input(&c, &r, &ep_id, NULL, "PATH_INFO", "/-3",
	    NULL), "...and a negative id");
	done(&c, &r);
	is_int(API_NOT_FOUND, input(&c, &r, &ep_id, NULL, "PATH_INFO", "",
	    NULL), "...and an empty one");
	done(&c, &r);
	is_int(API_NOT_FOUND, input(&c, &r, &ep_id, NULL, "PATH_INFO",
	    "/9223372036854775808", NULL),
	    "...and one past the largest bigint");
	done(&c, &r);

	if ((big = malloc(5002)) == NULL)
		bail("out of memory");
	big[0] = '/';
	memset(big + 1, '9', 5000);
	big[5001] = '\0';
	is_int(API_NOT_FOUND, input(&c, &r, &ep_id, NULL, "PATH_INFO", big,
	    NULL), "a 5,000-digit path id is not found");
	is_string("", c.id_str, "...and leaves c->id_str empty");
	done(&c, &r);
	big[1] = '0';
	is_int(API_NOT_FOUND, input(&c, &r, &ep_id, NULL, "PATH_INFO", big,
	    NULL), "...and so is one of 5,000 digits with a leading zero");
	done(&c, &r);
	free(big);

	is_int(API_OK, input(&c, &r, &ep_key, NULL, "PATH_INFO", "/intro-1",
	    NULL), "a {slug} placeholder is read as a key");
	is_string("intro-1", c.key, "...into c->key");
	done(&c, &r);
	is_int(API_NOT_FOUND, input(&c, &r, &ep_key, NULL, "PATH_INFO", "/a/b",
	    NULL), "...and a key with a slash is not found");
	done(&c, &r);
	is_int(API_NOT_FOUND, input(&c, &r, &ep_key, NULL, "PATH_INFO", "/",
	    NULL), "...nor an empty key");
	done(&c, &r);
}

/* Bodies sent to an endpoint that takes none. */
static void
test_no_body(void)
{
	struct call	 c;
	struct req	 r;

	is_int(API_OK, input(&c, &r, &ep_id, NULL, "PATH_INFO", "/1", NULL),
	    "a bodyless endpoint takes a request without a body");
	done(&c, &r);
	is_int(API_OK, input(&c, &r, &ep_id, "", "PATH_INFO", "/1",
	    "CONTENT_TYPE", "application/json", NULL),
	    "...and an empty JSON body");
	done(&c, &r);
	is_int(API_MEDIA_TYPE, input(&c, &r, &ep_id, "hello", "PATH_INFO",
	    "/1", "CONTENT_TYPE", "text/plain", NULL),
	    "a text/plain body to a bodyless endpoint is 415");
	done(&c, &r);
	is_int(API_MEDIA_TYPE, input(&c, &r, &ep_id, "hello", "PATH_INFO",
	    "/1", NULL), "...and so is a body without a Content-Type");
	done(&c, &r);
	is_int(API_INVALID, input(&c, &r, &ep_id, "{}", "PATH_INFO", "/1",
	    "CONTENT_TYPE", "application/json", NULL),
	    "a JSON body {} to a bodyless endpoint is 400");
	done(&c, &r);
	is_int(API_INVALID, input(&c, &r, &ep_id, "{\"a\":1}", "PATH_INFO",
	    "/1", "CONTENT_TYPE", "application/json; charset=utf-8", NULL),
	    "...and so is any JSON object");
	done(&c, &r);
	is_int(API_INVALID, input(&c, &r, &ep_id, "not json", "PATH_INFO",
	    "/1", "CONTENT_TYPE", "application/json", NULL),
	    "...and a body that only claims to be JSON");
	done(&c, &r);
	is_int(API_NOT_FOUND, input(&c, &r, &ep_id, "{}", "PATH_INFO", "/x",
	    "CONTENT_TYPE", "application/json", NULL),
	    "a bad path id is reported before the body");
	done(&c, &r);
}

enum { F_TITLE, F_NOTE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string, .min = 1,
	    .max = 20 },
	[F_NOTE] = { .name = "note", .fn = valid_string, .flags = VF_NULLABLE,
	    .max = 20 },
};

static const struct vfield req_fields[1] = {
	{ .name = "title", .fn = valid_string, .flags = VF_REQUIRED,
	    .min = 1, .max = 20 },
};

static const struct endpoint ep_json = {
	.method = "POST",
	.route = "/api/things",
	.who = WHO_ANYONE,
	.body = BODY_JSON,
	.fields = req_fields,
	.nfields = 1,
	.run = never,
};

static const struct endpoint ep_one_of = {
	.method = "PATCH",
	.route = "/api/things/{id}",
	.who = WHO_ANYONE,
	.fields = fields,		/* BODY_JSON by its fields */
	.nfields = F__MAX,
	.flags = EP_ONE_OF,
	.run = never,
};

static const struct endpoint ep_optional = {
	.method = "POST",
	.route = "/api/things/{id}/go",
	.who = WHO_ANYONE,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_BODY_OPTIONAL,
	.run = never,
};

/* JSON bodies, EP_ONE_OF and EP_BODY_OPTIONAL. */
static void
test_json(void)
{
	struct call	 c;
	struct req	 r;

	is_int(API_OK, input(&c, &r, &ep_json, "{\"title\":\" Hi \"}",
	    "CONTENT_TYPE", "application/json", NULL),
	    "a JSON body is checked against the fields");
	ok(c.have_in && c.in[0].present, "...into c->in");
	is_string("Hi", c.in[0].present ? c.in[0].v.s : NULL,
	    "...trimmed");
	ok(c.body != NULL && cJSON_IsObject(c.body), "...with c->body set");
	done(&c, &r);
	is_int(API_INVALID, input(&c, &r, &ep_json, "{}", "CONTENT_TYPE",
	    "application/json", NULL), "a missing required field is 400");
	done(&c, &r);
	is_int(API_INVALID_JSON, input(&c, &r, &ep_json, "{\"title\":",
	    "CONTENT_TYPE", "application/json", NULL),
	    "broken JSON is invalid_json");
	done(&c, &r);
	is_int(API_INVALID_JSON, input(&c, &r, &ep_json, NULL,
	    "CONTENT_TYPE", "application/json", NULL),
	    "no body where one is required is invalid_json");
	done(&c, &r);
	is_int(API_MEDIA_TYPE, input(&c, &r, &ep_json, "title=x",
	    "CONTENT_TYPE", "application/x-www-form-urlencoded", NULL),
	    "a form body is 415");
	done(&c, &r);

	is_int(API_INVALID, input(&c, &r, &ep_one_of, "{}", "PATH_INFO", "/3",
	    "CONTENT_TYPE", "application/json", NULL),
	    "EP_ONE_OF: an empty object is 400");
	done(&c, &r);
	is_int(API_OK, input(&c, &r, &ep_one_of, "{\"note\":null}",
	    "PATH_INFO", "/3", "CONTENT_TYPE", "application/json", NULL),
	    "...and a field given as null counts as given");
	ok(CALL_GIVEN(&c, F_NOTE) && !CALL_GIVEN(&c, F_TITLE),
	    "...which CALL_GIVEN says");
	done(&c, &r);
	is_int(API_OK, input(&c, &r, &ep_one_of, "{\"title\":\"a\"}",
	    "PATH_INFO", "/3", "CONTENT_TYPE", "application/json", NULL),
	    "...and so does one with a value");
	is_int(3, c.id, "...with the path id read too");
	done(&c, &r);

	is_int(API_OK, input(&c, &r, &ep_optional, NULL, "PATH_INFO", "/4",
	    NULL), "EP_BODY_OPTIONAL: no body reads as {}");
	ok(c.body != NULL && cJSON_GetArraySize(c.body) == 0,
	    "...an empty object in c->body");
	ok(!CALL_GIVEN(&c, F_TITLE) && !CALL_GIVEN(&c, F_NOTE),
	    "...with no field given");
	done(&c, &r);
	is_int(API_OK, input(&c, &r, &ep_optional, "{\"title\":\"b\"}",
	    "PATH_INFO", "/4", "CONTENT_TYPE", "application/json", NULL),
	    "...and a body given is still read");
	ok(CALL_GIVEN(&c, F_TITLE), "...with its field");
	done(&c, &r);
	is_int(API_INVALID, input(&c, &r, &ep_optional,
	    "{\"title\":\"a title much too long for this\"}",
	    "PATH_INFO", "/4", "CONTENT_TYPE", "application/json", NULL),
	    "...and checked");
	done(&c, &r);
	is_int(API_MEDIA_TYPE, input(&c, &r, &ep_optional, "x", "PATH_INFO",
	    "/4", "CONTENT_TYPE", "text/plain", NULL),
	    "...and a text body is still 415");
	done(&c, &r);
}

static const char *const states[] = { "open", "closed", NULL };

static const struct list_filter filters[] = {
	{ .name = "q", .kind = LIST_TEXT },
	{ .name = "user_id", .kind = LIST_ID },
	{ .name = "since", .kind = LIST_TIME },
	{ .name = "status", .kind = LIST_STATUS },
	{ .name = "state", .kind = LIST_ONE_OF, .allowed = states,
	    .why = "must be open or closed" },
	{ .name = "paid", .kind = LIST_BOOL },
};

static const struct endpoint ep_list = {
	.method = "GET",
	.route = "/api/things",
	.who = WHO_ANYONE,
	.body = BODY_NONE,
	.query = filters,
	.nquery = sizeof(filters) / sizeof(filters[0]),
	.flags = EP_PAGED,
	.run = never,
};

/* One bad filter value: 400. */
static void
bad_filter(const char *query, const char *what)
{
	struct call	 c;
	struct req	 r;

	is_int(API_INVALID, input(&c, &r, &ep_list, NULL, "QUERY_STRING",
	    query, NULL), "%s is 400", what);
	done(&c, &r);
}

/* The query's filters and paging. */
static void
test_query(void)
{
	struct call	 c;
	struct req	 r;
	char		 longq[100];

	is_int(API_OK, input(&c, &r, &ep_list, NULL, NULL),
	    "a list without a query string is read");
	ok(c.q[0] == NULL && c.q[1] == NULL && c.q[2] == NULL &&
	    c.q[3] == NULL && c.q[4] == NULL && c.q[5] == NULL,
	    "...with every filter absent");
	ok(c.page == 1 && c.per_page > 0, "...on page 1 (per_page %lld)",
	    c.per_page);
	done(&c, &r);

	is_int(API_OK, input(&c, &r, &ep_list, NULL, "QUERY_STRING",
	    "q=caf%C3%A9&user_id=12&since=2026-01-02T03:04:05Z&status=404"
	    "&state=closed&paid=false&page=3&per_page=5", NULL),
	    "every kind of filter is read");
	is_string("café", c.q[0], "...the text, decoded");
	is_string("12", c.q[1], "...the id");
	is_string("2026-01-02T03:04:05Z", c.q[2], "...the time");
	is_string("404", c.q[3], "...the status");
	is_string("closed", c.q[4], "...the one-of");
	is_string("false", c.q[5], "...the boolean");
	is_int(3, c.page, "...page");
	is_int(5, c.per_page, "...and per_page");
	done(&c, &r);

	is_int(API_OK, input(&c, &r, &ep_list, NULL, "QUERY_STRING",
	    "q=&state=", NULL), "empty filters are read");
	ok(c.q[0] == NULL && c.q[4] == NULL, "...as absent");
	done(&c, &r);

	memset(longq, 'a', sizeof(longq));
	memcpy(longq, "q=", 2);
	longq[sizeof(longq) - 1] = '\0';
	bad_filter(longq, "a text filter of 97 characters");
	bad_filter("user_id=abc", "an id filter of letters");
	bad_filter("user_id=0", "an id filter of 0");
	bad_filter("since=yesterday", "a time filter that is not RFC 3339");
	bad_filter("status=200", "a status filter below 400");
	bad_filter("status=600", "a status filter above 599");
	bad_filter("state=ajar", "a one-of filter with another value");
	bad_filter("paid=yes", "a boolean filter that is not true or false");
	bad_filter("paid=TRUE", "a boolean filter in capitals");
	bad_filter("page=0", "page=0");
	bad_filter("per_page=100000", "a huge per_page");
	bad_filter("q=%ZZ", "a broken percent escape");
}

static const struct list_page no_page = {
	.sql = "SELECT 1",
};

static const struct endpoint ep_nothing = {
	.method = "GET",
	.route = "/api/things",
	.who = WHO_ANYONE,
};

static const struct endpoint ep_unpaged = {
	.method = "GET",
	.route = "/api/things",
	.who = WHO_ANYONE,
	.list = &no_page,
};

static const struct endpoint ep_nodb_list = {
	.method = "GET",
	.route = "/api/things",
	.who = WHO_ANYONE,
	.flags = EP_PAGED | EP_NO_DB,
	.list = &no_page,
};

static const struct endpoint ep_list_only = {
	.method = "GET",
	.route = "/api/things",
	.who = WHO_ANYONE,
	.flags = EP_PAGED,
	.list = &no_page,
};

/* A declaration the runner cannot serve is refused before any work. */
static void
test_declaration(void)
{
	struct call	 c;
	struct req	 r;

	is_int(API_INTERNAL, input(&c, &r, &ep_nothing, NULL, NULL),
	    "a declaration with neither handler nor list is refused");
	done(&c, &r);
	is_int(API_INTERNAL, input(&c, &r, &ep_unpaged, NULL, NULL),
	    "...as is a list not declared EP_PAGED");
	done(&c, &r);
	is_int(API_INTERNAL, input(&c, &r, &ep_nodb_list, NULL, NULL),
	    "...and a list declared EP_NO_DB");
	done(&c, &r);
	is_int(API_OK, input(&c, &r, &ep_list_only, NULL, NULL),
	    "a paged list without a handler is read");
	done(&c, &r);
	is_int(API_MEDIA_TYPE, input(&c, &r, &ep_list_only, "{}",
	    "CONTENT_TYPE", "text/plain", NULL),
	    "...and, declaring no fields, takes no body");
	done(&c, &r);
}

int
main(void)
{

	alarm(60);
	plan(18 + 8 + 20 + 26 + 5);
	test_path();
	test_no_body();
	test_json();
	test_query();
	test_declaration();
	return tap_status();
}

/*
 * lectern — t/unit/031-ratelimit: the rate limiter's parts that need no
 * database: each class's limit and its LECTERN_RATE_* override, the key
 * a request is counted under, and the verdict on a count with its
 * X-RateLimit-* and Retry-After headers.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "err.h"
#include "http.h"
#include "ratelimit.h"

#include "../tap.h"
#include "fakereq.h"

static const char *const env[] = {
	"UNIQUE_ID", "req-031",
	"REQUEST_METHOD", "GET",
	"REMOTE_ADDR", "192.0.2.7",
	NULL,
};

/* The value of response header name set on r, or NULL. */
static const char *
hdr(const struct req *r, const char *name)
{
	size_t	 i;

	for (i = 0; i < r->nhdrs; i++)
		if (strcasecmp(r->hdrs[i].name, name) == 0)
			return r->hdrs[i].value;
	return NULL;
}

static void
test_config(void)
{
	long long	 limit, window;

	/* The defaults, whatever the environment (scripts/test sets some). */
	unsetenv("LECTERN_RATE_API");
	unsetenv("LECTERN_RATE_AUTH");
	unsetenv("LECTERN_RATE_UPLOAD");
	unsetenv("LECTERN_RATE_PAYMENT");
	unsetenv("LECTERN_RATE_STRICT");
	unsetenv("LECTERN_RATE_LOGIN_FAIL");
	ratelimit_config(RL_API, &limit, &window);
	ok(limit == 300 && window == 60, "api: 300 per 60 s by default");
	ratelimit_config(RL_AUTH, &limit, &window);
	ok(limit == 10 && window == 60, "auth: 10 per 60 s");
	ratelimit_config(RL_UPLOAD, &limit, &window);
	ok(limit == 30 && window == 3600, "upload: 30 per hour");
	ratelimit_config(RL_PAYMENT, &limit, &window);
	ok(limit == 20 && window == 3600, "payment: 20 per hour");
	ratelimit_config(RL_STRICT, &limit, &window);
	ok(limit == 5 && window == 3600, "strict: 5 per hour");
	ratelimit_config(RL_LOGIN_FAIL, &limit, &window);
	ok(limit == 100 && window == 3600, "failed logins: 100 per hour");

	setenv("LECTERN_RATE_AUTH", "7/30", 1);
	ratelimit_config(RL_AUTH, &limit, &window);
	ok(limit == 7 && window == 30, "LECTERN_RATE_AUTH=7/30 overrides auth");
	ratelimit_config(RL_API, &limit, &window);
	ok(limit == 300 && window == 60, "...and no other class");
	setenv("LECTERN_RATE_AUTH", "0/30", 1);
	ratelimit_config(RL_AUTH, &limit, &window);
	ok(limit == 10 && window == 60, "a limit of 0 is ignored");
	setenv("LECTERN_RATE_AUTH", "5", 1);
	ratelimit_config(RL_AUTH, &limit, &window);
	ok(limit == 10 && window == 60, "...and so is one without a window");
	setenv("LECTERN_RATE_AUTH", "5/x", 1);
	ratelimit_config(RL_AUTH, &limit, &window);
	ok(limit == 10 && window == 60, "...and one with a bad window");
	setenv("LECTERN_RATE_AUTH", "5/99999999", 1);
	ratelimit_config(RL_AUTH, &limit, &window);
	ok(limit == 10 && window == 60, "...and one with a window over a month");
	unsetenv("LECTERN_RATE_AUTH");
}

static void
test_key(void)
{
	struct req	 r;
	char		 key[200], key2[200], win[24];
	long long	 limit;

	fakereq_init(&r, env);
	ratelimit_key(&r, RL_API, "42", key, win, &limit);
	is_string("api:42", key, "a user's api key is api:<user id>");
	is_string("60", win, "...with the window in seconds");
	is_int(300, limit, "...and the limit");
	ratelimit_key(&r, RL_AUTH, NULL, key, win, &limit);
	is_string("auth:192.0.2.7", key,
	    "without a subject the key is the client address");
	ratelimit_key(&r, RL_STRICT, NULL, key, win, &limit);
	is_string("strict:192.0.2.7", key, "...for each class");
	is_string("3600", win, "...with its window");
	ratelimit_key(&r, RL_PAYMENT, "7", key, win, &limit);
	ratelimit_key(&r, RL_UPLOAD, "7", key2, win, &limit);
	ok(strcmp(key, key2) != 0, "one user's classes count apart");
	http_req_free(&r);
}

static void
test_verdict(void)
{
	struct req	 r;

	fakereq_init(&r, env);
	is_int(API_OK, ratelimit_verdict(&r, RL_API, 10, 3, 1700000000, 40),
	    "a count under the limit passes");
	is_string("10", hdr(&r, "X-RateLimit-Limit"), "...with the limit");
	is_string("7", hdr(&r, "X-RateLimit-Remaining"), "...what is left");
	is_string("1700000000", hdr(&r, "X-RateLimit-Reset"),
	    "...and the reset time");
	ok(hdr(&r, "Retry-After") == NULL, "...and no Retry-After");
	http_req_free(&r);

	fakereq_init(&r, env);
	is_int(API_OK, ratelimit_verdict(&r, RL_API, 10, 10, 1700000000, 40),
	    "the last allowed request passes");
	is_string("0", hdr(&r, "X-RateLimit-Remaining"), "...with 0 left");
	http_req_free(&r);

	fakereq_init(&r, env);
	is_int(API_RATE_LIMITED, ratelimit_verdict(&r, RL_AUTH, 10, 11,
	    1700000000, 40), "one over the limit is refused");
	is_string("0", hdr(&r, "X-RateLimit-Remaining"), "...with 0 left");
	is_string("40", hdr(&r, "Retry-After"),
	    "...and Retry-After the seconds left");
	http_req_free(&r);

	fakereq_init(&r, env);
	is_int(API_RATE_LIMITED, ratelimit_verdict(&r, RL_AUTH, 10, 500,
	    1700000000, 0), "far over the limit at the window's end");
	is_string("1", hdr(&r, "Retry-After"), "...says Retry-After: 1");
	http_req_free(&r);
}

int
main(void)
{

	plan(12 + 7 + 12);
	test_config();
	test_key();
	test_verdict();
	return tap_status();
}

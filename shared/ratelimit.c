/*
 * lectern — ratelimit: request limits kept in PostgreSQL.
 *
 * A window starts with the first request after the previous one ended;
 * the row's count and start are replaced in the same statement, so two
 * processes racing on one key still count every request exactly once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "ratelimit.h"

struct rl_default {
	const char	*name;		/* key prefix */
	const char	*env;		/* override */
	long long	 limit;
	long long	 window;
};

static const struct rl_default defaults[RL__MAX] = {
	{ "api", "LECTERN_RATE_API", 300, 60 },
	{ "auth", "LECTERN_RATE_AUTH", 10, 60 },
	{ "upload", "LECTERN_RATE_UPLOAD", 30, 3600 },
	{ "payment", "LECTERN_RATE_PAYMENT", 20, 3600 },
	{ "strict", "LECTERN_RATE_STRICT", 5, 3600 },
	{ "login_fail", "LECTERN_RATE_LOGIN_FAIL", 100, 3600 },
	{ "auth_ip", "LECTERN_RATE_AUTH_IP", 300, 60 },
};

static const char sql_hit[] = RATELIMIT_HIT_SQL("1", "2");

static const char sql_refund[] =
    "UPDATE rate_limits SET count = greatest(count - 1, 0) WHERE key = $1";


void
ratelimit_config(enum rl_class c, long long *limit, long long *window)
{
	const char	*s, *slash;
	char		 num[24];
	long long	 l, w;

	*limit = defaults[c].limit;
	*window = defaults[c].window;
	if ((s = getenv(defaults[c].env)) == NULL ||
	    (slash = strchr(s, '/')) == NULL ||
	    (size_t)(slash - s) >= sizeof(num))
		return;
	memcpy(num, s, (size_t)(slash - s));
	num[slash - s] = '\0';
	l = config_number(num, -1, 100000000);
	w = config_number(slash + 1, -1, 86400 * 31);
	if (l > 0 && w > 0) {
		*limit = l;
		*window = w;
	}
}

/*
 * Set the X-RateLimit-* headers (and Retry-After when over) and decide.
 * left is the number of seconds until the window ends, by the database's
 * clock.
 */
static enum api_err
verdict(struct req *r, long long limit, long long count, long long reset,
    long long left)
{
	char		 buf[32];

	snprintf(buf, sizeof(buf), "%lld", limit);
	(void)http_header(r, "X-RateLimit-Limit", buf);
	snprintf(buf, sizeof(buf), "%lld", count >= limit ? 0 : limit - count);
	(void)http_header(r, "X-RateLimit-Remaining", buf);
	snprintf(buf, sizeof(buf), "%lld", reset);
	(void)http_header(r, "X-RateLimit-Reset", buf);
	if (count <= limit)
		return API_OK;
	snprintf(buf, sizeof(buf), "%lld", left > 0 ? left : 1);
	(void)http_header(r, "Retry-After", buf);
	return API_RATE_LIMITED;
}

void
ratelimit_key(const struct req *r, enum rl_class c, const char *subject,
    char key[200], char window[24], long long *limit)
{
	long long	 w;

	ratelimit_config(c, limit, &w);
	snprintf(key, 200, "%s:%s", defaults[c].name,
	    subject != NULL ? subject : r->remote_addr);
	snprintf(window, 24, "%lld", w);
}

enum api_err
ratelimit_verdict(struct req *r, enum rl_class c, long long limit,
    long long count, long long reset, long long left)
{
	enum api_err	 er;

	if ((er = verdict(r, limit, count, reset, left)) == API_RATE_LIMITED)
		log_event(LOG_LVL_INFO, r->request_id, "rate_limited",
		    "class", defaults[c].name, "ip", r->remote_addr, NULL);
	return er;
}

/*
 * Count one request of class c for subject (the address when NULL) and
 * read back the window: *limit, *count after this request, *reset (epoch
 * seconds) and *left (seconds).  Returns API_OK or a database error.
 */
static enum api_err
run(struct req *r, struct db *db, enum rl_class c, const char *subject,
    long long *limit, long long *count, long long *reset,
    long long *left)
{
	char		 key[200], win[24];
	const char	*params[2], *v;
	struct db_res	*res = NULL;
	long long	 window;
	enum api_err	 er;

	ratelimit_key(r, c, subject, key, win, limit);
	window = strtoll(win, NULL, 10);
	params[0] = key;
	params[1] = win;
	*count = 0;
	*reset = (long long)time(NULL) + window;
	*left = window;
	er = db_exec(db, sql_hit, 2, params, &res);
	if (er != API_OK)
		return er;
	if (db_nrows(res) == 1) {
		if ((v = db_get(res, 0, 0)) != NULL)
			*count = strtoll(v, NULL, 10);
		if ((v = db_get(res, 0, 1)) != NULL)
			*reset = strtoll(v, NULL, 10);
		if ((v = db_get(res, 0, 2)) != NULL)
			*left = strtoll(v, NULL, 10);
	}
	db_res_free(res);
	return API_OK;
}

int
ratelimit_local(const struct req *r, enum rl_class c, const char *subject,
    long long *limit, long long *count, long long *reset, long long *left)
{
	long long	 window, now, start;

	if (c != RL_API)
		return 0;	/* the security classes stay exact */
	ratelimit_config(c, limit, &window);
	now = (long long)time(NULL);
	if (!ratelimit_local_hit(defaults[c].name,
	    subject != NULL ? subject : r->remote_addr, window, now, count,
	    &start))
		return 0;
	*reset = start + window;
	*left = *reset - now;
	return 1;
}

enum api_err
ratelimit_check(struct req *r, struct db *db, enum rl_class c,
    const char *subject)
{
	long long	 limit, count, reset, left;
	enum api_err	 er;

	if (ratelimit_local(r, c, subject, &limit, &count, &reset, &left))
		return ratelimit_verdict(r, c, limit, count, reset, left);
	if ((er = run(r, db, c, subject, &limit, &count, &reset,
	    &left)) != API_OK)
		return er;
	return ratelimit_verdict(r, c, limit, count, reset, left);
}

void
ratelimit_refund(struct req *r, struct db *db, enum rl_class c,
    const char *subject)
{
	char		 key[200], win[24];
	const char	*params[1];
	long long	 limit;

	ratelimit_key(r, c, subject, key, win, &limit);
	params[0] = key;
	if (db_exec(db, sql_refund, 1, params, NULL) != API_OK)
		log_event(LOG_LVL_WARN, r->request_id, "rate_refund_failed",
		    "class", defaults[c].name, NULL);
}

enum api_err
ratelimit_attempt(struct req *r, struct db *db, enum rl_class c,
    const char *subject)
{
	long long	 limit, count, reset, left;
	enum api_err	 er;

	if ((er = run(r, db, c, subject, &limit, &count, &reset,
	    &left)) != API_OK)
		return er;
	if (count <= limit)
		return API_OK;	/* the address class's headers stand */
	return ratelimit_verdict(r, c, limit, count, reset, left);
}

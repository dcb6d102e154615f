/*
 * lectern — ratelimit: request limits (SPEC §8).
 *
 * The security classes (auth, strict, payment, upload, failed logins)
 * are kept in PostgreSQL, so every Apache process and every web node
 * counts in the same table, one atomic INSERT ... ON CONFLICT DO UPDATE
 * ... RETURNING per check, in fixed windows.  The api class is counted
 * per web node in a shared-memory table (LECTERN_RATE_TABLE,
 * shared/ratelimit_local.c), so an authenticated read writes nothing;
 * without that table it is counted in PostgreSQL too.  Classes and defaults: api 300/60 per user (or IP),
 * auth 10/60 per IP, upload 30/3600 per user, payment 20/3600 per user,
 * strict 5/3600 per IP; LECTERN_RATE_<CLASS>=N/SECONDS overrides one.
 * The client address is REMOTE_ADDR only; X-Forwarded-For is never read.
 */
#ifndef LECTERN_RATELIMIT_H
#define LECTERN_RATELIMIT_H

#include "err.h"

struct db;
struct req;

enum rl_class {
	RL_API,
	RL_AUTH,
	RL_UPLOAD,
	RL_PAYMENT,
	RL_STRICT,
	RL_LOGIN_FAIL,	/* failed logins per account: 100/3600 */
	RL_AUTH_IP,	/* sign-in per address alone: 300/60 */
	RL__MAX
};

/*
 * Count one request of class c for subject (a user id, or NULL for the
 * client address) and set X-RateLimit-Limit, -Remaining and -Reset on
 * r.  Runs outside any transaction of the caller's (call it before
 * db_begin).  Returns API_OK, API_RATE_LIMITED (Retry-After set) or a
 * database error.
 */
enum api_err	ratelimit_check(struct req *r, struct db *db,
		    enum rl_class c, const char *subject)
		    __attribute__((warn_unused_result));

/*
 * Count one attempt of subject in class c, as ratelimit_check does, but
 * set the X-RateLimit headers only when it is over the limit (then 429
 * with Retry-After), so the headers of the request's own class stand.
 * For the failed-login limit, counted before the password is checked.
 */
enum api_err	ratelimit_attempt(struct req *r, struct db *db,
		    enum rl_class c, const char *subject)
		    __attribute__((warn_unused_result));

/*
 * Take back one count of subject in class c (never below zero): an
 * attempt counted before it was judged that turned out not to count,
 * such as a login whose password was right.  Failures are logged.
 */
void		ratelimit_refund(struct req *r, struct db *db,
		    enum rl_class c, const char *subject);

/*
 * The statement that counts one request, for embedding in a larger one
 * (auth_require counts and loads the caller in one round trip): k and w
 * are the parameter numbers, as strings, of the key and the window in
 * seconds.  It returns count, reset (epoch seconds) and seconds left.
 */
#define RATELIMIT_HIT_SQL(k, w)						\
	"INSERT INTO rate_limits AS r (key, window_start, count)"	\
	" VALUES ($" k ", now(), 1)"					\
	" ON CONFLICT (key) DO UPDATE SET"				\
	"  count = CASE WHEN r.window_start"				\
	"   + make_interval(secs => $" w "::int) <= now()"		\
	"   THEN 1 ELSE r.count + 1 END,"				\
	"  window_start = CASE WHEN r.window_start"			\
	"   + make_interval(secs => $" w "::int) <= now()"		\
	"   THEN now() ELSE r.window_start END"				\
	" RETURNING count,"						\
	"  ceil(extract(epoch FROM window_start"			\
	"   + make_interval(secs => $" w "::int)))::bigint AS reset,"	\
	"  ceil(extract(epoch FROM window_start"			\
	"   + make_interval(secs => $" w "::int) - now()))::bigint AS left_s"

/*
 * The key (at most 200 bytes) and window (decimal text) of class c for
 * subject (NULL: the client address), and the class's limit, for a
 * caller that runs RATELIMIT_HIT_SQL itself.
 */
void		ratelimit_key(const struct req *r, enum rl_class c,
		    const char *subject, char key[200], char window[24],
		    long long *limit);

/*
 * Decide on a count returned by RATELIMIT_HIT_SQL: set the X-RateLimit-*
 * headers (and Retry-After) on r.  Returns API_OK or API_RATE_LIMITED.
 */
enum api_err	ratelimit_verdict(struct req *r, enum rl_class c,
		    long long limit, long long count, long long reset,
		    long long left) __attribute__((warn_unused_result));

/*
 * Count one request of class c (RL_API only) for subject (NULL: the
 * client address) in this node's shared table, without the database.
 * Returns 1 with *limit, *count (after this request), *reset (epoch
 * seconds) and *left (seconds) set, or 0 when it was not counted (no
 * table configured, the table unusable or full, or another class): then
 * count in PostgreSQL.
 */
int		ratelimit_local(const struct req *r, enum rl_class c,
		    const char *subject, long long *limit, long long *count,
		    long long *reset, long long *left);

/*
 * The table itself (shared/ratelimit_local.c): count one hit of subject
 * in class cls (its key prefix) for a window of window seconds at time
 * now.  Returns 1 with *count and the window's *start (epoch seconds),
 * or 0 as above.
 */
int		ratelimit_local_hit(const char *cls, const char *subject,
		    long long window, long long now, long long *count,
		    long long *start);

/*
 * The limit of class c as configured: *limit requests per *window
 * seconds.
 */
void		ratelimit_config(enum rl_class c, long long *limit,
		    long long *window);

#endif /* LECTERN_RATELIMIT_H */

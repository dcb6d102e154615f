/*
 * lectern — t/unit/033-ratelimit-local: the api class's per-node table
 * (shared/ratelimit_local.c): counts per key and class, a new window
 * once the last has ended, exact counts from processes racing on one
 * key, the security classes never counted there, and a refusal (count
 * in PostgreSQL instead) without a table or with a file that is not
 * one.
 */
#include "config.h"

#include <sys/wait.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "err.h"
#include "http.h"
#include "ratelimit.h"

#include "../tap.h"
#include "fakereq.h"

#define KIDS	4
#define HITS	5000

static const char *const env[] = {
	"UNIQUE_ID", "req-033",
	"REQUEST_METHOD", "GET",
	"REMOTE_ADDR", "192.0.2.9",
	NULL,
};

int
main(void)
{
	char		 dir[] = "/tmp/lectern-033.XXXXXX", path[64], bad[64];
	long long	 count, start, limit, reset, left, now;
	struct req	 r;
	pid_t		 kids[KIDS];
	int		 i, j, st, fd, all = 1;

	plan(16);
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/ratelimit", dir);
	snprintf(bad, sizeof(bad), "%s/other", dir);
	now = (long long)time(NULL);

	unsetenv("LECTERN_RATE_TABLE");
	ok(!ratelimit_local_hit("api", "1", 60, now, &count, &start),
	    "without LECTERN_RATE_TABLE nothing is counted locally");

	setenv("LECTERN_RATE_TABLE", path, 1);
	ok(ratelimit_local_hit("api", "1", 60, now, &count, &start),
	    "with it the first request is counted");
	ok(count == 1 && start == now, "...as the first of a new window");
	ok(access(path, F_OK) == 0, "...in the file, made on first use");
	(void)ratelimit_local_hit("api", "1", 60, now + 5, &count, &start);
	ok(count == 2 && start == now, "the next one in the window is 2");
	(void)ratelimit_local_hit("api", "2", 60, now + 5, &count, &start);
	is_int(1, count, "another user counts apart");
	(void)ratelimit_local_hit("other", "1", 60, now + 5, &count, &start);
	is_int(1, count, "...and so does another class");
	(void)ratelimit_local_hit("api", "1", 60, now + 60, &count, &start);
	ok(count == 1 && start == now + 60,
	    "once the window has ended a new one starts at 1");

	/* Processes racing on one key: every request counted once. */
	for (i = 0; i < KIDS; i++) {
		if ((kids[i] = fork()) == -1)
			bail("fork failed");
		if (kids[i] == 0) {
			for (j = 0; j < HITS; j++)
				if (!ratelimit_local_hit("api", "race", 60,
				    now, &count, &start))
					_exit(1);
			_exit(0);
		}
	}
	for (i = 0; i < KIDS; i++)
		if (waitpid(kids[i], &st, 0) == -1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			all = 0;
	ok(all, "four processes each counted 5000 requests");
	(void)ratelimit_local_hit("api", "race", 60, now, &count, &start);
	is_int(KIDS * HITS + 1, count, "...and none was lost or doubled");

	fakereq_init(&r, env);
	unsetenv("LECTERN_RATE_API");
	ok(ratelimit_local(&r, RL_API, "77", &limit, &count, &reset, &left),
	    "the api class is counted locally");
	ok(limit == 300 && count == 1 && left > 0 && left <= 60 &&
	    reset >= now + 60, "...with its limit, count and reset");
	ok(!ratelimit_local(&r, RL_AUTH, NULL, &limit, &count, &reset,
	    &left), "the auth class never is (exact, in PostgreSQL)");
	ok(!ratelimit_local(&r, RL_LOGIN_FAIL, "77", &limit, &count, &reset,
	    &left), "...nor failed logins");
	http_req_free(&r);

	if ((fd = open(bad, O_WRONLY | O_CREAT, 0600)) == -1 ||
	    write(fd, "not a table, just some text in a file", 37) != 37)
		bail("could not write %s", bad);
	close(fd);
	setenv("LECTERN_RATE_TABLE", bad, 1);
	ok(!ratelimit_local_hit("api", "1", 60, now, &count, &start),
	    "a file that is not a rate table is not used");
	setenv("LECTERN_RATE_TABLE", path, 1);
	(void)ratelimit_local_hit("api", "2", 60, now + 6, &count, &start);
	is_int(2, count, "...and the table is found again when named");

	unlink(path);
	unlink(bad);
	rmdir(dir);
	return tap_status();
}

/*
 * lectern — bench/argon2_cost: what one password check costs by itself.
 * Hashes a password with lectern's Argon2id parameters (m=19456 KiB,
 * t=2, p=1), then verifies it N times (argument, default 20) and prints
 * the milliseconds of wall and CPU time per verify, so bench/run can
 * report a sign-in's Argon2id cost apart from the rest of the request.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <argon2.h>

#define M_COST	19456
#define T_COST	2
#define P_COST	1

/* Seconds on clock id. */
static double
now(clockid_t id)
{
	struct timespec	 ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	static const char	 pw[] = "bench-lantern-orbit-quiet";
	static const unsigned char salt[16] = "lectern-bench-16";
	char			 enc[256];
	double			 w0, c0, w1, c1;
	int			 i, n;

	n = argc > 1 ? atoi(argv[1]) : 20;
	if (n < 1)
		n = 1;
	if (argon2id_hash_encoded(T_COST, M_COST, P_COST, pw, strlen(pw),
	    salt, sizeof(salt), 32, enc, sizeof(enc)) != ARGON2_OK) {
		fputs("argon2id_hash_encoded failed\n", stderr);
		return 1;
	}
	w0 = now(CLOCK_MONOTONIC);
	c0 = now(CLOCK_PROCESS_CPUTIME_ID);
	for (i = 0; i < n; i++)
		if (argon2id_verify(enc, pw, strlen(pw)) != ARGON2_OK) {
			fputs("argon2id_verify failed\n", stderr);
			return 1;
		}
	w1 = now(CLOCK_MONOTONIC);
	c1 = now(CLOCK_PROCESS_CPUTIME_ID);
	printf("%.1f %.1f\n", (w1 - w0) * 1e3 / n, (c1 - c0) * 1e3 / n);
	return 0;
}

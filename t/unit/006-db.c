/*
 * lectern — t/unit/006-db: the database module without a database.
 *
 * The SQLSTATE mapping is pure and checked in full.  Connecting is
 * checked only where it must fail: no connection string, a malformed
 * one, and a closed port on loopback, which must fail fast, as
 * API_UNAVAILABLE, without the password reaching the log.  The NULL
 * cases of the result helpers are checked last.  Tests against a live
 * PostgreSQL belong to the schema and HTTP tiers.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "err.h"

#include "../tap.h"

#define CLOSED_PORT_URL \
	"postgresql://x:s3cretpw@127.0.0.1:1/db?connect_timeout=2"

static FILE	*capture_file;
static int	 saved_stderr = -1;

/* Point standard error at a fresh temporary file. */
static void
capture_begin(void)
{

	fflush(stderr);
	if ((capture_file = tmpfile()) == NULL)
		bail("tmpfile: %s", strerror(errno));
	if ((saved_stderr = dup(STDERR_FILENO)) == -1 ||
	    dup2(fileno(capture_file), STDERR_FILENO) == -1)
		bail("dup: %s", strerror(errno));
}

/* Put standard error back and return what was written; caller frees. */
static char *
capture_end(void)
{
	char	*buf;
	long	 size;

	fflush(stderr);
	if (dup2(saved_stderr, STDERR_FILENO) == -1)
		bail("dup2: %s", strerror(errno));
	close(saved_stderr);
	saved_stderr = -1;
	if (fseek(capture_file, 0, SEEK_END) == -1 ||
	    (size = ftell(capture_file)) == -1 ||
	    fseek(capture_file, 0, SEEK_SET) == -1)
		bail("cannot measure the captured output");
	if ((buf = malloc((size_t)size + 1)) == NULL)
		bail("out of memory");
	if (size > 0 && fread(buf, 1, (size_t)size, capture_file) !=
	    (size_t)size)
		bail("cannot read the captured output");
	buf[size] = '\0';
	fclose(capture_file);
	capture_file = NULL;
	return buf;
}

/* Seconds on the monotonic clock. */
static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* db_sqlstate_err, class by class. */
static void
test_sqlstate(void)
{
	static const struct {
		const char	*state;
		enum api_err	 want;
		const char	*what;
	} cases[] = {
		{ "23505", API_CONFLICT, "unique_violation" },
		{ "23503", API_INVALID, "foreign_key_violation" },
		{ "23514", API_INVALID, "check_violation" },
		{ "23502", API_INVALID, "not_null_violation" },
		{ "22P02", API_INVALID, "invalid_text_representation" },
		{ "22001", API_INVALID, "string_data_right_truncation" },
		{ "22003", API_INVALID, "numeric_value_out_of_range" },
		{ "40001", API_RETRY, "serialization_failure" },
		{ "40P01", API_RETRY, "deadlock_detected" },
		{ "55P03", API_RETRY, "lock_not_available" },
		{ "08006", API_UNAVAILABLE, "connection_failure" },
		{ "08001", API_UNAVAILABLE,
		    "sqlclient_unable_to_establish_sqlconnection" },
		{ "53300", API_UNAVAILABLE, "too_many_connections" },
		{ "57P01", API_UNAVAILABLE, "admin_shutdown" },
		{ "XX000", API_INTERNAL, "internal_error" },
		{ "42P01", API_INTERNAL, "undefined_table" },
		{ "42501", API_INTERNAL, "insufficient_privilege" },
		{ "23000", API_INTERNAL, "integrity_constraint_violation" },
		{ "40000", API_INTERNAL, "transaction_rollback" },
		{ "00000", API_INTERNAL, "successful_completion" },
		{ "abc", API_INTERNAL, "a three-character string" },
		{ "235050", API_INTERNAL, "six characters" },
		{ "2350", API_INTERNAL, "four characters" },
		{ "", API_INTERNAL, "the empty string" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(cases[i].want, db_sqlstate_err(cases[i].state),
		    "SQLSTATE \"%s\" (%s) is %s", cases[i].state,
		    cases[i].what, api_strerror(cases[i].want));
	is_int(API_INTERNAL, db_sqlstate_err(NULL), "a NULL SQLSTATE is "
	    "internal");
	is_int(409, api_http_status(db_sqlstate_err("23505")),
	    "a unique violation reaches the client as 409");
	is_int(503, api_http_status(db_sqlstate_err("40001")),
	    "...and a serialisation failure as 503");
}

/* db_connect where it cannot succeed. */
static void
test_connect(void)
{
	struct db	*db;
	char		*log;
	double		 t0, dt;
	enum api_err	 er;

	db = (struct db *)1;
	capture_begin();
	er = db_connect(NULL, "rid-9", &db);
	log = capture_end();
	is_int(API_UNAVAILABLE, er,
	    "db_connect without a connection string is API_UNAVAILABLE");
	ok(db == NULL, "...and sets *out to NULL");
	ok(strstr(log, "\"event\":\"db_unconfigured\"") != NULL &&
	    strstr(log, "\"request_id\":\"rid-9\"") != NULL,
	    "...and logs db_unconfigured with the request id");
	free(log);

	db = (struct db *)1;
	capture_begin();
	t0 = now();
	er = db_connect(CLOSED_PORT_URL, "rid-10", &db);
	dt = now() - t0;
	log = capture_end();
	is_int(API_UNAVAILABLE, er,
	    "db_connect to a closed port is API_UNAVAILABLE");
	ok(db == NULL, "...and sets *out to NULL");
	ok(dt < 5.0, "...within 5 seconds");
	if (dt >= 5.0)
		diag("took %.1f s", dt);
	ok(strstr(log, "\"event\":\"db_connect_failed\"") != NULL,
	    "...and logs db_connect_failed");
	ok(strstr(log, "s3cretpw") == NULL,
	    "...without the password");
	free(log);

	db = (struct db *)1;
	capture_begin();
	er = db_connect("host=127.0.0.1 port=notaport connect_timeout=2",
	    NULL, &db);
	log = capture_end();
	is_int(API_UNAVAILABLE, er,
	    "db_connect with a malformed connection string is unavailable");
	ok(db == NULL, "...and sets *out to NULL");
	free(log);

	db = (struct db *)1;
	capture_begin();
	er = db_connect("postgresql://[::1", NULL, &db);
	log = capture_end();
	is_int(API_UNAVAILABLE, er, "...and so with a broken URI");
	ok(db == NULL, "...and *out is still NULL");
	free(log);
}

/* Each helper that must take NULL, alone, for survives(). */
static void
null_res_free(void *arg)
{

	(void)arg;
	db_res_free(NULL);
}

static void
null_close(void *arg)
{

	(void)arg;
	db_close(NULL);
}

static void
null_rollback(void *arg)
{

	(void)arg;
	db_rollback(NULL);
}

static void
null_set_request(void *arg)
{

	(void)arg;
	db_set_request(NULL, "rid");
}

/* The helpers that must take NULL. */
static void
test_null(void)
{

	is_int(0, db_nrows(NULL), "db_nrows(NULL) is 0");
	ok(db_get(NULL, 0, 0) == NULL, "db_get(NULL, 0, 0) is NULL");
	ok(db_get(NULL, -1, -1) == NULL, "...and so with negative indices");
	survives(null_res_free, NULL, "db_res_free(NULL) returns");
	survives(null_close, NULL, "db_close(NULL) returns");
	survives(null_rollback, NULL, "db_rollback(NULL) returns");
	survives(null_set_request, NULL, "db_set_request(NULL, ...) returns");
	ok(!db_usable(NULL), "db_usable(NULL) is false");
}

int
main(void)
{

	/* A connect that hangs is a failure, not a stuck test run. */
	alarm(60);
	plan(27 + 12 + 8);
	test_sqlstate();
	test_connect();
	test_null();
	return tap_status();
}

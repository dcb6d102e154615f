/*
 * lectern — t/unit/001-err: the table of API errors.
 *
 * Every enum api_err must have a machine-readable code, an HTTP status
 * and a message, the statuses must be those of the table in
 * shared/err.c, a value outside the enum must fall back to the internal
 * error rather than read past the table, and api_reason must name the
 * statuses the API sends.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "err.h"

#include "../tap.h"

struct want {
	enum api_err	 er;
	const char	*code;
	int		 status;
};

static const struct want wants[API_ERR__MAX] = {
	{ API_OK, "ok", 200 },
	{ API_INVALID_JSON, "invalid_json", 400 },
	{ API_INVALID, "validation_failed", 400 },
	{ API_INVALID_SIGNATURE, "invalid_signature", 400 },
	{ API_INVALID_TOKEN, "invalid_token", 400 },
	{ API_UNAUTHORIZED, "unauthorized", 401 },
	{ API_INVALID_CREDENTIALS, "invalid_credentials", 401 },
	{ API_PAYMENT_REQUIRED, "payment_required", 402 },
	{ API_FORBIDDEN, "forbidden", 403 },
	{ API_ACCOUNT_DISABLED, "account_disabled", 403 },
	{ API_NOT_FOUND, "not_found", 404 },
	{ API_METHOD, "method_not_allowed", 405 },
	{ API_CONFLICT, "conflict", 409 },
	{ API_EMAIL_TAKEN, "email_taken", 409 },
	{ API_ALREADY_ENROLLED, "already_enrolled", 409 },
	{ API_TOO_LARGE, "payload_too_large", 413 },
	{ API_STORAGE_QUOTA, "quota_exceeded", 413 },
	{ API_MEDIA_TYPE, "unsupported_media_type", 415 },
	{ API_RATE_LIMITED, "rate_limited", 429 },
	{ API_DAILY_QUOTA, "quota_exceeded", 429 },
	{ API_INTERNAL, "internal", 500 },
	{ API_ENOMEM, "internal", 500 },
	{ API_UPSTREAM, "upstream_error", 502 },
	{ API_UNAVAILABLE, "unavailable", 503 },
	{ API_RETRY, "unavailable", 503 },
	{ API_NO_SPACE, "insufficient_storage", 507 },
};

struct reason {
	int		 status;
	const char	*reason;
};

static const struct reason reasons[] = {
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 402, "Payment Required" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 409, "Conflict" },
	{ 413, "Payload Too Large" },
	{ 415, "Unsupported Media Type" },
	{ 429, "Too Many Requests" },
	{ 500, "Internal Server Error" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
};

#define NREASONS	(sizeof(reasons) / sizeof(reasons[0]))

/*
 * Whether s is a well-formed error code: lower-case letters and
 * underscores, neither first nor last an underscore.
 */
static int
code_shaped(const char *s)
{
	size_t	 i, len;

	if (s == NULL || (len = strlen(s)) == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && s[i] != '_')
			return 0;
	return s[0] != '_' && s[len - 1] != '_';
}

/*
 * Check that every error has a code, a status and a message, that the
 * table below matches err.c, and that no enum value is out of order.
 */
static void
test_table(void)
{
	size_t		 i;
	int		 er, bad_code = 0, bad_msg = 0, bad_status = 0;
	const char	*m;

	for (er = 0; er < API_ERR__MAX; er++) {
		if (!code_shaped(api_strerror((enum api_err)er))) {
			diag("error %d has code \"%s\"", er,
			    api_strerror((enum api_err)er) ?
			    api_strerror((enum api_err)er) : "(null)");
			bad_code++;
		}
		m = api_message((enum api_err)er);
		if (m == NULL || *m == '\0') {
			diag("error %d has no message", er);
			bad_msg++;
		}
		if (api_http_status((enum api_err)er) < 200 ||
		    api_http_status((enum api_err)er) > 599) {
			diag("error %d has status %d", er,
			    api_http_status((enum api_err)er));
			bad_status++;
		}
	}
	is_int(0, bad_code, "every api_err has a lower_snake_case code");
	is_int(0, bad_msg, "...and a message");
	is_int(0, bad_status, "...and a status from 200 to 599");

	for (i = 0; i < API_ERR__MAX; i++) {
		is_int((long long)i, wants[i].er,
		    "the expected table is in enum order at %zu", i);
		is_string(wants[i].code, api_strerror(wants[i].er),
		    "error %d has code %s", (int)wants[i].er, wants[i].code);
		is_int(wants[i].status, api_http_status(wants[i].er),
		    "...and status %d", wants[i].status);
	}

	is_int(0, API_OK, "API_OK is zero");
	is_string("ok", api_message(API_OK), "...and its message is \"ok\"");
	ok(api_http_status(API_ENOMEM) == api_http_status(API_INTERNAL) &&
	    strcmp(api_strerror(API_ENOMEM), api_strerror(API_INTERNAL)) == 0,
	    "API_ENOMEM looks like API_INTERNAL to a client");
	ok(strcmp(api_message(API_ENOMEM), api_message(API_INTERNAL)) == 0,
	    "...and has the same message");
	ok(strcmp(api_message(API_RETRY), api_message(API_UNAVAILABLE)) != 0,
	    "API_RETRY says to try again, unlike API_UNAVAILABLE");
}

/*
 * Check that values outside the enum map to the internal error and do
 * not index past the table.
 */
static void
test_out_of_range(void)
{
	static const int	 bad[] = { API_ERR__MAX, API_ERR__MAX + 1,
				    1000, -1, -1000 };
	size_t			 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_string("internal", api_strerror((enum api_err)bad[i]),
		    "value %d has code internal", bad[i]);
		is_int(500, api_http_status((enum api_err)bad[i]),
		    "...and status 500");
		is_string(api_message(API_INTERNAL),
		    api_message((enum api_err)bad[i]),
		    "...and the internal message");
	}
}

/*
 * Check the reason phrases of the statuses the API sends, and that
 * every status of the error table has a real reason phrase.
 */
static void
test_reasons(void)
{
	size_t	 i;
	int	 er, unknown = 0;

	for (i = 0; i < NREASONS; i++)
		is_string(reasons[i].reason, api_reason(reasons[i].status),
		    "status %d is \"%s\"", reasons[i].status,
		    reasons[i].reason);
	for (er = 0; er < API_ERR__MAX; er++)
		if (strcmp(api_reason(api_http_status((enum api_err)er)),
		    "Unknown") == 0) {
			diag("status of error %d has no reason", er);
			unknown++;
		}
	is_int(0, unknown, "every error's status has a reason phrase");
	is_string("Unknown", api_reason(0), "status 0 is \"Unknown\"");
	is_string("Unknown", api_reason(299), "...and so is 299");
	is_string("Unknown", api_reason(-1), "...and -1");
	is_string("Unknown", api_reason(999), "...and 999");
}

int
main(void)
{

	plan(3 + 3 * API_ERR__MAX + 5 + 3 * 5 + NREASONS + 5);
	test_table();
	test_out_of_range();
	test_reasons();
	return tap_status();
}

/*
 * lectern — err: the one table of API errors.
 *
 * The codes and statuses are those of SPEC §2; the table is indexed by
 * enum api_err so that adding an error is one line here and one there.
 */
#include "config.h"

#include <stddef.h>

#include "err.h"

struct api_errinfo {
	const char	*code;
	int		 status;
	const char	*message;
};

static const struct api_errinfo errs[API_ERR__MAX] = {
	{ "ok", 200, "ok" },					/* API_OK */
	{ "invalid_json", 400, "request body is not a JSON object" },
	{ "validation_failed", 400, "request is not valid" },
	{ "invalid_signature", 400, "signature does not match" },
	{ "invalid_token", 400, "identity token is not valid" },
	{ "unauthorized", 401, "authentication required" },
	{ "invalid_credentials", 401, "email or password is incorrect" },
	{ "payment_required", 402, "payment required" },
	{ "forbidden", 403, "not allowed" },
	{ "account_disabled", 403, "account is disabled" },
	{ "not_found", 404, "not found" },
	{ "method_not_allowed", 405, "method not allowed" },
	{ "conflict", 409, "conflict with the current state" },
	{ "email_taken", 409, "email is already registered" },
	{ "already_enrolled", 409, "already enrolled in this course" },
	{ "payload_too_large", 413, "request body is too large" },
	{ "quota_exceeded", 413, "upload quota used up" },
	{ "unsupported_media_type", 415,
	    "request body must be application/json" },
	{ "rate_limited", 429, "too many requests" },
	{ "quota_exceeded", 429, "daily quota used up" },
	{ "internal", 500, "internal error" },
	{ "internal", 500, "internal error" },			/* API_ENOMEM */
	{ "upstream_error", 502, "upstream service failed" },
	{ "unavailable", 503, "service unavailable" },
	{ "unavailable", 503, "service busy, try again" },	/* API_RETRY */
	{ "insufficient_storage", 507, "no space left to store the file" },
};

const char *
api_strerror(enum api_err er)
{

	if ((unsigned)er >= API_ERR__MAX)
		er = API_INTERNAL;
	return errs[er].code;
}

const char *
api_message(enum api_err er)
{

	if ((unsigned)er >= API_ERR__MAX)
		er = API_INTERNAL;
	return errs[er].message;
}

int
api_http_status(enum api_err er)
{

	if ((unsigned)er >= API_ERR__MAX)
		er = API_INTERNAL;
	return errs[er].status;
}

const char *
api_reason(int status)
{

	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 507: return "Insufficient Storage";
	default: return "Unknown";
	}
}

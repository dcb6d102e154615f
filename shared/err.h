/*
 * lectern — err: the one table of API errors.
 *
 * Every shared function returns an enum api_err.  Only an endpoint's
 * main (through http_error) turns one into an HTTP status and the JSON
 * error envelope, using the code and status recorded here.
 */
#ifndef LECTERN_ERR_H
#define LECTERN_ERR_H

enum api_err {
	API_OK = 0,
	API_INVALID_JSON,	/* 400 invalid_json */
	API_INVALID,		/* 400 validation_failed */
	API_INVALID_SIGNATURE,	/* 400 invalid_signature */
	API_INVALID_TOKEN,	/* 400 invalid_token (third-party ID tokens) */
	API_UNAUTHORIZED,	/* 401 unauthorized */
	API_INVALID_CREDENTIALS,/* 401 invalid_credentials */
	API_PAYMENT_REQUIRED,	/* 402 payment_required */
	API_FORBIDDEN,		/* 403 forbidden */
	API_ACCOUNT_DISABLED,	/* 403 account_disabled */
	API_NOT_FOUND,		/* 404 not_found */
	API_METHOD,		/* 405 method_not_allowed */
	API_CONFLICT,		/* 409 conflict */
	API_EMAIL_TAKEN,	/* 409 email_taken */
	API_ALREADY_ENROLLED,	/* 409 already_enrolled */
	API_TOO_LARGE,		/* 413 payload_too_large */
	API_STORAGE_QUOTA,	/* 413 quota_exceeded: a user's upload quota */
	API_MEDIA_TYPE,		/* 415 unsupported_media_type */
	API_RATE_LIMITED,	/* 429 rate_limited */
	API_DAILY_QUOTA,	/* 429 quota_exceeded: a daily allowance */
	API_INTERNAL,		/* 500 internal */
	API_ENOMEM,		/* 500 internal, after logging the allocation */
	API_UPSTREAM,		/* 502 upstream_error */
	API_UNAVAILABLE,	/* 503 unavailable */
	API_RETRY,		/* 503 unavailable: serialisation failure */
	API_NO_SPACE,		/* 507 insufficient_storage: the disk is full */
	API_ERR__MAX
};

/* The machine-readable code of er ("not_found"); never NULL. */
const char	*api_strerror(enum api_err er);

/* The default human-readable message of er; never NULL. */
const char	*api_message(enum api_err er);

/* The HTTP status of er (200 for API_OK). */
int		 api_http_status(enum api_err er);

/* The reason phrase that goes with an HTTP status ("Not Found"). */
const char	*api_reason(int status);

#endif /* LECTERN_ERR_H */

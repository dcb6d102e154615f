/*
 * lectern — sigv4: AWS Signature Version 4 query-string presigning
 * (the "presigned URL" of S3 and of S3-compatible stores), on our own
 * HMAC-SHA256.  Only the host header is signed and the payload is
 * UNSIGNED-PAYLOAD, as AWS documents for presigned URLs; the holder of
 * the URL may use it for its one method until it expires.
 */
#ifndef LECTERN_SIGV4_H
#define LECTERN_SIGV4_H

#include <time.h>

#include "err.h"

#define SIGV4_URL_MAX	4096

/* Who signs, and for where. */
struct sigv4_key {
	const char	*access_key_id;
	const char	*secret_access_key;
	const char	*region;	/* "us-east-1" */
	const char	*service;	/* "s3" */
};

/*
 * Presign method on base + path: base is "scheme://host[:port]" (its
 * host part is the signed Host header), path the object's path as it
 * is, unencoded ("/bucket/key" path-style or "/key" on a bucket's own
 * host); each segment is URI-encoded here.  now is the signing time,
 * expires the lifetime in seconds (1..604800).  Writes the URL to url
 * (size bytes).  Returns API_OK, API_INVALID for a bad argument or a
 * URL that does not fit, or API_INTERNAL when libcrypto fails.
 */
enum api_err	sigv4_presign(const struct sigv4_key *k, const char *method,
		    const char *base, const char *path, time_t now,
		    long expires, char *url, size_t size)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_SIGV4_H */

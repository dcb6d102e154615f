/*
 * lectern — t/unit/040-sigv4: AWS Signature Version 4 presigned URLs.
 *
 * The first URL is AWS's own published example ("Authenticating
 * Requests: Using Query Parameters", Amazon S3 API reference): GET
 * test.txt in examplebucket, key AKIAIOSFODNN7EXAMPLE, 24 May 2013,
 * us-east-1, 86400 seconds.  Our presigner must reproduce it exactly.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "../tap.h"

#include "sigv4.h"

#define AWS_URL	"https://examplebucket.s3.amazonaws.com/test.txt"	\
	"?X-Amz-Algorithm=AWS4-HMAC-SHA256"				\
	"&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1"	\
	"%2Fs3%2Faws4_request"						\
	"&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400"		\
	"&X-Amz-SignedHeaders=host"					\
	"&X-Amz-Signature="						\
	"aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"

int
main(void)
{
	struct sigv4_key	 k = {
		"AKIAIOSFODNN7EXAMPLE",
		"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"us-east-1", "s3"
	};
	char			 url[SIGV4_URL_MAX], small[64];
	time_t			 when = 1369353600;	/* 2013-05-24T00:00:00Z */

	plan(8);
	ok(sigv4_presign(&k, "GET", "https://examplebucket.s3.amazonaws.com",
	    "/test.txt", when, 86400, url, sizeof(url)) == API_OK,
	    "AWS's example presigns");
	is_string(AWS_URL, url, "...and is AWS's published URL exactly");
	ok(sigv4_presign(&k, "PUT", "http://127.0.0.1:9000",
	    "/bucket/a b+c.pdf", when, 900, url, sizeof(url)) == API_OK,
	    "a path-style URL presigns");
	ok(strncmp(url, "http://127.0.0.1:9000/bucket/a%20b%2Bc.pdf?", 43) ==
	    0, "...with each path segment URI-encoded and '/' kept");
	ok(sigv4_presign(&k, "GET", "examplebucket", "/t", when, 60, url,
	    sizeof(url)) == API_INVALID, "a base without a scheme is refused");
	ok(sigv4_presign(&k, "GET", "https://h", "t", when, 60, url,
	    sizeof(url)) == API_INVALID, "a relative path is refused");
	ok(sigv4_presign(&k, "GET", "https://h", "/t", when, 604801, url,
	    sizeof(url)) == API_INVALID, "more than seven days is refused");
	ok(sigv4_presign(&k, "GET", "https://h", "/t", when, 60, small,
	    sizeof(small)) == API_INVALID && small[0] == '\0',
	    "a URL that does not fit is refused, leaving \"\"");
	return tap_status();
}

/*
 * lectern — httpc: outbound HTTP calls through libcurl (SPEC §8).
 *
 * Only configured URLs are called: https, or plain http to a loopback
 * address (the local stand-ins tests use).  Peer and host are verified,
 * redirects are never followed, connect and total time are bounded, the
 * response is capped, and no proxy is ever used, so a request's Proxy:
 * header cannot steer a call (httpoxy).  Linked only into the
 * executables that call out.
 */
#ifndef LECTERN_HTTPC_H
#define LECTERN_HTTPC_H

#include <stddef.h>

#include "err.h"

#define HTTPC_RESPONSE_MAX	(1024 * 1024)

struct httpc_req {
	const char	*method;	/* "GET", "POST"; "HEAD": no body */
	const char	*url;
	const char	*user;		/* basic auth, or NULL */
	const char	*password;
	const char	*body;		/* NULL: none */
	const char	*content_type;	/* for body */
	long		 connect_timeout; /* seconds; 0: 5 */
	long		 timeout;	/* seconds; 0: 10 */
	size_t		 max_len;	/* answer cap; 0: HTTPC_RESPONSE_MAX */
};

struct httpc_resp {
	long		 status;	/* 0 when no answer came */
	char		*body;		/* NUL-terminated; free with httpc_resp_free */
	size_t		 len;
	long		 max_age;	/* Cache-Control max-age; -1: none */
	long long	 content_length; /* its Content-Length; -1: none */
	char		 error[256];	/* why there was no answer; no secrets */
};

/*
 * Whether url may be called: https://, or http:// to 127.0.0.0/8,
 * [::1] or localhost.  Returns 1 or 0.
 */
int		httpc_url_allowed(const char *url);

/*
 * Make the request q and fill *resp.  Returns API_OK when an HTTP answer
 * of any status came back; API_UPSTREAM when none did (refused, timed
 * out, TLS failure, an answer over q->max_len; resp->error says which)
 * or the URL is not allowed; API_ENOMEM.  resp->max_age is the answer's
 * Cache-Control max-age in seconds (0 for no-cache or no-store, -1
 * when it says neither).  The caller frees resp with httpc_resp_free,
 * whatever the result.  rid is logged with failures.
 */
enum api_err	httpc_request(const struct httpc_req *q, struct httpc_resp *resp,
		    const char *rid) __attribute__((warn_unused_result));

/* Free what resp holds.  NULL is fine. */
void		httpc_resp_free(struct httpc_resp *resp);

#endif /* LECTERN_HTTPC_H */

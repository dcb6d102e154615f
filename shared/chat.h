/*
 * lectern — chat: one call to an OpenAI-compatible chat-completions API
 * (POST {base}/chat/completions) through libcurl, whole or streamed.
 *
 * The outbound rules of SPEC §8 hold (httpc_url_allowed, no proxy, no
 * redirects, peer and host verified, connect and total timeouts).  The
 * provider's answer is read into a struct chat_result and never passed
 * on: on failure the caller learns the kind of failure (and an HTTP
 * status), not the provider's words.  The key goes only into the
 * Authorization header and is never logged.  Linked only into the
 * executable that talks to the model.
 */
#ifndef LECTERN_CHAT_H
#define LECTERN_CHAT_H

#include <stddef.h>

#include "err.h"

/* The most of a provider's answer read, in bytes. */
#define CHAT_RESPONSE_MAX	(256 * 1024)
/* The longest reply kept, in bytes of content. */
#define CHAT_REPLY_MAX		(64 * 1024)

struct chat_msg {
	const char	*role;		/* "system", "user", "assistant" */
	const char	*content;
};

struct chat_req {
	const char		*api_base;	/* ".../v1", no trailing path */
	const char		*api_key;
	const char		*model;
	long			 max_tokens;
	long			 timeout;	/* seconds, in total */
	int			 stream;	/* ask for and relay deltas */
	const struct chat_msg	*msgs;
	size_t			 nmsgs;
	const char		*rid;		/* the request id, for logs */
};

/* Why a call gave no (whole) reply. */
enum chat_fail {
	CHAT_OK,
	CHAT_NETWORK,		/* refused, reset, TLS, URL not allowed */
	CHAT_TIMEOUT,		/* past the total timeout */
	CHAT_STATUS,		/* an HTTP status other than 2xx */
	CHAT_MALFORMED,		/* not the JSON or stream expected */
	CHAT_TOO_LARGE,		/* past CHAT_RESPONSE_MAX or CHAT_REPLY_MAX */
	CHAT_CUT,		/* a stream that ended before it was done */
	CHAT_ABORTED,		/* the delta callback asked to stop */
};

struct chat_result {
	char		*content;	/* what arrived; NUL-terminated */
	size_t		 len;
	long long	 prompt_tokens;	/* -1 when not reported */
	long long	 completion_tokens;
	char		 model[128];	/* as the provider named it, or "" */
	long		 status;	/* the provider's HTTP status, or 0 */
	enum chat_fail	 fail;
};

/*
 * Called with each piece of a streamed reply (text, len bytes, not
 * NUL-terminated) as it arrives.  Returns 0 to go on, -1 to stop (the
 * call then ends with CHAT_ABORTED).
 */
typedef int	(*chat_delta_fn)(void *arg, const char *text, size_t len);

/*
 * Make the call q; with q->stream, fn (may be NULL) sees each delta.
 * Fills *res (free it with chat_result_free, whatever the result).
 * Returns API_OK for a whole reply, API_UPSTREAM when there was none
 * (res->fail says why; res->content holds what arrived of a stream),
 * API_ENOMEM.
 */
enum api_err	chat_complete(const struct chat_req *q, chat_delta_fn fn,
		    void *arg, struct chat_result *res)
		    __attribute__((warn_unused_result));

/* Free what res holds.  NULL is fine. */
void		chat_result_free(struct chat_result *res);

/* A short name of f for logs ("timeout"). */
const char	*chat_fail_name(enum chat_fail f);

#endif /* LECTERN_CHAT_H */

/*
 * lectern — chat: the chat-completions call.  A streamed answer is read
 * line by line as it arrives ("data: {json}" events, ended by "data:
 * [DONE]"); a whole one is parsed when it has come.  Either way nothing
 * the provider said leaves this file but the reply's text, its token
 * counts and its model name.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "chat.h"
#include "httpc.h"
#include "json.h"
#include "log.h"

struct state {
	const struct chat_req	*q;
	struct chat_result	*res;
	chat_delta_fn		 fn;
	void			*arg;
	CURL			*c;
	size_t			 received;	/* raw bytes */
	char			*buf;		/* body, or a partial line */
	size_t			 blen;
	size_t			 bcap;
	size_t			 ccap;		/* res->content's size */
	int			 checked;	/* status looked at */
	int			 done;		/* [DONE] or a finish_reason */
	int			 ended;		/* [DONE]: nothing follows */
	enum chat_fail		 fail;
};

const char *
chat_fail_name(enum chat_fail f)
{

	switch (f) {
	case CHAT_OK:		return "ok";
	case CHAT_NETWORK:	return "network";
	case CHAT_TIMEOUT:	return "timeout";
	case CHAT_STATUS:	return "status";
	case CHAT_MALFORMED:	return "malformed";
	case CHAT_TOO_LARGE:	return "too_large";
	case CHAT_CUT:		return "cut_short";
	case CHAT_ABORTED:	return "client_gone";
	}
	return "unknown";
}

/*
 * Append len bytes of s to *buf (size *cap, used *len), keeping it
 * NUL-terminated.  Returns 0, or -1 when out of memory.
 */
static int
append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	size_t	 ncap;
	char	*nb;

	if (*len + n + 1 > *cap) {
		ncap = *cap ? *cap : 1024;
		while (ncap < *len + n + 1)
			ncap *= 2;
		if ((nb = realloc(*buf, ncap)) == NULL)
			return -1;
		*buf = nb;
		*cap = ncap;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/* Take the model name and the usage of a chunk or answer o into res. */
static void
take_meta(struct chat_result *res, const cJSON *o)
{
	const cJSON	*m, *u;
	long long	 v;

	m = cJSON_GetObjectItemCaseSensitive(o, "model");
	if (res->model[0] == '\0' && cJSON_IsString(m) &&
	    strlen(m->valuestring) < sizeof(res->model))
		snprintf(res->model, sizeof(res->model), "%s", m->valuestring);
	u = cJSON_GetObjectItemCaseSensitive(o, "usage");
	if (!cJSON_IsObject(u))
		return;
	if (json_get_int(u, "prompt_tokens", &v) && v >= 0 && v < 1LL << 31)
		res->prompt_tokens = v;
	if (json_get_int(u, "completion_tokens", &v) && v >= 0 &&
	    v < 1LL << 31)
		res->completion_tokens = v;
}

/*
 * Add text (n bytes) to the reply of st and hand it to the delta
 * callback.  Returns 0, or -1 with st->fail set.
 */
static int
add_text(struct state *st, const char *text, size_t n)
{
	struct chat_result	*res = st->res;

	if (res->len + n > CHAT_REPLY_MAX) {
		st->fail = CHAT_TOO_LARGE;
		return -1;
	}
	if (append(&res->content, &res->len, &st->ccap, text, n) == -1) {
		st->fail = CHAT_NETWORK;
		log_warnx("chat: out of memory");
		return -1;
	}
	if (n > 0 && st->fn != NULL && st->fn(st->arg, text, n) == -1) {
		st->fail = CHAT_ABORTED;
		return -1;
	}
	return 0;
}

/*
 * One line of a stream (without its newline).  Returns 0, or -1 with
 * st->fail set.
 */
static int
stream_line(struct state *st, char *line, size_t n)
{
	const cJSON	*ch, *first, *delta, *text, *fin;
	cJSON		*o;
	int		 rc = 0;

	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if (n < 5 || strncmp(line, "data:", 5) != 0)
		return 0;	/* blank, a comment, event:, id:, retry: */
	line += 5;
	n -= 5;
	if (n > 0 && *line == ' ') {
		line++;
		n--;
	}
	if (st->ended)
		return 0;
	if (n == 6 && memcmp(line, "[DONE]", 6) == 0) {
		st->done = st->ended = 1;
		return 0;
	}
	if ((o = cJSON_ParseWithLength(line, n)) == NULL ||
	    !cJSON_IsObject(o) ||
	    cJSON_GetObjectItemCaseSensitive(o, "error") != NULL) {
		cJSON_Delete(o);
		st->fail = CHAT_MALFORMED;
		return -1;
	}
	take_meta(st->res, o);
	ch = cJSON_GetObjectItemCaseSensitive(o, "choices");
	if (!cJSON_IsArray(ch)) {
		st->fail = CHAT_MALFORMED;
		rc = -1;
		goto out;
	}
	if ((first = cJSON_GetArrayItem(ch, 0)) == NULL)
		goto out;	/* the usage chunk has no choices */
	delta = cJSON_GetObjectItemCaseSensitive(first, "delta");
	text = cJSON_GetObjectItemCaseSensitive(delta, "content");
	if (cJSON_IsString(text) &&
	    (rc = add_text(st, text->valuestring,
	    strlen(text->valuestring))) == -1)
		goto out;
	fin = cJSON_GetObjectItemCaseSensitive(first, "finish_reason");
	if (cJSON_IsString(fin))
		st->done = 1;
out:
	cJSON_Delete(o);
	return rc;
}

/* libcurl's write callback: the answer as it arrives. */
static size_t
on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct state	*st = arg;
	size_t		 n = size * nmemb;
	char		*nl;
	size_t		 used;
	long		 status = 0;

	if (!st->checked) {
		st->checked = 1;
		curl_easy_getinfo(st->c, CURLINFO_RESPONSE_CODE, &status);
		st->res->status = status;
		if (status < 200 || status > 299) {
			/* Its body is the provider's business, not ours. */
			st->fail = CHAT_STATUS;
			return 0;
		}
	}
	if ((st->received += n) > CHAT_RESPONSE_MAX) {
		st->fail = CHAT_TOO_LARGE;
		return 0;
	}
	if (append(&st->buf, &st->blen, &st->bcap, ptr, n) == -1) {
		st->fail = CHAT_NETWORK;
		return 0;
	}
	if (!st->q->stream)
		return n;
	while ((nl = memchr(st->buf, '\n', st->blen)) != NULL) {
		*nl = '\0';
		used = (size_t)(nl - st->buf) + 1;
		if (stream_line(st, st->buf, used - 1) == -1)
			return 0;
		memmove(st->buf, st->buf + used, st->blen - used + 1);
		st->blen -= used;
	}
	return n;
}

/* A whole (not streamed) answer in st->buf into st->res. */
static void
whole(struct state *st)
{
	const cJSON	*first, *msg, *text;
	cJSON		*o;

	o = cJSON_ParseWithLength(st->buf != NULL ? st->buf : "", st->blen);
	if (o == NULL || !cJSON_IsObject(o)) {
		st->fail = CHAT_MALFORMED;
		goto out;
	}
	take_meta(st->res, o);
	first = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(o,
	    "choices"), 0);
	msg = cJSON_GetObjectItemCaseSensitive(first, "message");
	text = cJSON_GetObjectItemCaseSensitive(msg, "content");
	if (!cJSON_IsString(text)) {
		st->fail = CHAT_MALFORMED;
		goto out;
	}
	(void)add_text(st, text->valuestring, strlen(text->valuestring));
out:
	cJSON_Delete(o);
}

/*
 * The request body: {model, messages, max_tokens, stream}.  The caller
 * frees it with cJSON_free; NULL when out of memory.
 */
static char *
request_body(const struct chat_req *q)
{
	cJSON	*o, *msgs, *m, *opt;
	char	*s = NULL;
	size_t	 i;

	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "model", q->model) == NULL ||
	    (msgs = cJSON_AddArrayToObject(o, "messages")) == NULL)
		goto out;
	for (i = 0; i < q->nmsgs; i++) {
		if ((m = cJSON_CreateObject()) == NULL)
			goto out;
		cJSON_AddItemToArray(msgs, m);
		if (cJSON_AddStringToObject(m, "role", q->msgs[i].role) ==
		    NULL || cJSON_AddStringToObject(m, "content",
		    q->msgs[i].content) == NULL)
			goto out;
	}
	if (cJSON_AddNumberToObject(o, "max_tokens",
	    (double)q->max_tokens) == NULL ||
	    cJSON_AddBoolToObject(o, "stream", q->stream) == NULL)
		goto out;
	if (q->stream && ((opt = cJSON_AddObjectToObject(o,
	    "stream_options")) == NULL ||
	    cJSON_AddTrueToObject(opt, "include_usage") == NULL))
		goto out;
	s = json_emit(o);
out:
	cJSON_Delete(o);
	return s;
}

enum api_err
chat_complete(const struct chat_req *q, chat_delta_fn fn, void *arg,
    struct chat_result *res)
{
	struct state		 st;
	struct curl_slist	*hdrs = NULL, *h;
	char			*body = NULL, *auth = NULL, url[1024];
	size_t			 blen, alen;
	long			 status = 0;
	CURLcode		 cc;
	enum api_err		 er = API_UPSTREAM;

	memset(res, 0, sizeof(*res));
	res->prompt_tokens = res->completion_tokens = -1;
	memset(&st, 0, sizeof(st));
	st.q = q;
	st.res = res;
	st.fn = fn;
	st.arg = arg;
	blen = strlen(q->api_base);
	while (blen > 0 && q->api_base[blen - 1] == '/')
		blen--;
	if ((size_t)snprintf(url, sizeof(url), "%.*s/chat/completions",
	    (int)blen, q->api_base) >= sizeof(url) || !httpc_url_allowed(url)) {
		res->fail = CHAT_NETWORK;
		log_event(LOG_LVL_ERROR, q->rid, "upstream_url_refused",
		    "service", "chat", NULL);
		return API_UPSTREAM;
	}
	alen = strlen(q->api_key) + 32;
	if ((body = request_body(q)) == NULL || (auth = malloc(alen)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	snprintf(auth, alen, "Authorization: Bearer %s", q->api_key);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK ||
	    (st.c = curl_easy_init()) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	if ((h = curl_slist_append(hdrs, auth)) == NULL)
		goto enomem;
	hdrs = h;
	if ((h = curl_slist_append(hdrs,
	    "Content-Type: application/json")) == NULL)
		goto enomem;
	hdrs = h;
	if ((h = curl_slist_append(hdrs, q->stream ?
	    "Accept: text/event-stream" : "Accept: application/json")) == NULL)
		goto enomem;
	hdrs = h;
	if ((h = curl_slist_append(hdrs, "Expect:")) == NULL)
		goto enomem;
	hdrs = h;
	curl_easy_setopt(st.c, CURLOPT_URL, url);
	curl_easy_setopt(st.c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(st.c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(st.c, CURLOPT_PROXY, "");
	curl_easy_setopt(st.c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(st.c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(st.c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(st.c, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(st.c, CURLOPT_CONNECTTIMEOUT,
	    q->timeout < 10 ? q->timeout : 10L);
	curl_easy_setopt(st.c, CURLOPT_TIMEOUT, q->timeout);
	curl_easy_setopt(st.c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(st.c, CURLOPT_WRITEDATA, &st);
	curl_easy_setopt(st.c, CURLOPT_USERAGENT, "lectern/" PACKAGE_VERSION);
	curl_easy_setopt(st.c, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(st.c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(st.c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	cc = curl_easy_perform(st.c);
	if (!st.checked) {
		curl_easy_getinfo(st.c, CURLINFO_RESPONSE_CODE, &status);
		res->status = status;
	}
	if (st.fail == CHAT_OK && cc == CURLE_OPERATION_TIMEDOUT)
		st.fail = CHAT_TIMEOUT;
	else if (st.fail == CHAT_OK && cc != CURLE_OK)
		st.fail = st.q->stream && st.checked ? CHAT_CUT : CHAT_NETWORK;
	else if (st.fail == CHAT_OK && (res->status < 200 ||
	    res->status > 299))
		st.fail = CHAT_STATUS;
	else if (st.fail == CHAT_OK && q->stream) {
		/* A last line without its newline. */
		if (st.blen > 0)
			(void)stream_line(&st, st.buf, st.blen);
		if (st.fail == CHAT_OK && !st.done)
			st.fail = CHAT_CUT;
	} else if (st.fail == CHAT_OK)
		whole(&st);
	if (res->content == NULL && (res->content = strdup("")) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	if ((res->fail = st.fail) == CHAT_OK)
		er = API_OK;
	else {
		char	 code[16];

		snprintf(code, sizeof(code), "%ld", res->status);
		log_event(LOG_LVL_ERROR, q->rid, "upstream_failed",
		    "service", "chat", "reason", chat_fail_name(st.fail),
		    "status", code, "curl", cc == CURLE_OK ? NULL :
		    curl_easy_strerror(cc), NULL);
	}
	goto out;
enomem:
	er = API_ENOMEM;
out:
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(st.c);
	if (auth != NULL) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	cJSON_free(body);
	free(st.buf);
	return er;
}

void
chat_result_free(struct chat_result *res)
{

	if (res == NULL)
		return;
	free(res->content);
	res->content = NULL;
	res->len = 0;
}

/*
 * lectern — razorpay: the calls to the gateway, over shared/httpc.  An
 * object of its own so that only the executables that call out link
 * libcurl.  No transaction may be open around these calls.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "httpc.h"
#include "json.h"
#include "log.h"
#include "razorpay.h"

#define CONNECT_TIMEOUT	5	/* seconds */
#define TIMEOUT		10

/*
 * The URL of path (from '/') under the configured API base, a trailing
 * slash of the base dropped, into buf.  Returns 0, or -1 when it does
 * not fit (logged).
 */
static int
api_url(const char *rid, char *buf, size_t size, const char *path)
{
	const char	*base = config_get()->razorpay_api_base;
	size_t		 blen;

	blen = base != NULL ? strlen(base) : 0;
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if ((size_t)snprintf(buf, size, "%.*s%s", (int)blen,
	    base != NULL ? base : "", path) >= size) {
		log_event(LOG_LVL_ERROR, rid, "configuration", "invalid",
		    "LECTERN_RAZORPAY_API_BASE is too long", NULL);
		return -1;
	}
	return 0;
}

/* Set q up for a call to url with the configured key. */
static void
api_req(struct httpc_req *q, const char *method, const char *url)
{
	const struct config	*cfg = config_get();

	memset(q, 0, sizeof(*q));
	q->method = method;
	q->url = url;
	q->user = cfg->razorpay_key_id;
	q->password = cfg->razorpay_key_secret;
	q->connect_timeout = CONNECT_TIMEOUT;
	q->timeout = TIMEOUT;
}

/* Whether the key id and secret are set (logged when not). */
static int
configured(const char *rid)
{
	const struct config	*cfg = config_get();

	if (cfg->razorpay_key_id != NULL && cfg->razorpay_key_secret != NULL)
		return 1;
	log_event(LOG_LVL_ERROR, rid, "configuration", "missing",
	    "LECTERN_RAZORPAY_KEY_ID or _KEY_SECRET", NULL);
	return 0;
}

/*
 * The JSON text of the gateway's order request for o; the caller frees
 * it with cJSON_free.  NULL when out of memory.
 */
static char *
order_request(const struct razorpay_order *o)
{
	cJSON	*q, *notes;
	char	*text = NULL;

	if ((q = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(q, "amount", (double)o->amount) == NULL ||
	    cJSON_AddStringToObject(q, "currency", o->currency) == NULL ||
	    cJSON_AddStringToObject(q, "receipt", o->id) == NULL ||
	    (notes = cJSON_AddObjectToObject(q, "notes")) == NULL ||
	    cJSON_AddStringToObject(notes, "course_id", o->course_id) ==
	    NULL ||
	    cJSON_AddStringToObject(notes, "user_id", o->user_id) == NULL)
		goto out;
	text = json_emit(q);
out:
	cJSON_Delete(q);
	return text;
}

enum api_err
razorpay_order_create(const char *rid, struct razorpay_order *o,
    const char **why, char *cause, size_t size)
{
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	cJSON			*root = NULL;
	const char		*id = NULL, *cur;
	char			*text, url[512], st[16];
	long long		 amount;
	enum api_err		 er;

	memset(&resp, 0, sizeof(resp));
	snprintf(cause, size, "-");
	*why = "payments are not configured";
	if (!configured(rid) || api_url(rid, url, sizeof(url), "/orders") != 0)
		return API_UNAVAILABLE;
	*why = NULL;
	if ((text = order_request(o)) == NULL)
		return API_ENOMEM;
	api_req(&q, "POST", url);
	q.body = text;
	q.content_type = "application/json";
	er = httpc_request(&q, &resp, rid);
	cJSON_free(text);
	if (er == API_UPSTREAM) {
		*why = "the payment gateway did not answer";
		snprintf(cause, size, "%s", resp.error[0] != '\0' ?
		    resp.error : "no answer");
	}
	if (er != API_OK)
		goto out;
	snprintf(st, sizeof(st), "%ld", resp.status);
	if (resp.status < 200 || resp.status > 299) {
		log_event(LOG_LVL_ERROR, rid, "gateway_order_refused",
		    "status", st, "receipt", o->id, NULL);
		*why = "the payment gateway refused the order";
		snprintf(cause, size, "HTTP %s", st);
		er = API_UPSTREAM;
		goto out;
	}
	if (json_parse(resp.body, resp.len, &root) != API_OK ||
	    !cJSON_IsObject(root) ||
	    !razorpay_id_ok(id = json_get_string(root, "id")) ||
	    !json_get_int(root, "amount", &amount) || amount != o->amount ||
	    ((cur = json_get_string(root, "currency")) != NULL &&
	    strcmp(cur, o->currency) != 0)) {
		log_event(LOG_LVL_ERROR, rid, "gateway_order_malformed",
		    "status", st, "receipt", o->id, NULL);
		*why = "the payment gateway's answer was malformed";
		snprintf(cause, size, "HTTP %s with no usable order", st);
		er = API_UPSTREAM;
		goto out;
	}
	snprintf(o->provider_id, sizeof(o->provider_id), "%s", id);
	er = API_OK;
out:
	cJSON_Delete(root);
	httpc_resp_free(&resp);
	return er;
}

/* Whether s is 1 to 40 upper-case letters and '_' (an error code). */
static int
code_ok(const char *s)
{
	size_t	 len;

	if (s == NULL)
		return 0;
	len = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_");
	return len >= 1 && len <= 40 && s[len] == '\0';
}

enum api_err
razorpay_order_payments(const char *rid, const char *provider_id,
    cJSON **root, const cJSON **items, char *why, size_t size)
{
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	const cJSON		*err;
	const char		*code;
	char			 url[512], path[RAZORPAY_ID_MAX + 32];
	enum api_err		 er;

	*root = NULL;
	*items = NULL;
	why[0] = '\0';
	memset(&resp, 0, sizeof(resp));
	if (!razorpay_id_ok(provider_id)) {
		snprintf(why, size, "the order's gateway id is not usable");
		return API_UPSTREAM;
	}
	snprintf(path, sizeof(path), "/orders/%s/payments", provider_id);
	if (!configured(rid) || api_url(rid, url, sizeof(url), path) != 0) {
		snprintf(why, size, "payments are not configured");
		return API_UNAVAILABLE;
	}
	api_req(&q, "GET", url);
	if ((er = httpc_request(&q, &resp, rid)) != API_OK) {
		snprintf(why, size, "gateway unreachable (%s)",
		    resp.error[0] != '\0' ? resp.error : api_strerror(er));
		goto out;
	}
	if (json_parse(resp.body, resp.len, root) != API_OK)
		*root = NULL;
	er = API_UPSTREAM;
	if (resp.status != 200) {
		err = *root != NULL ?
		    cJSON_GetObjectItemCaseSensitive(*root, "error") : NULL;
		code = err != NULL ? json_get_string(err, "code") : NULL;
		if (code_ok(code))
			snprintf(why, size, "gateway answered HTTP %ld (%s)",
			    resp.status, code);
		else
			snprintf(why, size, "gateway answered HTTP %ld",
			    resp.status);
		goto out;
	}
	*items = *root != NULL ?
	    cJSON_GetObjectItemCaseSensitive(*root, "items") : NULL;
	if (!cJSON_IsArray(*items)) {
		*items = NULL;
		snprintf(why, size, "the gateway's answer is not a list of "
		    "payments");
		goto out;
	}
	er = API_OK;
out:
	if (er != API_OK) {
		cJSON_Delete(*root);
		*root = NULL;
	}
	httpc_resp_free(&resp);
	return er;
}

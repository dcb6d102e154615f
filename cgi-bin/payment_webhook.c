/*
 * lectern — POST /api/payments/webhook: Razorpay tells us what happened
 * to a payment (SPEC §5).
 *
 * Nothing is believed before the signature: X-Razorpay-Signature must
 * be the hex HMAC-SHA256 of the body's raw bytes under the webhook
 * secret, so the body is read as bytes and checked before it is parsed
 * (a body re-serialised with other white space no longer matches).  The
 * delivery is then recorded by its X-Razorpay-Event-Id in the same
 * transaction as its effect, so a redelivery finds the event and does
 * nothing.  payment.captured and order.paid make the payment paid and
 * the enrollment active, payment.failed records a failure unless the
 * payment is already paid; both go through payment_apply_*, the one
 * place verify and reconciliation use too.  Whatever we cannot act on
 * (an unknown event, an order we do not know, an amount that differs
 * from the order's) is answered 200 so that Razorpay stops retrying,
 * and logged; only a bad signature, a malformed event and our own
 * failures are errors, which Razorpay retries.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "payment.h"
#include "razorpay.h"

#define EVENT_ID_MAX	128	/* webhook_events.event_id */
#define EVENT_NAME_MAX	64	/* webhook_events.event */

static enum api_err	payment_webhook(struct call *);

/*
 * The raw bytes, not a field table: the signature covers them, and an
 * event carries many members we do not read (the one endpoint that
 * accepts unknown fields).  As the system, once the signature matches:
 * the gateway, not a caller, is speaking.
 */
static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/payments/webhook",
	.who = WHO_ANYONE,
	.body = BODY_RAW,
	.tx = TX_SYSTEM,
	.run = payment_webhook,
};

/* What an event says about one payment. */
struct fact {
	const char	*order_id;	/* Razorpay's order id, borrowed */
	const char	*payment_id;	/* Razorpay's payment id, borrowed */
	long long	 amount;	/* minor units */
	const char	*currency;
};

static const char sql_source[] =
    "SELECT set_config('lectern.source', 'webhook', true)";

static const char sql_event[] =
    "INSERT INTO webhook_events (event_id, event) VALUES ($1, $2)"
    " ON CONFLICT (event_id) DO NOTHING RETURNING event_id";

static const char sql_error_log[] =
    "INSERT INTO error_logs (request_id, status, code, method, path,"
    " message) VALUES ($1, 502, 'upstream_error', 'POST',"
    " '/api/payments/webhook', left($2, 1000))";

/*
 * Whether s is 1 to max characters of [A-Za-z0-9_.-]: an event id or
 * an event's name (provider ids are razorpay_id_ok's).
 */
static int
token_ok(const char *s, size_t max)
{
	size_t	 n;

	if (s == NULL)
		return 0;
	n = strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
	return n >= 1 && n <= max && s[n] == '\0';
}

/* Whether s is three upper-case ASCII letters. */
static int
currency_ok(const char *s)
{

	return s != NULL && strlen(s) == 3 &&
	    strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == 3;
}

/*
 * The object payload.<which>.entity of the event root, or NULL.
 * Borrowed from root.
 */
static const cJSON *
entity(const cJSON *root, const char *which)
{
	const cJSON	*o;

	o = cJSON_GetObjectItemCaseSensitive(root, "payload");
	o = cJSON_GetObjectItemCaseSensitive(o, which);
	o = cJSON_GetObjectItemCaseSensitive(o, "entity");
	return cJSON_IsObject(o) ? o : NULL;
}

/*
 * Read the payment fact of a payment.* or order.paid event into *f
 * (pointers borrowed from root).  For order.paid (order_entity set) the
 * order is payload.order.entity.id when given.  Returns API_OK, or
 * API_INVALID with the field that is missing or malformed named.
 */
static enum api_err
read_fact(struct req *r, const cJSON *root, int order_entity,
    struct fact *f)
{
	const cJSON	*p, *o;
	const char	*oid;

	memset(f, 0, sizeof(*f));
	if ((p = entity(root, "payment")) == NULL)
		return http_invalid_field(r, "payload.payment.entity",
		    "is required");
	f->payment_id = json_get_string(p, "id");
	if (!razorpay_id_ok(f->payment_id))
		return http_invalid_field(r, "payload.payment.entity.id",
		    "must be a payment id");
	f->order_id = json_get_string(p, "order_id");
	if (order_entity && (o = entity(root, "order")) != NULL) {
		oid = json_get_string(o, "id");
		if (!razorpay_id_ok(oid))
			return http_invalid_field(r,
			    "payload.order.entity.id", "must be an order id");
		if (f->order_id != NULL && strcmp(f->order_id, oid) != 0)
			return http_invalid_field(r,
			    "payload.payment.entity.order_id",
			    "differs from payload.order.entity.id");
		f->order_id = oid;
	}
	if (!razorpay_id_ok(f->order_id))
		return http_invalid_field(r, "payload.payment.entity.order_id",
		    "must be an order id");
	if (!json_get_int(p, "amount", &f->amount) || f->amount < 0)
		return http_invalid_field(r, "payload.payment.entity.amount",
		    "must be a whole number of minor units, 0 or more");
	f->currency = json_get_string(p, "currency");
	if (!currency_ok(f->currency))
		return http_invalid_field(r,
		    "payload.payment.entity.currency",
		    "must be three upper-case letters");
	return API_OK;
}

/*
 * Record in error_logs, inside the open transaction, that a captured
 * payment did not match its order.  Returns API_OK or a database
 * error.
 */
static enum api_err
record_mismatch(struct req *r, struct db *db, const char *event,
    const struct fact *f)
{
	const char	*params[2];
	char		 msg[512];

	snprintf(msg, sizeof(msg), "webhook %s: payment %s of order %s"
	    " has amount %lld %s, which differs from the order; not applied",
	    event, f->payment_id, f->order_id, f->amount, f->currency);
	params[0] = r->request_id;
	params[1] = msg;
	return db_exec(db, sql_error_log, 2, params, NULL);
}

/* Send 200 {"status": status}. */
static enum api_err
answer(struct req *r, const char *status)
{
	cJSON		*o;
	enum api_err	 er;

	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "status", status) == NULL) {
		cJSON_Delete(o);
		return API_ENOMEM;
	}
	er = http_send(r, 200, o);
	cJSON_Delete(o);
	return er;
}

/*
 * Apply the event inside the open transaction and say how it went in
 * *status ("processed", "ignored" or "rejected").  Returns API_OK or a
 * database error (the caller rolls back and Razorpay retries).
 */
static enum api_err
apply(struct req *r, struct db *db, const char *event_id,
    const char *event, const struct fact *f, int paid, const char **status)
{
	struct payment_result	 res;
	enum api_err		 er;

	if (paid)
		er = payment_apply_paid(db, r->request_id, f->order_id,
		    f->payment_id, f->amount, f->currency, &res);
	else
		er = payment_apply_failed(db, r->request_id, f->order_id,
		    f->payment_id, f->amount, f->currency, &res);
	switch (er) {
	case API_OK:
		*status = "processed";
		return API_OK;
	case API_NOT_FOUND:
		log_event(LOG_LVL_WARN, r->request_id, "webhook_unknown_order",
		    "event", event, "event_id", event_id, "provider_order_id",
		    f->order_id, "provider_payment_id", f->payment_id, NULL);
		*status = "ignored";
		return API_OK;
	case API_INVALID:
		/* Amount or currency differ (payment_apply_paid logged it). */
		log_event(LOG_LVL_ERROR, r->request_id, "webhook_rejected",
		    "event", event, "event_id", event_id, "provider_order_id",
		    f->order_id, "provider_payment_id", f->payment_id, NULL);
		*status = "rejected";
		return record_mismatch(r, db, event, f);
	default:
		return er;
	}
}

/*
 * The event in body (len bytes, signature checked): parsed into *root
 * (the caller frees it), its name into *event (borrowed from *root),
 * and for the events we act on the payment fact into *f and *paid;
 * *known says whether it is one of them.  Returns API_OK or the error
 * to answer with.
 */
static enum api_err
read_event(struct req *r, const char *body, size_t len, cJSON **root,
    const char **event, struct fact *f, int *paid, int *known)
{
	enum api_err	 er;

	*paid = 0;
	*known = 1;
	if (len == 0)
		return http_fail(r, API_INVALID_JSON,
		    "a JSON object body is required");
	if ((er = json_parse(body, len, root)) == API_INVALID)
		return http_fail(r, er,
		    "strings must not contain NUL characters");
	if (er != API_OK)
		return er;
	if (!cJSON_IsObject(*root))
		return http_fail(r, API_INVALID_JSON,
		    "the body must be a JSON object");
	*event = json_get_string(*root, "event");
	if (!token_ok(*event, EVENT_NAME_MAX))
		return http_invalid_field(r, "event", "must be an event name");
	if (strcmp(*event, "payment.captured") == 0) {
		*paid = 1;
		return read_fact(r, *root, 0, f);
	}
	if (strcmp(*event, "order.paid") == 0) {
		*paid = 1;
		return read_fact(r, *root, 1, f);
	}
	if (strcmp(*event, "payment.failed") == 0)
		return read_fact(r, *root, 0, f);
	*known = 0;
	return API_OK;
}

static enum api_err
payment_webhook(struct call *c)
{
	struct req	*r = c->r;
	struct db_res	*res = NULL;
	struct fact	 f;
	cJSON		*root = NULL;
	const char	*secret, *sig, *event_id, *event = NULL;
	const char	*status = "processed", *params[2];
	int		 known, paid;
	enum api_err	 er;

	memset(&f, 0, sizeof(f));
	secret = config_get()->razorpay_webhook_secret;
	if (secret == NULL || *secret == '\0') {
		log_event(LOG_LVL_ERROR, r->request_id, "configuration",
		    "missing", "LECTERN_RAZORPAY_WEBHOOK_SECRET", NULL);
		return http_fail(r, API_UNAVAILABLE,
		    "payments are not configured");
	}
	/* The raw bytes, before anything reads them. */
	sig = http_getenv(r, "HTTP_X_RAZORPAY_SIGNATURE");
	if (!razorpay_webhook_ok(c->raw, c->raw_len, sig, secret)) {
		log_event(LOG_LVL_WARN, r->request_id, "webhook_bad_signature",
		    "given", sig != NULL ? "yes" : "no", NULL);
		return http_fail(r, API_INVALID_SIGNATURE,
		    "the webhook signature is missing or wrong");
	}
	event_id = http_getenv(r, "HTTP_X_RAZORPAY_EVENT_ID");
	if (!token_ok(event_id, EVENT_ID_MAX))
		return http_invalid_field(r, "X-Razorpay-Event-Id",
		    "is required: 1 to 128 of A-Z a-z 0-9 _ . -");
	if ((er = read_event(r, c->raw, c->raw_len, &root, &event, &f, &paid,
	    &known)) != API_OK ||
	    (er = db_exec(c->db, sql_source, 0, NULL, NULL)) != API_OK)
		goto out;
	params[0] = event_id;
	params[1] = event;
	if ((er = db_exec(c->db, sql_event, 2, params, &res)) != API_OK)
		goto out;
	if (db_nrows(res) == 0) {
		/* A redelivery: the first one did all there is to do. */
		status = "duplicate";
		log_event(LOG_LVL_INFO, r->request_id, "webhook_duplicate",
		    "event", event, "event_id", event_id, NULL);
	} else if (!known) {
		status = "ignored";
		log_event(LOG_LVL_INFO, r->request_id, "webhook_ignored",
		    "event", event, "event_id", event_id, NULL);
	} else if ((er = apply(r, c->db, event_id, event, &f, paid,
	    &status)) != API_OK)
		goto out;
	er = answer(r, status);
out:
	db_res_free(res);
	cJSON_Delete(root);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — POST /api/payments/verify: the browser's proof, after
 * Razorpay Checkout, that the caller paid (SPEC §5).  The order must be
 * one of the caller's (anyone else's is 404, so its existence is not
 * revealed); the signature is HMAC-SHA256 of the order id we stored,
 * "|" and the payment id, under the key secret, compared in constant
 * time.  A bad one is 400 invalid_signature and an error_logs entry
 * (never the signature itself).  A good one marks the payment paid and
 * the enrollment active through payment_apply_paid, as the system, for
 * the order's own amount; repeating it returns the same payment and
 * enrollment and writes nothing new.  200 {payment, enrollment}.  A
 * payment for an order that was replaced, or for less than the course
 * costs now, is held for an admin: 202 {payment, enrollment: null},
 * with the payment's held_reason saying why.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "conf.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"
#include "payment.h"
#include "razorpay.h"

static enum api_err	payment_verify(struct call *);

enum field { F_ORDER_ID, F_PAYMENT_ID, F_SIGNATURE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_ORDER_ID] = { .name = "razorpay_order_id",
	    .fn = valid_razorpay_id, .flags = VF_REQUIRED },
	[F_PAYMENT_ID] = { .name = "razorpay_payment_id",
	    .fn = valid_razorpay_id, .flags = VF_REQUIRED },
	/* Any length: one that is not 64 hex digits is simply wrong. */
	[F_SIGNATURE] = { .name = "razorpay_signature", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_NOTRIM, .min = 1, .max = 1024 },
};

/*
 * As the system: what a good signature allows is not the caller's to
 * do.  The order is looked up with an explicit filter on the caller, so
 * nobody finds another's order this way.
 */
static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/payments/verify",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.tx = TX_SYSTEM,
	.run = payment_verify,
};

static const char sql_order[] =
    "SELECT " RAZORPAY_ORDER_COLUMNS " FROM payment_orders o"
    " WHERE o.provider_order_id = $1 AND o.user_id = $2::bigint";

/*
 * A signature that does not match: logged (the order, never the
 * signature) and recorded in error_logs.  The transaction is rolled
 * back here, not by the runner, because the record is written outside
 * it.  Returns API_INVALID_SIGNATURE.
 */
static enum api_err
bad_signature(struct req *r, struct db *db, const struct razorpay_order *o)
{
	static const char	 msg[] = "the payment signature does not match";

	db_rollback(db);
	log_event(LOG_LVL_WARN, r->request_id, "payment_invalid_signature",
	    "order_id", o->id, NULL);
	http_record_error(r, 400, "invalid_signature", msg);
	return http_fail(r, API_INVALID_SIGNATURE, msg);
}

static enum api_err
payment_verify(struct call *c)
{
	const char		*secret = config_get()->razorpay_key_secret;
	const char		*order_id = c->in[F_ORDER_ID].v.s;
	const char		*payment_id = c->in[F_PAYMENT_ID].v.s;
	const char		*params[2];
	struct razorpay_order	 o;
	struct payment_result	 pr;
	cJSON			*out = NULL;
	enum api_err		 er;

	if (secret == NULL) {
		log_event(LOG_LVL_ERROR, c->r->request_id, "configuration",
		    "missing", "LECTERN_RAZORPAY_KEY_SECRET", NULL);
		return http_fail(c->r, API_UNAVAILABLE,
		    "payments are not configured");
	}
	params[0] = order_id;
	params[1] = c->user_id;
	if ((er = razorpay_order_load(c->db, sql_order, 2, params, &o)) ==
	    API_NOT_FOUND)
		return http_fail(c->r, er, "no such order");
	if (er != API_OK)
		return er;
	/* Signed over the id we stored, under the key secret. */
	if (!razorpay_signature_ok(o.provider_id, payment_id,
	    c->in[F_SIGNATURE].v.s, secret))
		return bad_signature(c->r, c->db, &o);
	if ((er = payment_apply_paid(c->db, c->r->request_id, o.provider_id,
	    payment_id, o.amount, o.currency, &pr)) != API_OK ||
	    (er = payment_result_json(c->db, &pr, &out)) != API_OK)
		goto out;
	er = http_send(c->r, pr.held ? 202 : 200, out);
out:
	cJSON_Delete(out);
	return er;
}

ENDPOINT_MAIN(endpoint)

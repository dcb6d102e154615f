/*
 * lectern — razorpay: everything lectern knows about the gateway.
 *
 * One place for Razorpay's rules: what a provider id (order_..., pay_...)
 * may look like, the two signatures (the payment signature the browser
 * brings to verify, and the webhook's signature over its raw bytes),
 * both compared in constant time, the payment_orders row as a struct
 * razorpay_order, and the two calls lectern makes: create an order and
 * list an order's payments.
 *
 * The calls live in shared/razorpay_api.c, a separate object, so only
 * the executables that call out (create-order, lectern-reconcile) pull
 * in libcurl; everything else here is shared/razorpay.c.
 */
#ifndef LECTERN_RAZORPAY_H
#define LECTERN_RAZORPAY_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "valid.h"

struct db;
struct db_res;

/* The longest provider id: the schema's limit on provider_*_id. */
#define RAZORPAY_ID_MAX		64

/*
 * Whether s is a provider id: 1 to RAZORPAY_ID_MAX ASCII letters,
 * digits and underscores (Razorpay's are "order_" or "pay_" and 14
 * letters and digits).  Such an id is safe in a URL path and a log
 * line.  Returns 1 or 0.
 */
int		razorpay_id_ok(const char *s);

/*
 * A validator (struct vfield.fn) for a provider id, as razorpay_id_ok
 * says.  It stores the string borrowed from the JSON body, so there is
 * nothing to free; min and max are not used.
 */
int		valid_razorpay_id(const cJSON *item, const struct vfield *f,
		    union vval *v, const char **why);

/*
 * Whether sig (hex, either case) is HMAC-SHA256(order_id + "|" +
 * payment_id) under secret, compared in constant time: the signature
 * Razorpay Checkout gives the browser.  Returns 1 or 0.
 */
int		razorpay_signature_ok(const char *order_id,
		    const char *payment_id, const char *sig,
		    const char *secret);

/*
 * Whether sig (hex) is HMAC-SHA256 of the len raw bytes of body under
 * secret (the webhook's X-Razorpay-Signature), in constant time.
 */
int		razorpay_webhook_ok(const char *body, size_t len,
		    const char *sig, const char *secret);

/* A payment_orders row. */
struct razorpay_order {
	char		 id[24];		/* ours, the receipt */
	char		 provider_id[RAZORPAY_ID_MAX + 1];
	char		 user_id[24];
	char		 course_id[24];
	long long	 amount;		/* minor units */
	char		 currency[8];
	char		 status[16];		/* created, paid, failed */
};

/* The columns razorpay_order_row reads: from payment_orders o. */
#define RAZORPAY_ORDER_COLUMNS						\
	"o.id, o.provider_order_id, o.user_id, o.course_id, o.amount,"	\
	" o.currency, o.status"

/*
 * Read row of res (selected with RAZORPAY_ORDER_COLUMNS) into *o.
 * Returns 1, or 0 when there is no such row (o is then zeroed).
 */
int		razorpay_order_row(const struct db_res *res, int row,
		    struct razorpay_order *o);

/*
 * Run sql (n parameters; it selects RAZORPAY_ORDER_COLUMNS) and read
 * its single row into *o.  Returns API_OK, API_NOT_FOUND when it
 * selects no row, or a database error.
 */
enum api_err	razorpay_order_load(struct db *db, const char *sql, int n,
		    const char *const *params, struct razorpay_order *o)
		    __attribute__((warn_unused_result));

/* shared/razorpay_api.c: the calls, over shared/httpc. */

/*
 * Ask the gateway for an order of o->amount in o->currency with receipt
 * o->id and notes naming o->course_id and o->user_id; store the id it
 * gives in o->provider_id.  Returns API_OK; API_UPSTREAM when no answer
 * came in time, the answer was not 2xx, or it was not an order of that
 * amount with a usable id; API_UNAVAILABLE when the gateway is not
 * configured; API_ENOMEM.  On failure *why is the message for the
 * client (fixed text, no secret), cause (size bytes) says what went
 * wrong for the operator ("Timeout was reached", "HTTP 500"; no
 * secret), and the reason is logged under rid.
 */
enum api_err	razorpay_order_create(const char *rid,
		    struct razorpay_order *o, const char **why, char *cause,
		    size_t size)
		    __attribute__((warn_unused_result));

/*
 * Ask the gateway for the payments of the order it calls provider_id
 * (GET /orders/{id}/payments).  Returns API_OK with *root the parsed
 * answer (the caller frees it) and *items its array of payment
 * entities (borrowed from *root); API_UPSTREAM, API_UNAVAILABLE or
 * API_ENOMEM with why (size bytes) saying what went wrong, no secret
 * in it ("gateway answered HTTP 400 (BAD_REQUEST_ERROR)").
 */
enum api_err	razorpay_order_payments(const char *rid,
		    const char *provider_id, cJSON **root,
		    const cJSON **items, char *why, size_t size)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_RAZORPAY_H */

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
 * enrollment and writes nothing new.  200 {payment, enrollment}.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "conf.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "payment.h"
#include "valid.h"

#define GATEWAY_ID_MAX	64

enum field { F_ORDER_ID, F_PAYMENT_ID, F_SIGNATURE, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "razorpay_order_id", valid_string, VF_REQUIRED, 1, GATEWAY_ID_MAX },
	{ "razorpay_payment_id", valid_string, VF_REQUIRED, 1,
	    GATEWAY_ID_MAX },
	/* Any length: one that is not 64 hex digits is simply wrong. */
	{ "razorpay_signature", valid_string, VF_REQUIRED | VF_NOTRIM, 1,
	    1024 },
};

static const char sql_order[] =
    "SELECT id, provider_order_id, amount, currency FROM payment_orders"
    " WHERE provider_order_id = $1 AND user_id = $2::bigint";

static const char sql_payment[] =
    "SELECT " PAYMENT_COLUMNS " FROM payments p WHERE p.id = $1::bigint";

static const char sql_enrollment[] =
    "SELECT id, course_id, user_id, status, source,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
    " FROM enrollments WHERE id = $1::bigint";

struct order {
	char		 id[24];
	char		 provider_id[GATEWAY_ID_MAX + 1];
	long long	 amount;
	char		 currency[8];
};

/*
 * Whether s is a gateway id: letters, digits and underscores (the
 * length was checked by the field table).
 */
static int
gateway_id_ok(const char *s)
{

	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_") == strlen(s);
}

/*
 * Find the caller's order the gateway calls provider_id into *o, in the
 * caller's transaction.  Returns API_OK, API_NOT_FOUND (none, or not the
 * caller's) or a database error.
 */
static enum api_err
find_order(struct db *db, const char *uid, const char *provider_id,
    struct order *o)
{
	struct db_res	*res = NULL;
	const char	*params[2], *v;
	enum api_err	 er;

	memset(o, 0, sizeof(*o));
	params[0] = provider_id;
	params[1] = uid;
	if ((er = db_exec(db, sql_order, 2, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1) {
		db_res_free(res);
		return API_NOT_FOUND;
	}
	snprintf(o->id, sizeof(o->id), "%s", db_get(res, 0, 0));
	snprintf(o->provider_id, sizeof(o->provider_id), "%s",
	    db_get(res, 0, 1));
	o->amount = strtoll(db_get(res, 0, 2), NULL, 10);
	v = db_get(res, 0, 3);
	snprintf(o->currency, sizeof(o->currency), "%s", v != NULL ? v : "");
	db_res_free(res);
	return API_OK;
}

/*
 * Add the enrollment with id eid as member "enrollment" of body: {id,
 * course_id, user_id, status, source, created_at}.  Returns API_OK,
 * API_INTERNAL when it is not there, API_ENOMEM or a database error.
 */
static enum api_err
add_enrollment(struct db *db, const char *eid, cJSON *body)
{
	struct db_res	*res = NULL;
	cJSON		*e;
	enum api_err	 er;

	if ((er = db_exec(db, sql_enrollment, 1, &eid, &res)) != API_OK)
		return er;
	er = API_INTERNAL;
	if (db_nrows(res) != 1)
		goto out;
	er = API_ENOMEM;
	if ((e = cJSON_AddObjectToObject(body, "enrollment")) == NULL ||
	    cJSON_AddNumberToObject(e, "id",
	    strtod(db_get(res, 0, 0), NULL)) == NULL ||
	    cJSON_AddNumberToObject(e, "course_id",
	    strtod(db_get(res, 0, 1), NULL)) == NULL ||
	    cJSON_AddNumberToObject(e, "user_id",
	    strtod(db_get(res, 0, 2), NULL)) == NULL ||
	    cJSON_AddStringToObject(e, "status", db_get(res, 0, 3)) == NULL ||
	    cJSON_AddStringToObject(e, "source", db_get(res, 0, 4)) == NULL ||
	    cJSON_AddStringToObject(e, "created_at", db_get(res, 0, 5)) ==
	    NULL)
		goto out;
	er = API_OK;
out:
	db_res_free(res);
	return er;
}

/*
 * The answer {payment, enrollment} for what payment_apply_paid did, read
 * in the open transaction, into *out (the caller frees it).  Returns
 * API_OK, API_INTERNAL, API_ENOMEM or a database error.
 */
static enum api_err
result_json(struct db *db, const struct payment_result *pr, cJSON **out)
{
	struct db_res	*res = NULL;
	cJSON		*body = NULL, *p;
	const char	*pid = pr->payment_id;
	enum api_err	 er;

	*out = NULL;
	if (pr->payment_id[0] == '\0' || pr->enrollment_id[0] == '\0')
		return API_INTERNAL;
	if ((er = db_exec(db, sql_payment, 1, &pid, &res)) != API_OK)
		return er;
	er = API_INTERNAL;
	if (db_nrows(res) != 1)
		goto out;
	er = API_ENOMEM;
	if ((body = cJSON_CreateObject()) == NULL ||
	    (p = payment_json(res, 0, 0)) == NULL)
		goto out;
	cJSON_AddItemToObject(body, "payment", p);
	if ((er = add_enrollment(db, pr->enrollment_id, body)) != API_OK)
		goto out;
	*out = body;
	body = NULL;
out:
	cJSON_Delete(body);
	db_res_free(res);
	return er;
}

/*
 * A signature that does not match: logged (the order, never the
 * signature) and recorded in error_logs.  The caller's transaction is
 * rolled back first, so the record stays.  Returns
 * API_INVALID_SIGNATURE.
 */
static enum api_err
bad_signature(struct req *r, struct db *db, const struct order *o)
{
	static const char	 msg[] = "the payment signature does not match";

	db_rollback(db);
	log_event(LOG_LVL_WARN, r->request_id, "payment_invalid_signature",
	    "order_id", o->id, NULL);
	http_record_error(r, 400, "invalid_signature", msg);
	return http_fail(r, API_INVALID_SIGNATURE, msg);
}

static enum api_err
handle(struct req *r)
{
	const struct config	*cfg = config_get();
	struct vout		 in[F__MAX];
	struct auth		 a;
	struct order		 o;
	struct payment_result	 pr;
	struct db		*db;
	cJSON			*body, *errs = NULL, *out = NULL;
	enum api_err		 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK ||
	    (er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	if (!gateway_id_ok(in[F_ORDER_ID].v.s)) {
		er = http_invalid_field(r, "razorpay_order_id",
		    "must be letters, digits and underscores");
		goto out;
	}
	if (!gateway_id_ok(in[F_PAYMENT_ID].v.s)) {
		er = http_invalid_field(r, "razorpay_payment_id",
		    "must be letters, digits and underscores");
		goto out;
	}
	if (cfg->razorpay_key_secret == NULL) {
		log_event(LOG_LVL_ERROR, r->request_id, "configuration",
		    "missing", "LECTERN_RAZORPAY_KEY_SECRET", NULL);
		er = http_fail(r, API_UNAVAILABLE,
		    "payments are not configured");
		goto out;
	}
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK)
		goto out;
	if ((er = find_order(db, a.user.id_str, in[F_ORDER_ID].v.s,
	    &o)) != API_OK) {
		if (er == API_NOT_FOUND)
			er = http_fail(r, er, "no such order");
		goto out;
	}
	/* Signed over the id we stored, under the key secret. */
	if (!payment_signature_ok(o.provider_id, in[F_PAYMENT_ID].v.s,
	    in[F_SIGNATURE].v.s, cfg->razorpay_key_secret)) {
		er = bad_signature(r, db, &o);
		goto out;
	}
	db_rollback(db);
	if ((er = db_begin(db, a.user.id_str, "system")) != API_OK ||
	    (er = payment_apply_paid(db, r->request_id, o.provider_id,
	    in[F_PAYMENT_ID].v.s, o.amount, o.currency, &pr)) != API_OK ||
	    (er = result_json(db, &pr, &out)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		goto out;
	er = http_send(r, 200, out);
out:
	cJSON_Delete(out);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("POST", handle);
}

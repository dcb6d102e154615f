/*
 * lectern — payment: applying what the gateway says, exactly once.
 *
 * The order row is locked first, so a verify, a webhook and a
 * reconciliation about the same order run one after another; the unique
 * provider payment id, the one-paid-payment-per-order index and the one
 * enrollment per user and course make a lost race a no-op, not a double.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "enrollment.h"
#include "log.h"
#include "payment.h"
#include "razorpay.h"
#include "row.h"

static const char sql_lock_order[] =
    "SELECT " RAZORPAY_ORDER_COLUMNS " FROM payment_orders o"
    " WHERE o.provider_order_id = $1 FOR UPDATE";

static const char sql_paid_other[] =
    "SELECT id FROM payments WHERE order_id = $1::bigint AND status = 'paid'"
    " AND provider_payment_id IS DISTINCT FROM $2";

static const char sql_upsert_paid[] =
    "INSERT INTO payments AS p (user_id, course_id, order_id, method, status,"
    " amount, currency, provider_order_id, provider_payment_id, paid_at,"
    " held_reason)"
    " VALUES ($1::bigint, $2::bigint, $3::bigint, 'razorpay', 'paid',"
    " $4::bigint, $5, $6, $7, now(), $8)"
    " ON CONFLICT (provider_payment_id) DO UPDATE SET status = 'paid',"
    " paid_at = now(), held_reason = $8 WHERE p.status <> 'paid'"
    " RETURNING p.id";

/*
 * Why a capture of an order in state $2 for $4 minor units of $3 must
 * wait for an admin (NULL when it need not): the order was replaced by
 * a newer one, or it costs less than course $1 does now.
 */
static const char sql_hold_reason[] =
    "SELECT CASE WHEN $2 = 'failed' THEN 'replaced'"
    " WHEN c.currency <> $3 OR c.price_minor > $4::bigint"
    " THEN 'underpriced' END"
    " FROM courses c WHERE c.id = $1::bigint";

/* Whether payment $1 waits for an admin. */
static const char sql_is_held[] =
    "SELECT held_reason FROM payments WHERE id = $1::bigint"
    " AND held_reason IS NOT NULL AND confirmed_at IS NULL";

static const char sql_audit_held[] =
    "INSERT INTO audit_logs (action, target_type, target_id, details,"
    " request_id) VALUES ('payment.held', 'payment', $1,"
    " jsonb_build_object('reason', $2::text, 'order_id', $3::bigint,"
    " 'user_id', $4::bigint, 'course_id', $5::bigint), $6)";

static const char sql_payment_id[] =
    "SELECT id, status FROM payments WHERE provider_payment_id = $1";

static const char sql_order_paid[] =
    "UPDATE payment_orders SET status = 'paid' WHERE id = $1::bigint"
    " AND status <> 'paid'";

static const char sql_enroll[] =
    "INSERT INTO enrollments AS e (user_id, course_id, status, source)"
    " VALUES ($1::bigint, $2::bigint, 'active', 'payment')"
    " ON CONFLICT ON CONSTRAINT enrollments_user_course_key"
    " DO UPDATE SET status = 'active' RETURNING e.id";

static const char sql_payment[] =
    "SELECT " PAYMENT_COLUMNS " FROM payments p WHERE p.id = $1::bigint";

static const char sql_enrollment[] =
    "SELECT " ENROLLMENT_COLUMNS " FROM enrollments e"
    " WHERE e.id = $1::bigint";

/* Payment $1, locked, for an admin to let through if it is held. */
static const char sql_lock_held[] =
    "SELECT user_id, course_id, confirmed_at IS NOT NULL,"
    " status = 'paid' AND held_reason IS NOT NULL FROM payments"
    " WHERE id = $1::bigint FOR UPDATE";

static const char sql_confirm[] =
    "UPDATE payments SET confirmed_at = now(),"
    " confirmed_by_user_id = $2::bigint WHERE id = $1::bigint";

static const char sql_upsert_failed[] =
    "INSERT INTO payments AS p (user_id, course_id, order_id, method, status,"
    " amount, currency, provider_order_id, provider_payment_id)"
    " VALUES ($1::bigint, $2::bigint, $3::bigint, 'razorpay', 'failed',"
    " $4::bigint, $5, $6, $7)"
    " ON CONFLICT (provider_payment_id) DO UPDATE SET status = 'failed'"
    " WHERE p.status = 'created'"
    " RETURNING p.id";

/* Copy column col of row 0 into dst ("" for NULL). */
static void
get(const struct db_res *res, int col, char *dst, size_t size)
{
	const char	*v = db_get(res, 0, col);

	snprintf(dst, size, "%s", v != NULL ? v : "");
}

/*
 * Lock and read the order the gateway calls provider_order_id into *o,
 * and start *out afresh with its user and course.  Returns API_OK,
 * API_NOT_FOUND or a database error.
 */
static enum api_err
lock_order(struct db *db, const char *provider_order_id,
    struct razorpay_order *o, struct payment_result *out)
{
	enum api_err	 er;

	memset(out, 0, sizeof(*out));
	if ((er = razorpay_order_load(db, sql_lock_order, 1,
	    &provider_order_id, o)) != API_OK)
		return er;
	snprintf(out->user_id, sizeof(out->user_id), "%s", o->user_id);
	snprintf(out->course_id, sizeof(out->course_id), "%s", o->course_id);
	return API_OK;
}

/*
 * Run sql with params and copy the first column of its first row, if
 * any, into dst ("" when none).
 */
static enum api_err
one(struct db *db, const char *sql, int n, const char *const *params,
    char *dst, size_t size)
{
	struct db_res	*res = NULL;
	enum api_err	 er;

	dst[0] = '\0';
	if ((er = db_exec(db, sql, n, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) > 0)
		get(res, 0, dst, size);
	db_res_free(res);
	return API_OK;
}

/*
 * Record payment provider_payment_id of order o with sql
 * (sql_upsert_paid or sql_upsert_failed, whose $1..$7 are the user, the
 * course, the order, the amount, the currency and the gateway's order
 * and payment ids; sql_upsert_paid's $8 is held, the reason the payment
 * is held or NULL) and copy the id it returns into out->payment_id: ""
 * when the payment was already in a state sql does not move.
 */
static enum api_err
record(struct db *db, const char *sql, const struct razorpay_order *o,
    const char *provider_order_id, const char *provider_payment_id,
    long long amount, const char *currency, const char *held,
    struct payment_result *out)
{
	const char	*params[8];
	char		 amt[24];

	snprintf(amt, sizeof(amt), "%lld", amount);
	params[0] = o->user_id;
	params[1] = o->course_id;
	params[2] = o->id;
	params[3] = amt;
	params[4] = currency;
	params[5] = provider_order_id;
	params[6] = provider_payment_id;
	params[7] = held;
	return one(db, sql, sql == sql_upsert_paid ? 8 : 7, params,
	    out->payment_id, sizeof(out->payment_id));
}

/*
 * Why a capture of order o must wait for an admin, into reason ("" when
 * it need not).  Returns API_OK or a database error.
 */
static enum api_err
hold_reason(struct db *db, const struct razorpay_order *o, char *reason,
    size_t size)
{
	const char	*params[4];
	char		 amt[24];

	snprintf(amt, sizeof(amt), "%lld", o->amount);
	params[0] = o->course_id;
	params[1] = o->status;
	params[2] = o->currency;
	params[3] = amt;
	return one(db, sql_hold_reason, 4, params, reason, size);
}

/*
 * Payment out->payment_id was captured but waits for an admin (reason):
 * logged and audited as the system.  Returns API_OK or a database error.
 */
static enum api_err
held(struct db *db, const char *rid, const struct razorpay_order *o,
    const char *reason, const struct payment_result *out)
{
	const char	*params[6];

	log_event(LOG_LVL_WARN, rid, "payment_held", "order_id", o->id,
	    "payment_id", out->payment_id, "reason", reason, NULL);
	params[0] = out->payment_id;
	params[1] = reason;
	params[2] = o->id;
	params[3] = o->user_id;
	params[4] = o->course_id;
	params[5] = rid;
	return db_exec(db, sql_audit_held, 6, params, NULL);
}

/*
 * Make user uid's enrollment in course cid active, as paid for, and
 * copy its id into out->enrollment_id.  Returns API_OK or a database
 * error.
 */
static enum api_err
enroll(struct db *db, const char *uid, const char *cid,
    struct payment_result *out)
{
	const char	*params[2];

	params[0] = uid;
	params[1] = cid;
	return one(db, sql_enroll, 2, params, out->enrollment_id,
	    sizeof(out->enrollment_id));
}

enum api_err
payment_apply_paid(struct db *db, const char *rid,
    const char *provider_order_id, const char *provider_payment_id,
    long long amount, const char *currency, struct payment_result *out)
{
	struct razorpay_order	 o;
	const char	*params[2];
	char		 other[24], reason[16];
	enum api_err	 er;

	if ((er = lock_order(db, provider_order_id, &o, out)) != API_OK)
		return er;
	if (amount != o.amount || strcmp(currency, o.currency) != 0) {
		log_event(LOG_LVL_ERROR, rid, "payment_amount_mismatch",
		    "order_id", o.id, "provider_payment_id",
		    provider_payment_id, NULL);
		return API_INVALID;
	}
	/* A second, different capture of a paid order: keep the first. */
	params[0] = o.id;
	params[1] = provider_payment_id;
	if ((er = one(db, sql_paid_other, 2, params, other,
	    sizeof(other))) != API_OK)
		return er;
	if (other[0] != '\0') {
		log_event(LOG_LVL_ERROR, rid, "payment_duplicate_capture",
		    "order_id", o.id, "provider_payment_id",
		    provider_payment_id, NULL);
		snprintf(out->payment_id, sizeof(out->payment_id), "%s", other);
		out->already = 1;
	} else {
		if ((er = hold_reason(db, &o, reason,
		    sizeof(reason))) != API_OK ||
		    (er = record(db, sql_upsert_paid, &o, provider_order_id,
		    provider_payment_id, amount, currency, reason[0] != '\0' ?
		    reason : NULL, out)) != API_OK)
			return er;
		if (out->payment_id[0] == '\0') {
			/* Already paid: find it. */
			out->already = 1;
			if ((er = one(db, sql_payment_id, 1,
			    &provider_payment_id, out->payment_id,
			    sizeof(out->payment_id))) != API_OK)
				return er;
		} else if (reason[0] != '\0' &&
		    (er = held(db, rid, &o, reason, out)) != API_OK)
			return er;
	}
	params[0] = o.id;
	if ((er = db_exec(db, sql_order_paid, 1, params, NULL)) != API_OK)
		return er;
	/* Held (now or before, and not yet confirmed): nobody enrolls. */
	params[0] = out->payment_id;
	if ((er = one(db, sql_is_held, 1, params, reason,
	    sizeof(reason))) != API_OK)
		return er;
	if (reason[0] != '\0') {
		out->held = 1;
		return API_OK;
	}
	if ((er = enroll(db, o.user_id, o.course_id, out)) != API_OK)
		return er;
	if (!out->already)
		log_event(LOG_LVL_INFO, rid, "payment_paid", "order_id", o.id,
		    "payment_id", out->payment_id, NULL);
	return API_OK;
}

enum api_err
payment_apply_failed(struct db *db, const char *rid,
    const char *provider_order_id, const char *provider_payment_id,
    long long amount, const char *currency, struct payment_result *out)
{
	struct razorpay_order	 o;
	enum api_err	 er;

	if ((er = lock_order(db, provider_order_id, &o, out)) != API_OK ||
	    (er = record(db, sql_upsert_failed, &o, provider_order_id,
	    provider_payment_id, amount, currency, NULL, out)) != API_OK)
		return er;
	if (out->payment_id[0] == '\0') {
		/* It exists and is paid (or already failed): nothing moves. */
		out->already = 1;
		er = one(db, sql_payment_id, 1, &provider_payment_id,
		    out->payment_id, sizeof(out->payment_id));
	}
	log_event(LOG_LVL_INFO, rid, "payment_failed", "order_id", o.id,
	    "payment_id", out->payment_id, NULL);
	return er;
}

enum api_err
payment_confirm(struct db *db, const char *payment_id, const char *admin_id,
    struct payment_result *out)
{
	struct db_res	*res = NULL;
	const char	*params[2];
	enum api_err	 er;

	memset(out, 0, sizeof(*out));
	snprintf(out->payment_id, sizeof(out->payment_id), "%s", payment_id);
	if ((er = db_exec(db, sql_lock_held, 1, &payment_id, &res)) !=
	    API_OK)
		return er;
	if (db_nrows(res) != 1) {
		db_res_free(res);
		return API_NOT_FOUND;
	}
	get(res, 0, out->user_id, sizeof(out->user_id));
	snprintf(out->course_id, sizeof(out->course_id), "%s",
	    db_get(res, 0, 1));
	out->already = db_get(res, 0, 2)[0] == 't';
	if (db_get(res, 0, 3)[0] != 't') {
		db_res_free(res);
		return API_CONFLICT;
	}
	db_res_free(res);
	params[0] = payment_id;
	params[1] = admin_id;
	if (!out->already &&
	    (er = db_exec(db, sql_confirm, 2, params, NULL)) != API_OK)
		return er;
	return enroll(db, out->user_id, out->course_id, out);
}

/*
 * Add the enrollment with id eid as member "enrollment" of body.
 * Returns API_OK, API_INTERNAL when it is not there, API_ENOMEM or a
 * database error.
 */
static enum api_err
add_enrollment(struct db *db, const char *eid, cJSON *body)
{
	struct db_res	*res = NULL;
	cJSON		*e;
	enum api_err	 er;

	if ((er = db_exec(db, sql_enrollment, 1, &eid, &res)) != API_OK)
		return er;
	er = db_nrows(res) != 1 ? API_INTERNAL :
	    (e = enrollment_json(res, 0, 0)) == NULL ? API_ENOMEM : API_OK;
	if (er == API_OK)
		cJSON_AddItemToObject(body, "enrollment", e);
	db_res_free(res);
	return er;
}

enum api_err
payment_result_json(struct db *db, const struct payment_result *pr,
    cJSON **out)
{
	struct db_res	*res = NULL;
	cJSON		*body = NULL, *p;
	const char	*pid = pr->payment_id;
	enum api_err	 er;

	*out = NULL;
	if (pr->payment_id[0] == '\0' ||
	    (pr->enrollment_id[0] == '\0' && !pr->held))
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
	if (pr->held) {
		if (cJSON_AddNullToObject(body, "enrollment") == NULL)
			goto out;
		er = API_OK;
	} else if ((er = add_enrollment(db, pr->enrollment_id, body)) !=
	    API_OK)
		goto out;
	*out = body;
	body = NULL;
out:
	cJSON_Delete(body);
	db_res_free(res);
	return er;
}

/* The JSON of a payment: PAYMENT_COLUMNS, in order. */
static const struct row_col payment_cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "user_id", ROW_NUM, 0 },
	{ "course_id", ROW_NUM, 0 },
	{ "order_id", ROW_NUM, 0 },
	{ "method", ROW_TEXT, 0 },
	{ "status", ROW_TEXT, 0 },
	{ "amount", ROW_NUM, 0 },
	{ "currency", ROW_TEXT, 0 },
	{ "provider_order_id", ROW_TEXT, 0 },
	{ "provider_payment_id", ROW_TEXT, 0 },
	{ "notes", ROW_TEXT, 0 },
	{ "recorded_by_user_id", ROW_NUM, 0 },
	{ "created_at", ROW_TEXT, 0 },
	{ "paid_at", ROW_TEXT, 0 },
	{ "held_reason", ROW_TEXT, 0 },
	{ "confirmed_at", ROW_TEXT, 0 },
};

_Static_assert(ROW_NCOLS(payment_cols) == PAYMENT_NCOLUMNS,
    "PAYMENT_NCOLUMNS is the number of payment_cols");

cJSON *
payment_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, payment_cols, ROW_NCOLS(payment_cols));
}

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
    " amount, currency, provider_order_id, provider_payment_id, paid_at)"
    " VALUES ($1::bigint, $2::bigint, $3::bigint, 'razorpay', 'paid',"
    " $4::bigint, $5, $6, $7, now())"
    " ON CONFLICT (provider_payment_id) DO UPDATE SET status = 'paid',"
    " paid_at = now() WHERE p.status <> 'paid'"
    " RETURNING p.id";

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
 * and payment ids) and copy the id it returns into out->payment_id: ""
 * when the payment was already in a state sql does not move.
 */
static enum api_err
record(struct db *db, const char *sql, const struct razorpay_order *o,
    const char *provider_order_id, const char *provider_payment_id,
    long long amount, const char *currency, struct payment_result *out)
{
	const char	*params[7];
	char		 amt[24];

	snprintf(amt, sizeof(amt), "%lld", amount);
	params[0] = o->user_id;
	params[1] = o->course_id;
	params[2] = o->id;
	params[3] = amt;
	params[4] = currency;
	params[5] = provider_order_id;
	params[6] = provider_payment_id;
	return one(db, sql, 7, params, out->payment_id,
	    sizeof(out->payment_id));
}

enum api_err
payment_apply_paid(struct db *db, const char *rid,
    const char *provider_order_id, const char *provider_payment_id,
    long long amount, const char *currency, struct payment_result *out)
{
	struct razorpay_order	 o;
	const char	*params[2];
	char		 other[24];
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
		if ((er = record(db, sql_upsert_paid, &o, provider_order_id,
		    provider_payment_id, amount, currency, out)) != API_OK)
			return er;
		if (out->payment_id[0] == '\0') {
			/* Already paid: find it. */
			out->already = 1;
			if ((er = one(db, sql_payment_id, 1,
			    &provider_payment_id, out->payment_id,
			    sizeof(out->payment_id))) != API_OK)
				return er;
		}
	}
	params[0] = o.id;
	if ((er = db_exec(db, sql_order_paid, 1, params, NULL)) != API_OK)
		return er;
	params[0] = o.user_id;
	params[1] = o.course_id;
	if ((er = one(db, sql_enroll, 2, params, out->enrollment_id,
	    sizeof(out->enrollment_id))) != API_OK)
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
	    provider_payment_id, amount, currency, out)) != API_OK)
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
};

_Static_assert(ROW_NCOLS(payment_cols) == PAYMENT_NCOLUMNS,
    "PAYMENT_NCOLUMNS is the number of payment_cols");

cJSON *
payment_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, payment_cols, ROW_NCOLS(payment_cols));
}

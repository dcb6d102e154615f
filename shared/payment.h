/*
 * lectern — payment: applying what the gateway says, exactly once
 * (SPEC §5).
 *
 * verify, the webhook and lectern-reconcile all learn the same facts
 * ("payment P of order O was captured", "... failed") and all apply them
 * here, so money and enrollments cannot disagree by code path.  Each
 * call runs in the caller's transaction, which must act as the system
 * (db_begin(db, user_or_NULL, "system")): the caller has already decided
 * the fact is genuine (a signature checked, or the gateway asked).
 * The gateway's own rules (ids, signatures, calls) are shared/razorpay.
 */
#ifndef LECTERN_PAYMENT_H
#define LECTERN_PAYMENT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "row.h"

struct db;
struct db_res;

/*
 * The columns payment_json reads, in the order of its column table:
 * select PAYMENT_COLUMNS from payments p (or RETURNING them from an
 * INSERT INTO payments AS p).  PAYMENT_NCOLUMNS is checked against the
 * table when payment.c is compiled.
 */
#define PAYMENT_COLUMNS							\
	"p.id, p.user_id, p.course_id, p.order_id, p.method, p.status,"	\
	" p.amount, p.currency, p.provider_order_id,"			\
	" p.provider_payment_id, p.notes, p.recorded_by_user_id, "	\
	SQL_UTC("p.created_at") ", " SQL_UTC("p.paid_at") ","	\
	" p.held_reason, " SQL_UTC("p.confirmed_at")
#define PAYMENT_NCOLUMNS	16

struct payment_result {
	char	 payment_id[24];	/* "" when nothing was recorded */
	char	 enrollment_id[24];	/* "" unless paid and not held */
	char	 user_id[24];
	char	 course_id[24];
	int	 already;		/* it was applied before */
	int	 held;			/* paid, waits for an admin */
};

/*
 * Payment provider_payment_id of the order the gateway knows as
 * provider_order_id was captured for amount (minor units) in currency.
 * Locks the order, checks amount and currency against it (API_INVALID
 * when they differ, logged), records the payment as paid (or finds it
 * paid), marks the order paid and makes the enrollment active.  A
 * capture of an order that was replaced by a newer one, or that costs
 * less than the course does now, is recorded, logged and audited as
 * held instead: out->held is 1, and nobody is enrolled until an admin
 * confirms it (POST /api/admin/payments/{id}/confirm).  Returns
 * API_OK with *out filled, API_NOT_FOUND for an unknown order, or a
 * database error.  Idempotent.
 */
enum api_err	payment_apply_paid(struct db *db, const char *rid,
		    const char *provider_order_id,
		    const char *provider_payment_id, long long amount,
		    const char *currency, struct payment_result *out)
		    __attribute__((warn_unused_result));

/*
 * Payment provider_payment_id of that order failed: recorded as failed
 * unless it is already paid (then nothing changes).  The order stays
 * open for another attempt.  Returns API_OK, API_NOT_FOUND or a database
 * error.
 */
enum api_err	payment_apply_failed(struct db *db, const char *rid,
		    const char *provider_order_id,
		    const char *provider_payment_id, long long amount,
		    const char *currency, struct payment_result *out)
		    __attribute__((warn_unused_result));

/*
 * An admin (admin_id) lets held payment payment_id through: it is
 * marked confirmed and the payer's enrollment made active, in the open
 * transaction.  Confirming it again changes nothing (out->already is
 * then 1).  Returns API_OK with *out filled, API_NOT_FOUND when there
 * is no such payment, API_CONFLICT when it was never held, or a
 * database error.
 */
enum api_err	payment_confirm(struct db *db, const char *payment_id,
		    const char *admin_id, struct payment_result *out)
		    __attribute__((warn_unused_result));

/*
 * {payment, enrollment} for what payment_apply_paid or payment_confirm
 * did, read in the open transaction, into *out (a new object the caller
 * frees); enrollment is null when the payment is held.  Returns API_OK,
 * API_INTERNAL, API_ENOMEM or a database error.
 */
enum api_err	payment_result_json(struct db *db,
		    const struct payment_result *pr, cJSON **out)
		    __attribute__((warn_unused_result));

/*
 * The JSON of a payment row selected with PAYMENT_COLUMNS from col: a
 * new object the caller frees, or NULL when out of memory or the row is
 * not there.
 */
cJSON		*payment_json(const struct db_res *res, int row, int col);

#endif /* LECTERN_PAYMENT_H */

/*
 * lectern — POST /api/payments/create-order: open a Razorpay order for a
 * paid course (SPEC §5).  The course must be published and not archived
 * (404), paid (a free one is 409: enroll directly) and not already the
 * caller's (409 already_enrolled).  An open order of the caller's for
 * the course at the current price is returned as it is (200); otherwise
 * an id is reserved, sent to the gateway as the receipt, and the
 * payment_orders row is written only once the gateway has answered with
 * a well-formed order (201), so a gateway that is down, slow or wrong
 * leaves nothing behind (502).  No transaction is held open during the
 * call.  Rate class payment, per user.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"
#include "razorpay.h"

static enum api_err	payment_create_order(struct call *);

enum field { F_COURSE_ID, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_COURSE_ID] = { .name = "course_id", .fn = valid_id,
	    .flags = VF_REQUIRED },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/payments/create-order",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_PAYMENT,
	.run = payment_create_order,
};

static const char sql_open[] =
    "SELECT " RAZORPAY_ORDER_COLUMNS " FROM payment_orders o"
    " WHERE o.user_id = $1::bigint AND o.course_id = $2::bigint"
    " AND o.status = 'created'";

static const char sql_reserve[] =
    "SELECT nextval(pg_get_serial_sequence('payment_orders', 'id'))";

/* An open order at an older price gives way to the new one. */
static const char sql_supersede[] =
    "UPDATE payment_orders SET status = 'failed'"
    " WHERE user_id = $1::bigint AND course_id = $2::bigint"
    " AND status = 'created' AND (amount <> $3::bigint OR currency <> $4)";

static const char sql_insert[] =
    "INSERT INTO payment_orders (id, user_id, course_id, amount, currency,"
    " provider_order_id) VALUES ($1::bigint, $2::bigint, $3::bigint,"
    " $4::bigint, $5, $6)";

/*
 * Find the caller's open order for course cid into *o (*found 0 or 1),
 * in the open transaction.  Returns API_OK or a database error.
 */
static enum api_err
find_open(struct db *db, const char *uid, const char *cid,
    struct razorpay_order *o, int *found)
{
	const char	*params[2];
	enum api_err	 er;

	*found = 0;
	params[0] = uid;
	params[1] = cid;
	if ((er = razorpay_order_load(db, sql_open, 2, params, o)) ==
	    API_NOT_FOUND)
		return API_OK;
	if (er == API_OK)
		*found = 1;
	return er;
}

/*
 * Send status with {order_id, amount, currency, key_id, receipt} for o,
 * and Location when it is 201.  Returns API_OK or API_ENOMEM.
 */
static enum api_err
send_order(struct req *r, int status, const struct razorpay_order *o)
{
	cJSON		*body;
	enum api_err	 er;

	if ((body = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(body, "order_id", o->provider_id) == NULL ||
	    cJSON_AddNumberToObject(body, "amount", (double)o->amount) ==
	    NULL ||
	    cJSON_AddStringToObject(body, "currency", o->currency) == NULL ||
	    cJSON_AddStringToObject(body, "key_id",
	    config_get()->razorpay_key_id) == NULL ||
	    cJSON_AddStringToObject(body, "receipt", o->id) == NULL) {
		cJSON_Delete(body);
		return API_ENOMEM;
	}
	/*
	 * Only with 201: Apache turns a 200 with a local Location into an
	 * internal redirect (CGI/1.1 local redirect response).
	 */
	if (status == 201)
		(void)http_header(r, "Location", "/api/payments");
	er = http_send(r, status, body);
	cJSON_Delete(body);
	return er;
}

/*
 * Check course cid for the caller of c (in the caller's transaction) and
 * fill *o with what an order for it costs.  *open is set when the caller
 * already has an open order at that price (o is then that order).
 * Returns API_OK, API_NOT_FOUND, API_CONFLICT (free),
 * API_ALREADY_ENROLLED or a database error.
 */
static enum api_err
check_course(struct call *c, const char *cid, struct razorpay_order *o,
    int *open)
{
	struct course	 co;
	int		 enrolled, found;
	enum api_err	 er;

	*open = 0;
	if ((er = course_load(c->db, cid, &co)) != API_OK)
		return er;
	if (!co.published || co.archived)
		return API_NOT_FOUND;
	if (co.price_minor <= 0)
		return http_fail(c->r, API_CONFLICT,
		    "this course is free: enroll directly");
	if ((er = course_enrolled(c->db, co.id_str, c->user_id,
	    &enrolled)) != API_OK)
		return er;
	if (enrolled)
		return API_ALREADY_ENROLLED;
	if ((er = find_open(c->db, c->user_id, cid, o, &found)) != API_OK)
		return er;
	if (found && o->amount == co.price_minor &&
	    strcmp(o->currency, co.currency) == 0) {
		*open = 1;
		return API_OK;
	}
	memset(o, 0, sizeof(*o));
	o->amount = co.price_minor;
	snprintf(o->currency, sizeof(o->currency), "%s", co.currency);
	snprintf(o->user_id, sizeof(o->user_id), "%s", c->user_id);
	snprintf(o->course_id, sizeof(o->course_id), "%s", cid);
	return API_OK;
}

/*
 * Write order o of the caller of c in a transaction of its own, which
 * the runner commits.  When a concurrent create-order wrote its open
 * order first, *o becomes that one and *won is 0.  Returns API_OK or a
 * database error.
 */
static enum api_err
store_order(struct call *c, struct razorpay_order *o, int *won)
{
	const char	*params[6];
	char		 amount[24];
	int		 found;
	enum api_err	 er;

	*won = 0;
	snprintf(amount, sizeof(amount), "%lld", o->amount);
	/*
	 * After the gateway call, for which the reservation's transaction
	 * was committed: a new one, as the caller again.
	 */
	if ((er = endpoint_begin(c)) != API_OK)
		return er;
	params[0] = c->user_id;
	params[1] = o->course_id;
	params[2] = amount;
	params[3] = o->currency;
	if ((er = db_exec(c->db, sql_supersede, 4, params, NULL)) != API_OK)
		return er;
	params[0] = o->id;
	params[1] = c->user_id;
	params[2] = o->course_id;
	params[3] = amount;
	params[4] = o->currency;
	params[5] = o->provider_id;
	er = db_exec(c->db, sql_insert, 6, params, NULL);
	if (er == API_CONFLICT && strcmp(db_last_constraint(c->db),
	    "payment_orders_open_key") == 0) {
		/*
		 * The winner's order is the caller's open order; the failed
		 * insert spoilt this transaction, so read it in another.
		 */
		db_rollback(c->db);
		if ((er = endpoint_begin(c)) != API_OK ||
		    (er = find_open(c->db, c->user_id, o->course_id, o,
		    &found)) != API_OK)
			return er;
		return found ? API_OK : API_CONFLICT;
	}
	if (er != API_OK)
		return er;
	*won = 1;
	return API_OK;
}

static enum api_err
payment_create_order(struct call *c)
{
	const struct config	*cfg = config_get();
	struct razorpay_order	 o;
	struct db_res		*res = NULL;
	const char		*why;
	char			 cause[256];
	char			 cid[24];
	int			 open, won;
	enum api_err		 er;

	snprintf(cid, sizeof(cid), "%lld", c->in[F_COURSE_ID].v.i);
	/* A free course is 409 whether or not payments are set up. */
	if ((er = check_course(c, cid, &o, &open)) != API_OK)
		return er;
	if (cfg->razorpay_key_id == NULL || cfg->razorpay_key_secret == NULL) {
		log_event(LOG_LVL_ERROR, c->r->request_id, "configuration",
		    "missing", "LECTERN_RAZORPAY_KEY_ID or _KEY_SECRET", NULL);
		return http_fail(c->r, API_UNAVAILABLE,
		    "payments are not configured: LECTERN_RAZORPAY_KEY_ID and "
		    "LECTERN_RAZORPAY_KEY_SECRET are not set");
	}
	if (open)
		return send_order(c->r, 200, &o);
	if ((er = db_exec(c->db, sql_reserve, 0, NULL, &res)) != API_OK)
		return er;
	snprintf(o.id, sizeof(o.id), "%s", db_get(res, 0, 0) != NULL ?
	    db_get(res, 0, 0) : "");
	db_res_free(res);
	if (o.id[0] == '\0')
		return API_INTERNAL;
	/*
	 * Commit before the gateway call: no transaction (nor pooled
	 * connection) is held while the gateway takes its time.
	 */
	if ((er = db_commit(c->db)) != API_OK)
		return er;
	if ((er = razorpay_order_create(c->r->request_id, &o, &why, cause,
	    sizeof(cause))) != API_OK) {
		http_cause(c->r, cause);
		return why != NULL ? http_fail(c->r, er, why) : er;
	}
	if ((er = store_order(c, &o, &won)) != API_OK)
		return er;
	if (won)
		log_event(LOG_LVL_INFO, c->r->request_id,
		    "payment_order_created", "order_id", o.id,
		    "provider_order_id", o.provider_id, NULL);
	return send_order(c->r, won ? 201 : 200, &o);
}

ENDPOINT_MAIN(endpoint)

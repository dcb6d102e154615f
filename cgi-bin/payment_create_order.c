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
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "conf.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "httpc.h"
#include "json.h"
#include "log.h"
#include "ratelimit.h"
#include "valid.h"

#define ORDER_ID_MAX	64	/* the schema's limit on provider_order_id */

enum field { F_COURSE_ID, F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "course_id", valid_id, VF_REQUIRED, 0, 0 },
};

static const char sql_open[] =
    "SELECT id, provider_order_id, amount, currency FROM payment_orders"
    " WHERE user_id = $1::bigint AND course_id = $2::bigint"
    " AND status = 'created'";

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

struct order {
	char		 id[24];		/* ours: the receipt */
	char		 provider_id[ORDER_ID_MAX + 1];
	long long	 amount;
	char		 currency[8];
};

/*
 * Whether s is a gateway id: 1 to ORDER_ID_MAX letters, digits or
 * underscores.
 */
static int
gateway_id_ok(const char *s)
{
	size_t	 len;

	if (s == NULL)
		return 0;
	len = strlen(s);
	return len > 0 && len <= ORDER_ID_MAX &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_") == len;
}

/*
 * Find the caller's open order for the course into *o (*found 0 or 1),
 * in the caller's transaction.  Returns API_OK or a database error.
 */
static enum api_err
find_open(struct db *db, const char *uid, const char *cid, struct order *o,
    int *found)
{
	struct db_res	*res = NULL;
	const char	*params[2], *v;
	enum api_err	 er;

	memset(o, 0, sizeof(*o));
	*found = 0;
	params[0] = uid;
	params[1] = cid;
	if ((er = db_exec(db, sql_open, 2, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) == 1) {
		snprintf(o->id, sizeof(o->id), "%s", db_get(res, 0, 0));
		snprintf(o->provider_id, sizeof(o->provider_id), "%s",
		    db_get(res, 0, 1));
		o->amount = strtoll(db_get(res, 0, 2), NULL, 10);
		v = db_get(res, 0, 3);
		snprintf(o->currency, sizeof(o->currency), "%s",
		    v != NULL ? v : "");
		*found = 1;
	}
	db_res_free(res);
	return API_OK;
}

/*
 * Send status with {order_id, amount, currency, key_id, receipt} for o,
 * and Location when it is 201.  Returns API_OK or API_ENOMEM.
 */
static enum api_err
send_order(struct req *r, int status, const struct order *o)
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
 * The JSON text of the gateway's order request for o (course cid, user
 * uid); the caller frees it with cJSON_free.  NULL when out of memory.
 */
static char *
order_request(const struct order *o, const char *cid, const char *uid)
{
	cJSON	*q, *notes;
	char	*text = NULL;

	if ((q = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(q, "amount", (double)o->amount) == NULL ||
	    cJSON_AddStringToObject(q, "currency", o->currency) == NULL ||
	    cJSON_AddStringToObject(q, "receipt", o->id) == NULL ||
	    (notes = cJSON_AddObjectToObject(q, "notes")) == NULL ||
	    cJSON_AddStringToObject(notes, "course_id", cid) == NULL ||
	    cJSON_AddStringToObject(notes, "user_id", uid) == NULL)
		goto out;
	text = json_emit(q);
out:
	cJSON_Delete(q);
	return text;
}

/*
 * Ask the gateway for an order o->amount in o->currency with receipt
 * o->id, and store its id in o->provider_id.  Returns API_OK;
 * API_UPSTREAM (with the message set and the reason logged) when no
 * answer came in time, the answer was not 2xx, or it was not an order
 * of that amount with a usable id; API_UNAVAILABLE when the API base
 * URL is unusably long; API_ENOMEM.
 */
static enum api_err
gateway_order(struct req *r, struct order *o, const char *cid,
    const char *uid)
{
	const struct config	*cfg = config_get();
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	cJSON			*root = NULL;
	const char		*id = NULL, *cur;
	char			*text, url[512], st[16];
	long long		 amount;
	enum api_err		 er;

	if ((size_t)snprintf(url, sizeof(url), "%s/orders",
	    cfg->razorpay_api_base) >= sizeof(url)) {
		log_event(LOG_LVL_ERROR, r->request_id, "configuration",
		    "invalid", "LECTERN_RAZORPAY_API_BASE is too long", NULL);
		return http_fail(r, API_UNAVAILABLE,
		    "payments are not configured");
	}
	if ((text = order_request(o, cid, uid)) == NULL)
		return API_ENOMEM;
	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.url = url;
	q.user = cfg->razorpay_key_id;
	q.password = cfg->razorpay_key_secret;
	q.body = text;
	q.content_type = "application/json";
	q.connect_timeout = 5;
	q.timeout = 10;
	er = httpc_request(&q, &resp, r->request_id);
	cJSON_free(text);
	if (er == API_UPSTREAM) {
		er = http_fail(r, API_UPSTREAM,
		    "the payment gateway did not answer");
		goto out;
	}
	if (er != API_OK)
		goto out;
	snprintf(st, sizeof(st), "%ld", resp.status);
	if (resp.status < 200 || resp.status > 299) {
		log_event(LOG_LVL_ERROR, r->request_id, "gateway_order_refused",
		    "status", st, "receipt", o->id, NULL);
		er = http_fail(r, API_UPSTREAM,
		    "the payment gateway refused the order");
		goto out;
	}
	if (json_parse(resp.body, resp.len, &root) != API_OK ||
	    !cJSON_IsObject(root) ||
	    !gateway_id_ok(id = json_get_string(root, "id")) ||
	    !json_get_int(root, "amount", &amount) || amount != o->amount ||
	    ((cur = json_get_string(root, "currency")) != NULL &&
	    strcmp(cur, o->currency) != 0)) {
		log_event(LOG_LVL_ERROR, r->request_id,
		    "gateway_order_malformed", "status", st, "receipt", o->id,
		    NULL);
		er = http_fail(r, API_UPSTREAM,
		    "the payment gateway's answer was malformed");
		goto out;
	}
	snprintf(o->provider_id, sizeof(o->provider_id), "%s", id);
	er = API_OK;
out:
	cJSON_Delete(root);
	httpc_resp_free(&resp);
	return er;
}

/*
 * Check course cid for the caller a (in a's transaction) and fill *o
 * with what an order for it costs.  *open is set when the caller
 * already has an open order at that price (o is then that order).
 * Returns API_OK, API_NOT_FOUND, API_CONFLICT (free),
 * API_ALREADY_ENROLLED or a database error.
 */
static enum api_err
check_course(struct req *r, struct db *db, const struct auth *a,
    const char *cid, struct order *o, int *open)
{
	struct course	 c;
	int		 enrolled, found;
	enum api_err	 er;

	*open = 0;
	if ((er = course_load(db, cid, &c)) != API_OK)
		return er;
	if (!c.published || c.archived)
		return API_NOT_FOUND;
	if (c.price_minor <= 0)
		return http_fail(r, API_CONFLICT,
		    "this course is free: enroll directly");
	if ((er = course_enrolled(db, c.id_str, a->user.id_str,
	    &enrolled)) != API_OK)
		return er;
	if (enrolled)
		return API_ALREADY_ENROLLED;
	if ((er = find_open(db, a->user.id_str, cid, o, &found)) != API_OK)
		return er;
	if (found && o->amount == c.price_minor &&
	    strcmp(o->currency, c.currency) == 0) {
		*open = 1;
		return API_OK;
	}
	memset(o, 0, sizeof(*o));
	o->amount = c.price_minor;
	snprintf(o->currency, sizeof(o->currency), "%s", c.currency);
	return API_OK;
}

/*
 * Write order o of the caller for course cid in a transaction of its
 * own.  When a concurrent create-order wrote its open order first, *o
 * becomes that one and *won is 0.  Returns API_OK or a database error.
 */
static enum api_err
store_order(struct db *db, const struct auth *a, const char *cid,
    struct order *o, int *won)
{
	const char	*params[6];
	char		 amount[24];
	int		 found;
	enum api_err	 er;

	*won = 0;
	snprintf(amount, sizeof(amount), "%lld", o->amount);
	if ((er = db_begin(db, a->user.id_str, a->user.role)) != API_OK)
		return er;
	params[0] = a->user.id_str;
	params[1] = cid;
	params[2] = amount;
	params[3] = o->currency;
	if ((er = db_exec(db, sql_supersede, 4, params, NULL)) != API_OK)
		return er;
	params[0] = o->id;
	params[1] = a->user.id_str;
	params[2] = cid;
	params[3] = amount;
	params[4] = o->currency;
	params[5] = o->provider_id;
	er = db_exec(db, sql_insert, 6, params, NULL);
	if (er == API_CONFLICT &&
	    strcmp(db_last_constraint(db), "payment_orders_open_key") == 0) {
		/* The winner's order is the caller's open order. */
		db_rollback(db);
		if ((er = db_begin(db, a->user.id_str, a->user.role)) !=
		    API_OK ||
		    (er = find_open(db, a->user.id_str, cid, o, &found)) !=
		    API_OK)
			return er;
		return found ? db_commit(db) : API_CONFLICT;
	}
	if (er != API_OK || (er = db_commit(db)) != API_OK)
		return er;
	*won = 1;
	return API_OK;
}

static enum api_err
handle(struct req *r)
{
	const struct config	*cfg = config_get();
	struct vout		 in[F__MAX];
	struct auth		 a;
	struct order		 o;
	struct db		*db;
	struct db_res		*res = NULL;
	cJSON			*body, *errs = NULL;
	char			 cid[24];
	int			 open, won;
	enum api_err		 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK ||
	    (er = ratelimit_check(r, db, RL_PAYMENT, a.user.id_str)) !=
	    API_OK ||
	    (er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	snprintf(cid, sizeof(cid), "%lld", in[F_COURSE_ID].v.i);
	valid_out_free(in, fields, F__MAX);
	if (cfg->razorpay_key_id == NULL || cfg->razorpay_key_secret == NULL) {
		log_event(LOG_LVL_ERROR, r->request_id, "configuration",
		    "missing", "LECTERN_RAZORPAY_KEY_ID or _KEY_SECRET", NULL);
		return http_fail(r, API_UNAVAILABLE,
		    "payments are not configured");
	}
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = check_course(r, db, &a, cid, &o, &open)) != API_OK)
		return er;
	if (open) {
		if ((er = db_commit(db)) != API_OK)
			return er;
		return send_order(r, 200, &o);
	}
	if ((er = db_exec(db, sql_reserve, 0, NULL, &res)) != API_OK)
		return er;
	snprintf(o.id, sizeof(o.id), "%s", db_get(res, 0, 0) != NULL ?
	    db_get(res, 0, 0) : "");
	db_res_free(res);
	/* Hold no transaction (nor pooled connection) during the call. */
	if (o.id[0] == '\0')
		return API_INTERNAL;
	if ((er = db_commit(db)) != API_OK ||
	    (er = gateway_order(r, &o, cid, a.user.id_str)) != API_OK ||
	    (er = store_order(db, &a, cid, &o, &won)) != API_OK)
		return er;
	if (won)
		log_event(LOG_LVL_INFO, r->request_id, "payment_order_created",
		    "order_id", o.id, "provider_order_id", o.provider_id, NULL);
	return send_order(r, won ? 201 : 200, &o);
}

int
main(void)
{

	return http_main("POST", handle);
}

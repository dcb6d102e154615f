/*
 * lectern — POST /api/payments/manual-record: an admin records a payment
 * made outside the gateway (a bank transfer, cash) and enrolls the payer
 * (SPEC §5).
 *
 * The payer is an existing user (user_id) or an email address with a
 * name: an address nobody has yet becomes a student whose password is
 * unusable, with a single-use link to choose one (valid for 7 days: an
 * admin-made account's owner did not ask for the mail and may open it
 * late) queued in the outbox.  The user, the payment (method manual,
 * status paid, recorded_by_user_id the caller), the active enrollment,
 * the welcome mail and the audit entry are written in one transaction,
 * so none of them exists without the others.  The reset token goes only
 * into the mail; the database keeps its SHA-256.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "conf.h"
#include "course.h"
#include "crypto.h"
#include "db.h"
#include "endpoint.h"
#include "enrollment.h"
#include "http.h"
#include "log.h"
#include "password.h"
#include "payment.h"
#include "row.h"
#include "valid.h"

#define WELCOME_TOKEN_BYTES	32
#define WELCOME_SUBJECT		"Your lectern account"

enum field {
	F_COURSE, F_USER, F_EMAIL, F_NAME, F_AMOUNT, F_CURRENCY, F_ORDER,
	F_PAYMENT, F_NOTES, F__MAX
};

static enum api_err	payment_manual_record(struct call *);

/*
 * The provider ids of a payment made outside the gateway are whatever
 * the bank or the admin calls it ("bank-ref-77"), not Razorpay ids.
 */
static const struct vfield fields[F__MAX] = {
	[F_COURSE] = { .name = "course_id", .fn = valid_id,
	    .flags = VF_REQUIRED },
	[F_USER] = { .name = "user_id", .fn = valid_id },
	[F_EMAIL] = { .name = "email", .fn = valid_email },
	[F_NAME] = { .name = "name", .fn = valid_string, .min = 1,
	    .max = 200 },
	[F_AMOUNT] = { .name = "amount", .fn = valid_int,
	    .max = COURSE_PRICE_MAX },
	[F_CURRENCY] = { .name = "currency", .fn = valid_string, .min = 3,
	    .max = 3 },
	[F_ORDER] = { .name = "provider_order_id", .fn = valid_string,
	    .min = 1, .max = 64 },
	[F_PAYMENT] = { .name = "provider_payment_id", .fn = valid_string,
	    .min = 1, .max = 64 },
	[F_NOTES] = { .name = "notes", .fn = valid_string,
	    .flags = VF_MULTILINE, .min = 1, .max = 2000 },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/payments/manual-record",
	.who = ROLE_ADMIN,
	.fields = fields,
	.nfields = F__MAX,
	.run = payment_manual_record,
};

static const char sql_source[] =
    "SELECT set_config('lectern.source', 'manual', true)";

static const char sql_user_by_id[] =
    "SELECT " AUTH_USER_COLUMNS " FROM users u WHERE u.id = $1::bigint";

static const char sql_user_by_email[] =
    "SELECT " AUTH_USER_COLUMNS " FROM users u"
    " WHERE lower(u.email) = lower($1)";

/* Nothing comes back when the address is taken (perhaps just now). */
static const char sql_user_create[] =
    "INSERT INTO users AS u (email, name, password_hash, role)"
    " VALUES ($1, $2, $3, 'student')"
    " ON CONFLICT ((lower(email))) DO NOTHING"
    " RETURNING " AUTH_USER_COLUMNS;

/* The reset and its mail together; the mail names the user and course. */
static const char sql_welcome[] =
    "WITH pr AS (INSERT INTO password_resets (user_id, token_hash,"
    "  expires_at) VALUES ($1::bigint, $2, now() + interval '7 days')"
    "  RETURNING user_id)"
    " INSERT INTO email_outbox (to_address, subject, body)"
    " SELECT u.email, $3, format($4, u.name, c.title, $5::text)"
    " FROM pr JOIN users u ON u.id = pr.user_id, courses c"
    " WHERE c.id = $6::bigint RETURNING id";

static const char sql_payment[] =
    "INSERT INTO payments AS p (user_id, course_id, method, status, amount,"
    " currency, provider_order_id, provider_payment_id, notes,"
    " recorded_by_user_id, paid_at) VALUES ($1::bigint, $2::bigint,"
    " 'manual', 'paid', $3::bigint, $4, $5, $6, $7, $8::bigint, now())"
    " RETURNING " PAYMENT_COLUMNS;

/* An enrollment made active again says what made it so. */
static const char sql_enroll[] =
    "INSERT INTO enrollments AS e (user_id, course_id, status, source)"
    " VALUES ($1::bigint, $2::bigint, 'active', 'manual')"
    " ON CONFLICT ON CONSTRAINT enrollments_user_course_key DO UPDATE"
    " SET status = 'active', source = CASE WHEN e.status = 'active'"
    " THEN e.source ELSE 'manual' END"
    " RETURNING " ENROLLMENT_COLUMNS;

/* A format() string: %s are the name, the course title and the link. */
static const char welcome_fmt[] =
    "Hello %s,\n"
    "\n"
    "An administrator of lectern recorded your payment for the course\n"
    "\"%s\" and made an account for you with this email address.  To\n"
    "choose your password and sign in, open this link:\n"
    "\n"
    "%s\n"
    "\n"
    "The link works once and expires in 7 days.  After that, ask for a\n"
    "new one with \"Forgot password\" on the sign-in page.\n";

/* What the welcome of a new account needs, made before the transaction. */
struct welcome {
	char	*unusable;	/* the password_hash of the new account */
	char	*link;		/* the reset link, token included */
	char	 hash[CRYPTO_SHA256_HEX_SIZE];	/* the token's SHA-256 */
};

/*
 * Check the rules valid_object cannot: exactly one of user_id and
 * email, name exactly with email, a supported currency.  Returns API_OK
 * or API_INVALID with the field named.
 */
static enum api_err
check_payer(struct req *r, const struct vout *in)
{

	if (in[F_USER].present && in[F_EMAIL].present)
		return http_invalid_field(r, "user_id",
		    "give either user_id or email, not both");
	if (!in[F_USER].present && !in[F_EMAIL].present)
		return http_invalid_field(r, "user_id",
		    "user_id or email is required");
	if (in[F_EMAIL].present && !in[F_NAME].present)
		return http_invalid_field(r, "name",
		    "is required with email");
	if (in[F_USER].present && in[F_NAME].present)
		return http_invalid_field(r, "name",
		    "goes only with email, for a new account");
	if (in[F_CURRENCY].present && !course_currency_ok(in[F_CURRENCY].v.s))
		return http_invalid_field(r, "currency",
		    "is not a supported currency");
	return API_OK;
}

/* Wipe and free what w holds.  Safe on a zeroed w. */
static void
welcome_free(struct welcome *w)
{

	free(w->unusable);
	crypto_wipe_free(w->link);
	explicit_bzero(w->hash, sizeof(w->hash));
	memset(w, 0, sizeof(*w));
}

/*
 * Make the unusable password, a reset token and its link under the
 * configured public URL (a trailing slash dropped) into *w, which the
 * caller frees with welcome_free even on failure.  Returns API_OK,
 * API_ENOMEM or API_INTERNAL.
 */
static enum api_err
welcome_new(struct welcome *w)
{
	const char	*base = config_get()->public_url;
	size_t		 blen = strlen(base), size;
	char		*token = NULL;
	enum api_err	 er;

	memset(w, 0, sizeof(*w));
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if ((er = password_unusable(&w->unusable)) != API_OK ||
	    (er = crypto_token(WELCOME_TOKEN_BYTES, &token)) != API_OK ||
	    (er = crypto_sha256_hex(token, strlen(token), w->hash)) != API_OK)
		goto out;
	size = blen + strlen("/reset-password#token=") + strlen(token) + 1;
	if ((w->link = malloc(size)) == NULL) {
		log_warnx("welcome_new: out of memory");
		er = API_ENOMEM;
		goto out;
	}
	(void)snprintf(w->link, size, "%.*s/reset-password#token=%s",
	    (int)blen, base, token);
	er = API_OK;
out:
	crypto_wipe_free(token);
	return er;
}

/*
 * Read the single user that sql (with one parameter) selects into *u.
 * Returns API_OK, API_NOT_FOUND or a database error.
 */
static enum api_err
user_one(struct db *db, const char *sql, const char *param, struct user *u)
{
	struct db_res	*res = NULL;
	enum api_err	 er;

	if ((er = db_exec(db, sql, 1, &param, &res)) != API_OK)
		return er;
	er = auth_user_from_row(res, 0, 0, u) ? API_OK : API_NOT_FOUND;
	db_res_free(res);
	return er;
}

/*
 * The payer of in, in the open transaction: the user named by user_id,
 * or the owner of email, or a new student with that email and name (then
 * *created is 1 and the welcome mail is queued).  Returns API_OK,
 * API_NOT_FOUND for an unknown user_id, or a database error.
 */
static enum api_err
payer(struct req *r, struct db *db, const struct vout *in,
    const struct welcome *w, const char *course_id, struct user *u,
    int *created)
{
	struct db_res	*res = NULL;
	const char	*params[6];
	char		 id[24];
	enum api_err	 er;

	*created = 0;
	if (in[F_USER].present) {
		snprintf(id, sizeof(id), "%lld", in[F_USER].v.i);
		if ((er = user_one(db, sql_user_by_id, id, u)) == API_NOT_FOUND)
			return http_fail(r, er, "user not found");
		return er;
	}
	params[0] = in[F_EMAIL].v.s;
	params[1] = in[F_NAME].v.s;
	params[2] = w->unusable;
	if ((er = db_exec(db, sql_user_create, 3, params, &res)) != API_OK)
		return er;
	if (!auth_user_from_row(res, 0, 0, u)) {
		/* The address has an account: that is the payer. */
		db_res_free(res);
		if ((er = user_one(db, sql_user_by_email, in[F_EMAIL].v.s,
		    u)) == API_NOT_FOUND)
			er = API_INTERNAL;
		return er;
	}
	db_res_free(res);
	res = NULL;
	*created = 1;
	params[0] = u->id_str;
	params[1] = w->hash;
	params[2] = WELCOME_SUBJECT;
	params[3] = welcome_fmt;
	params[4] = w->link;
	params[5] = course_id;
	if ((er = db_exec(db, sql_welcome, 6, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) == 1)
		log_event(LOG_LVL_INFO, r->request_id, "welcome_mail_queued",
		    "user_id", u->id_str, "outbox_id", db_get(res, 0, 0), NULL);
	else
		er = API_INTERNAL;
	db_res_free(res);
	return er;
}

/*
 * Record in the audit log that admin a recorded payment payment_id of
 * amount for user u in course_id.  Returns API_OK, API_ENOMEM or a
 * database error.
 */
static enum api_err
audit_recorded(struct req *r, struct db *db, const struct auth *a,
    const char *payment_id, const char *course_id, const struct user *u,
    long long amount, int created)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) != NULL &&
	    cJSON_AddNumberToObject(d, "payment_id",
	    (double)strtoll(payment_id, NULL, 10)) != NULL &&
	    cJSON_AddNumberToObject(d, "course_id",
	    (double)strtoll(course_id, NULL, 10)) != NULL &&
	    cJSON_AddNumberToObject(d, "user_id", (double)u->id) != NULL &&
	    cJSON_AddNumberToObject(d, "amount", (double)amount) != NULL &&
	    cJSON_AddBoolToObject(d, "user_created", created) != NULL)
		er = audit_log(r, db, a->user.id_str, "payment.manual_record",
		    "payment", payment_id, d);
	cJSON_Delete(d);
	return er;
}

/*
 * Insert the payment of u for course c from in and make the enrollment
 * active, adding both to out as "payment" and "enrollment"; the new
 * payment's id goes into payment_id.  Returns API_OK, API_CONFLICT for
 * a provider_payment_id already recorded, or another error.
 */
static enum api_err
record(struct req *r, struct db *db, const struct auth *a,
    const struct vout *in, const struct course *c, const struct user *u,
    cJSON *out, char *payment_id, size_t size, long long *amount)
{
	struct db_res	*res = NULL;
	const char	*params[8];
	char		 amt[24];
	enum api_err	 er;

	*amount = in[F_AMOUNT].present ? in[F_AMOUNT].v.i : c->price_minor;
	snprintf(amt, sizeof(amt), "%lld", *amount);
	params[0] = u->id_str;
	params[1] = c->id_str;
	params[2] = amt;
	params[3] = in[F_CURRENCY].present ? in[F_CURRENCY].v.s : c->currency;
	params[4] = in[F_ORDER].present ? in[F_ORDER].v.s : NULL;
	params[5] = in[F_PAYMENT].present ? in[F_PAYMENT].v.s : NULL;
	params[6] = in[F_NOTES].present ? in[F_NOTES].v.s : NULL;
	params[7] = a->user.id_str;
	er = db_exec(db, sql_payment, 8, params, &res);
	if (er == API_CONFLICT)
		return http_fail(r, er,
		    "a payment with this provider_payment_id is recorded");
	if (er != API_OK)
		return er;
	snprintf(payment_id, size, "%s", db_get(res, 0, 0) != NULL ?
	    db_get(res, 0, 0) : "");
	if (row_add_one(out, "payment", res, payment_json) == -1)
		er = API_ENOMEM;
	db_res_free(res);
	res = NULL;
	if (er != API_OK ||
	    (er = db_exec(db, sql_enroll, 2, params, &res)) != API_OK)
		return er;
	if (row_add_one(out, "enrollment", res, enrollment_json) == -1)
		er = API_ENOMEM;
	db_res_free(res);
	return er;
}

static enum api_err
payment_manual_record(struct call *c)
{
	struct req	*r = c->r;
	struct welcome	 w;
	struct course	 co;
	struct user	 u;
	cJSON		*out = NULL, *uj;
	char		 course_id[24], payment_id[24];
	long long	 amount;
	int		 created;
	enum api_err	 er;

	memset(&w, 0, sizeof(w));
	/* What the field table cannot say, before any query. */
	if ((er = check_payer(r, c->in)) != API_OK ||
	    (c->in[F_EMAIL].present && (er = welcome_new(&w)) != API_OK))
		goto out;
	if ((out = cJSON_CreateObject()) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	snprintf(course_id, sizeof(course_id), "%lld", c->in[F_COURSE].v.i);
	if ((er = db_exec(c->db, sql_source, 0, NULL, NULL)) != API_OK)
		goto out;
	if ((er = course_load(c->db, course_id, &co)) == API_NOT_FOUND) {
		er = http_fail(r, er, "course not found");
		goto out;
	}
	if (er != API_OK ||
	    (er = payer(r, c->db, c->in, &w, course_id, &u, &created)) !=
	    API_OK ||
	    (er = record(r, c->db, &c->a, c->in, &co, &u, out, payment_id,
	    sizeof(payment_id), &amount)) != API_OK ||
	    (er = audit_recorded(r, c->db, &c->a, payment_id, course_id, &u,
	    amount, created)) != API_OK)
		goto out;
	if ((uj = auth_user_json(&u)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	cJSON_AddItemToObject(out, "user", uj);
	if (cJSON_AddBoolToObject(out, "user_created", created) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	log_event(LOG_LVL_INFO, r->request_id, "payment_manual_recorded",
	    "payment_id", payment_id, "user_id", u.id_str, "course_id",
	    course_id, "recorded_by", c->user_id, NULL);
	er = http_send(r, 201, out);
out:
	cJSON_Delete(out);
	welcome_free(&w);
	return er;
}

ENDPOINT_MAIN(endpoint)

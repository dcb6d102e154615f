/*
 * lectern — lectern-reconcile: ask the gateway about orders nobody
 * finished (SPEC §5).
 *
 * A student pays, and then the browser closes before verify, and the
 * webhook is lost or late: the payment_orders row stays 'created' while
 * Razorpay holds the money.  This program finds the orders still
 * 'created' after --older-than minutes (oldest first, at most --limit),
 * asks Razorpay for each one's payments (GET /orders/{id}/payments) and
 * applies what it learns through payment_apply_paid and
 * payment_apply_failed, the same functions verify and the webhook use:
 * a captured payment pays the order and activates the enrollment, a
 * failed one is recorded as failed and the order stays open.  An
 * authorized payment that is not captured yet is left alone: it is not
 * money received, Razorpay captures it (or gives it back) on its own,
 * and a later run or the webhook sees the outcome.
 *
 * Everything applied is idempotent and each fact is applied in its own
 * transaction, acting as the system, after the order row is locked, so
 * the program may run from cron at any frequency and side by side with
 * itself, verify and the webhook.  No transaction is open during a
 * gateway call.  It prints one line per order on standard output and
 * never prints the key secret, the database URL or anything else
 * secret.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "db.h"
#include "httpc.h"
#include "json.h"
#include "payment.h"
#include "razorpay.h"

#define EXIT_FAIL		1	/* database, configuration, gateway */
#define EXIT_USAGE		2	/* bad usage */

#define OLDER_THAN_DEFAULT	15	/* minutes */
#define OLDER_THAN_MAX		525600	/* a year of minutes */
#define LIMIT_DEFAULT		100
#define LIMIT_MAX		10000
#define LINE_MAX_LEN		512

struct opts {
	long		 older_than;	/* minutes */
	long		 limit;
	int		 dry_run;
};

/* What one run needs: the settings and the connection. */
struct run {
	const struct config	*cfg;
	struct opts		 o;
	struct db		*db;
	char			 rid[48];	/* for the JSON log lines */
	int			 db_gone;	/* stop: the database failed */
};

/* What was learnt about one order, to print as its line. */
struct outcome {
	char		 paid[RAZORPAY_ID_MAX + 32];	/* "pay_x[, ...]" */
	char		 failed[LINE_MAX_LEN];	/* "pay_a, pay_b" */
	char		 waiting[LINE_MAX_LEN];	/* "pay_x authorized" */
	char		 error[LINE_MAX_LEN];	/* the first error */
	int		 call_ok;		/* the gateway gave a list */
};

struct counts {
	int		 orders;
	int		 calls_ok;
	int		 paid;
	int		 failed;
	int		 waiting;
	int		 errors;
};

/*
 * The orders still open after $1 minutes, oldest first, at most $2.
 * payment_orders has row-level security: this runs as the system.
 */
static const char sql_stale[] =
    "SELECT " RAZORPAY_ORDER_COLUMNS " FROM payment_orders o"
    " WHERE o.status = 'created'"
    " AND o.created_at < now() - make_interval(mins => $1::int)"
    " ORDER BY o.created_at, o.id LIMIT $2::int";

/* payment_transitions.source of what this program applies. */
static const char sql_source[] =
    "SELECT set_config('lectern.source', 'reconcile', true)";

static void
usage(FILE *fp)
{

	fputs("usage: lectern-reconcile [--older-than MINUTES] [--limit N]"
	    " [--dry-run]\n"
	    "       lectern-reconcile --help\n"
	    "\n"
	    "Ask Razorpay about payment orders still 'created' after MINUTES\n"
	    "(default 15; 0 takes every open order), oldest first, at most N\n"
	    "of them (default 100), and apply what it says: a captured\n"
	    "payment pays the order and enrolls the student, a failed one is\n"
	    "recorded as failed.  An authorized payment not yet captured is\n"
	    "left for a later run.  --dry-run asks the gateway but changes\n"
	    "nothing.  Safe to run from cron at any frequency, even two at\n"
	    "once: what it applies is idempotent.\n"
	    "\n"
	    "One line per order on standard output:\n"
	    "  order ORDER_ID: paid (payment PAY_ID)\n"
	    "  order ORDER_ID: failed (PAY_ID[, ...])\n"
	    "  order ORDER_ID: no payment yet\n"
	    "  order ORDER_ID: no captured payment yet (PAY_ID authorized)\n"
	    "  order ORDER_ID: error: REASON\n"
	    "and a summary when there was any order; nothing at all when\n"
	    "there was none.  ORDER_ID is Razorpay's (order_...).  With\n"
	    "--dry-run, \"would be paid\" and \"would be recorded as\n"
	    "failed\" say what a real run would apply.\n"
	    "\n"
	    "Environment:\n"
	    "  LECTERN_DATABASE_URL         the database, as the application\n"
	    "                               role (else DATABASE_URL)\n"
	    "  LECTERN_RAZORPAY_API_BASE    https://api.razorpay.com/v1\n"
	    "  LECTERN_RAZORPAY_KEY_ID      the API key id\n"
	    "  LECTERN_RAZORPAY_KEY_SECRET  its secret\n"
	    "\n"
	    "Exit status: 0 when the run went through, even if the gateway\n"
	    "failed for some orders; 1 when the configuration or the\n"
	    "database is unusable, or every gateway call failed; 2 on a\n"
	    "usage error.\n", fp);
}

/* Print an error of the program itself; never given a secret. */
static void
complain(const char *fmt, ...)
{
	va_list	 ap;

	fputs("lectern-reconcile: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * Parse s as a whole number between min and max into *v.  Returns 0, or
 * -1 when it is not one.
 */
static int
parse_num(const char *s, long min, long max, long *v)
{
	char	*end;
	long	 n;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*v = n;
	return 0;
}

/* Whether s is short, lower-case letters and '_' ("captured"). */
static int
word_ok(const char *s, const char *alphabet)
{
	size_t	 len;

	if (s == NULL)
		return 0;
	len = strlen(s);
	return len >= 1 && len <= 40 && strspn(s, alphabet) == len;
}

/* Append the formatted text to buf (size bytes), truncating. */
static void
append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
append(char *buf, size_t size, const char *fmt, ...)
{
	va_list	 ap;
	size_t	 len = strlen(buf);

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

/* Keep the first error of an order; later ones are in the log. */
static void
set_error(struct outcome *oc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
set_error(struct outcome *oc, const char *fmt, ...)
{
	va_list	 ap;

	if (oc->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(oc->error, sizeof(oc->error), fmt, ap);
	va_end(ap);
}

/*
 * Read the settings and options into r.  Returns 0, or -1 after saying
 * every problem found (never a value: they may be secret).
 */
static int
check_config(struct run *r)
{
	const struct config	*c = config_get();
	int			 rc = 0;

	r->cfg = c;
	if (c->database_url == NULL) {
		complain("LECTERN_DATABASE_URL and DATABASE_URL are unset");
		rc = -1;
	}
	if (c->razorpay_key_id == NULL || c->razorpay_key_secret == NULL) {
		complain("LECTERN_RAZORPAY_KEY_ID and "
		    "LECTERN_RAZORPAY_KEY_SECRET must be set");
		rc = -1;
	}
	if (!httpc_url_allowed(c->razorpay_api_base)) {
		complain("LECTERN_RAZORPAY_API_BASE must be an https:// URL "
		    "(http:// only to loopback)");
		rc = -1;
	}
	return rc;
}

/*
 * Select the stale orders into a new array *out of *n (the caller frees
 * it).  Returns 0, or -1 when the database failed (said).
 */
static int
stale_orders(struct run *r, struct razorpay_order **out, int *n)
{
	struct db_res	*res = NULL;
	struct razorpay_order	*v = NULL;
	const char	*params[2];
	char		 older[24], limit[24];
	int		 i, rows, rc = -1;

	*out = NULL;
	*n = 0;
	snprintf(older, sizeof(older), "%ld", r->o.older_than);
	snprintf(limit, sizeof(limit), "%ld", r->o.limit);
	params[0] = older;
	params[1] = limit;
	if (db_begin(r->db, NULL, "system") != API_OK)
		goto out;
	if (db_exec(r->db, sql_stale, 2, params, &res) != API_OK ||
	    db_commit(r->db) != API_OK) {
		db_rollback(r->db);
		goto out;
	}
	rows = db_nrows(res);
	if (rows > 0 && (v = calloc((size_t)rows, sizeof(*v))) == NULL) {
		complain("out of memory");
		goto out;
	}
	for (i = 0; i < rows; i++)
		(void)razorpay_order_row(res, i, &v[i]);
	*out = v;
	*n = rows;
	v = NULL;
	rc = 0;
out:
	if (rc != 0)
		complain("cannot read the open orders from the database");
	free(v);
	db_res_free(res);
	return rc;
}

/*
 * Apply one payment of order o in a transaction of its own, acting as
 * the system: paid (captured) or failed.  Returns what
 * payment_apply_paid or payment_apply_failed returned, or the database
 * error of the transaction around it.
 */
static enum api_err
apply(struct run *r, const struct razorpay_order *o, int paid,
    const char *pay_id, long long amount, const char *currency,
    struct payment_result *res)
{
	enum api_err	 er;

	if ((er = db_begin(r->db, NULL, "system")) != API_OK)
		return er;
	if ((er = db_exec(r->db, sql_source, 0, NULL, NULL)) == API_OK)
		er = paid ? payment_apply_paid(r->db, r->rid, o->provider_id,
		    pay_id, amount, currency, res) :
		    payment_apply_failed(r->db, r->rid, o->provider_id,
		    pay_id, amount, currency, res);
	if (er != API_OK) {
		db_rollback(r->db);
		return er;
	}
	return db_commit(r->db);
}

/* Say why applying pay_id failed, and stop the run if the database went. */
static void
apply_failed(struct run *r, struct outcome *oc, const char *pay_id,
    enum api_err er)
{

	switch (er) {
	case API_INVALID:
		set_error(oc, "payment %s: amount or currency differs from "
		    "the order; not applied", pay_id);
		break;
	case API_NOT_FOUND:
		set_error(oc, "the order is gone from the database");
		break;
	case API_UNAVAILABLE:
		set_error(oc, "the database connection failed");
		r->db_gone = 1;
		break;
	default:
		set_error(oc, "payment %s: database error (%s); not applied",
		    pay_id, api_strerror(er));
		break;
	}
}

/*
 * Handle one payment entity item of the gateway's list for order o:
 * apply it (or, with --dry-run, say what would be applied) and note the
 * result in oc.
 */
static void
handle_payment(struct run *r, const struct razorpay_order *o,
    const cJSON *item, struct outcome *oc)
{
	struct payment_result	 res;
	const char		*id, *status, *currency, *order_id;
	long long		 amount;
	int			 captured;
	enum api_err		 er;

	if (!cJSON_IsObject(item) ||
	    !razorpay_id_ok(id = json_get_string(item, "id"))) {
		set_error(oc, "the gateway listed a payment without a usable "
		    "id");
		return;
	}
	status = json_get_string(item, "status");
	currency = json_get_string(item, "currency");
	order_id = json_get_string(item, "order_id");
	if (order_id != NULL && strcmp(order_id, o->provider_id) != 0) {
		set_error(oc, "payment %s belongs to another order; ignored",
		    id);
		return;
	}
	if (!word_ok(status, "abcdefghijklmnopqrstuvwxyz_")) {
		set_error(oc, "payment %s has no usable status", id);
		return;
	}
	captured = strcmp(status, "captured") == 0;
	if (!captured && strcmp(status, "failed") != 0) {
		/* authorized, created, refunded: not ours to settle. */
		append(oc->waiting, sizeof(oc->waiting), "%s%s %s",
		    oc->waiting[0] != '\0' ? ", " : "", id, status);
		return;
	}
	if (!json_get_int(item, "amount", &amount) || amount < 0 ||
	    !word_ok(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") ||
	    strlen(currency) != 3) {
		set_error(oc, "payment %s has no usable amount or currency",
		    id);
		return;
	}
	if (r->o.dry_run) {
		if (captured && (amount != o->amount ||
		    strcmp(currency, o->currency) != 0))
			apply_failed(r, oc, id, API_INVALID);
		else if (captured && oc->paid[0] == '\0')
			snprintf(oc->paid, sizeof(oc->paid), "%s", id);
		else if (!captured)
			append(oc->failed, sizeof(oc->failed), "%s%s",
			    oc->failed[0] != '\0' ? ", " : "", id);
		return;
	}
	if ((er = apply(r, o, captured, id, amount, currency, &res)) !=
	    API_OK) {
		apply_failed(r, oc, id, er);
		return;
	}
	if (captured && oc->paid[0] == '\0')
		snprintf(oc->paid, sizeof(oc->paid), "%s%s", id,
		    res.already ? ", already recorded" : "");
	else if (!captured)
		append(oc->failed, sizeof(oc->failed), "%s%s",
		    oc->failed[0] != '\0' ? ", " : "", id);
}

/*
 * Ask the gateway for the payments of order o and handle each.  Fills
 * oc; oc->call_ok says whether the gateway answered with a list.
 */
static void
check_order(struct run *r, const struct razorpay_order *o,
    struct outcome *oc)
{
	cJSON		*root = NULL;
	const cJSON	*items, *item;
	char		 why[LINE_MAX_LEN];

	memset(oc, 0, sizeof(*oc));
	if (razorpay_order_payments(r->rid, o->provider_id, &root, &items,
	    why, sizeof(why)) != API_OK) {
		set_error(oc, "%s", why);
		return;
	}
	oc->call_ok = 1;
	cJSON_ArrayForEach(item, items) {
		handle_payment(r, o, item, oc);
		if (r->db_gone)
			break;
	}
	cJSON_Delete(root);
}

/* Print the line of order o and count it. */
static void
report(const struct run *r, const struct razorpay_order *o,
    const struct outcome *oc, struct counts *n)
{
	char		 line[4 * LINE_MAX_LEN];
	const char	*would = r->o.dry_run ? "would be " : "";

	line[0] = '\0';
	if (oc->paid[0] != '\0') {
		append(line, sizeof(line), "%spaid (payment %s)", would,
		    oc->paid);
		n->paid++;
	} else if (oc->failed[0] != '\0') {
		append(line, sizeof(line), "%sfailed (%s)",
		    r->o.dry_run ? "would be recorded as " : "", oc->failed);
		n->failed++;
	} else if (oc->waiting[0] != '\0') {
		append(line, sizeof(line), "no captured payment yet (%s)",
		    oc->waiting);
		n->waiting++;
	} else if (oc->call_ok && oc->error[0] == '\0') {
		append(line, sizeof(line), "no payment yet");
		n->waiting++;
	}
	if (oc->error[0] != '\0') {
		append(line, sizeof(line), "%serror: %s",
		    line[0] != '\0' ? "; " : "", oc->error);
		n->errors++;
	}
	if (oc->call_ok)
		n->calls_ok++;
	printf("order %s: %s\n", o->provider_id, line);
	fflush(stdout);
}

/*
 * Parse the command line into o.  Returns 0, 1 when --help was asked
 * (printed), or -1 after printing the usage.
 */
static int
parse_args(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "limit", required_argument, NULL, 'l' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	o->older_than = OLDER_THAN_DEFAULT;
	o->limit = LIMIT_DEFAULT;
	o->dry_run = 0;
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		switch (ch) {
		case 'o':
			if (parse_num(optarg, 0, OLDER_THAN_MAX,
			    &o->older_than) != 0) {
				complain("--older-than takes minutes, 0 to "
				    "%d", OLDER_THAN_MAX);
				return -1;
			}
			break;
		case 'l':
			if (parse_num(optarg, 1, LIMIT_MAX, &o->limit) != 0) {
				complain("--limit takes a number, 1 to %d",
				    LIMIT_MAX);
				return -1;
			}
			break;
		case 'n':
			o->dry_run = 1;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -1;
		}
	if (optind != argc) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct run	 r;
	struct razorpay_order	*orders = NULL;
	struct outcome	 oc;
	struct counts	 n;
	int		 i, norders = 0, rc = EXIT_FAIL;

	memset(&r, 0, sizeof(r));
	memset(&n, 0, sizeof(n));
	if ((i = parse_args(argc, argv, &r.o)) != 0)
		return i > 0 ? 0 : EXIT_USAGE;
	snprintf(r.rid, sizeof(r.rid), "reconcile-%ld", (long)getpid());
	if (check_config(&r) != 0)
		goto out;
	if (db_connect(r.cfg->database_url, r.rid, &r.db) != API_OK) {
		complain("cannot connect to the database");
		goto out;
	}
	if (stale_orders(&r, &orders, &norders) != 0)
		goto out;
	for (i = 0; i < norders && !r.db_gone; i++) {
		check_order(&r, &orders[i], &oc);
		report(&r, &orders[i], &oc, &n);
		n.orders++;
	}
	if (n.orders > 0)
		printf("lectern-reconcile: %d order%s checked%s: %d paid, "
		    "%d failed, %d waiting, %d with errors\n", n.orders,
		    n.orders == 1 ? "" : "s", r.o.dry_run ? " (dry run)" : "",
		    n.paid, n.failed, n.waiting, n.errors);
	if (r.db_gone)
		complain("the database failed; stopped");
	else if (n.orders > 0 && n.calls_ok == 0)
		complain("every gateway call failed");
	else
		rc = 0;
out:
	free(orders);
	db_close(r.db);
	return rc;
}

/*
 * lectern — POST /api/admin-requests: a signed-in user asks to become an
 * admin with {reason, phone?} (SPEC §3).  Strict rate class.  A
 * single-use token, valid 24 hours, is mailed to the user's address and
 * kept as its SHA-256 only; POST /api/admin-requests/verify spends it.
 * One pending request per user (a unique partial index): a second is
 * 409.  Audited.  201 with the request.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "adminreq.h"
#include "audit.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"
#include "mail.h"

static enum api_err	admin_request_create(struct call *);

enum field { F_REASON, F_PHONE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_REASON] = { .name = "reason", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_MULTILINE, .min = 1, .max = 2000 },
	[F_PHONE] = { .name = "phone", .fn = valid_string, .min = 3,
	    .max = 32 },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/admin-requests",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_STRICT,
	.run = admin_request_create,
};

#define VERIFY_SUBJECT	"Confirm your lectern admin request"

static const char sql_insert[] =
    "INSERT INTO admin_requests AS q (user_id, reason, phone, token_hash,"
    " token_expires_at) VALUES ($1::bigint, $2, $3, $4,"
    " now() + interval '24 hours') RETURNING " ADMINREQ_COLUMNS;

static const char body_fmt[] =
    "Hello %s,\n"
    "\n"
    "You asked to become an administrator of lectern.  To confirm that\n"
    "this address is yours, open this link:\n"
    "\n"
    "%s\n"
    "\n"
    "The link works once and expires in 24 hours.  An administrator then\n"
    "decides on your request.  If you did not ask, ignore this email.\n";

static enum api_err
admin_request_create(struct call *c)
{
	struct mail_token	 t;
	struct db_res		*res = NULL;
	cJSON			*o = NULL, *d = NULL;
	const char		*params[4];
	char			*text = NULL;
	enum api_err		 er;

	memset(&t, 0, sizeof(t));
	if (c->a.user.role_bit == ROLE_ADMIN)
		return http_fail(c->r, API_CONFLICT, "you are an admin");
	if ((er = mail_token_new("/admin-request/verify", &t)) != API_OK ||
	    (er = mail_format(&text, body_fmt, c->a.user.name,
	    t.link)) != API_OK)
		goto out;
	params[0] = c->user_id;
	params[1] = c->in[F_REASON].v.s;
	params[2] = c->in[F_PHONE].present ? c->in[F_PHONE].v.s : NULL;
	params[3] = t.hash;
	er = db_exec(c->db, sql_insert, 4, params, &res);
	if (er == API_CONFLICT) {
		er = http_fail(c->r, er, "you have a pending admin request");
		goto out;
	}
	if (er != API_OK ||
	    (er = mail_queue(c->db, c->a.user.email, VERIFY_SUBJECT,
	    text)) != API_OK)
		goto out;
	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddBoolToObject(d, "phone_given",
	    c->in[F_PHONE].present) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	if ((er = audit_log(c->r, c->db, c->user_id, "admin_request.create",
	    "admin_request", db_get(res, 0, 0), d)) != API_OK)
		goto out;
	if ((o = adminreq_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	log_event(LOG_LVL_INFO, c->r->request_id, "admin_request_created",
	    "request_id", db_get(res, 0, 0), "user_id", c->user_id, NULL);
	er = http_send(c->r, 201, o);
out:
	cJSON_Delete(d);
	cJSON_Delete(o);
	db_res_free(res);
	crypto_wipe_free(text);
	mail_token_free(&t);
	return er;
}

ENDPOINT_MAIN(endpoint)

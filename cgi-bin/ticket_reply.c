/*
 * lectern — POST /api/tickets/{id}/replies: the requester, the assignee
 * or an admin replies {body, internal?, attachment_ids?} (SPEC §6.4).
 * internal (a note among staff) is for the assignee and admins only.
 * attachment_ids names the replier's own ready uploads made for this
 * ticket (SPEC §6.1, purpose "ticket").  A requester's
 * reply reopens a pending or resolved ticket; a closed ticket takes no
 * replies (409).  A staff reply that is not internal queues a mail to
 * the requester; an internal note is never mailed.  201 with the reply.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "conf.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "mail.h"
#include "row.h"
#include "ticket.h"
#include "upload.h"

static enum api_err	ticket_reply(struct call *);

enum field { F_BODY, F_INTERNAL, F_ATTACH, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_BODY] = { .name = "body", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_MULTILINE, .min = 1, .max = 20000 },
	[F_INTERNAL] = { .name = "internal", .fn = valid_bool },
	[F_ATTACH] = { .name = "attachment_ids", .fn = upload_valid_ids,
	    .flags = VF_STRING },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/tickets/{id}/replies",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = ticket_reply,
};

static const char sql_insert[] =
    "INSERT INTO ticket_replies AS p (ticket_id, author_id, body, internal,"
    " attachment_ids) VALUES ($1::bigint, $2::bigint, $3, $4::boolean,"
    " coalesce($5::bigint[], '{}'))"
    " RETURNING " TICKET_REPLY_COLUMNS;

static const char sql_reopen[] =
    "UPDATE tickets SET status = 'open' WHERE id = $1::bigint"
    " AND status IN ('pending', 'resolved')";

static const char sql_touch[] =
    "UPDATE tickets SET updated_at = now() WHERE id = $1::bigint";

static const char mail_fmt[] =
    "Hello,\n"
    "\n"
    "There is a new reply on your support ticket %s, \"%s\":\n"
    "\n"
    "%s\n"
    "\n"
    "See the ticket and answer at %s/tickets/%s\n";

/*
 * Mail the requester of t about the reply body.  Returns API_OK or an
 * error.
 */
static enum api_err
notify(struct call *c, const struct ticket *t, const char *body)
{
	char		 subject[64];
	char		*text = NULL;
	enum api_err	 er;

	snprintf(subject, sizeof(subject), "Reply on your ticket %s",
	    t->number);
	if ((er = mail_format(&text, mail_fmt, t->number, t->subject, body,
	    config_get()->public_url, t->id_str)) != API_OK)
		return er;
	er = mail_queue_user(c->db, t->requester, subject, text);
	free(text);
	return er;
}

/* Audit the reopening of t by its requester's reply. */
static enum api_err
audit_reopen(struct call *c, const struct ticket *t)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) != NULL &&
	    cJSON_AddStringToObject(d, "old_status", t->status) != NULL &&
	    cJSON_AddStringToObject(d, "status", "open") != NULL &&
	    cJSON_AddStringToObject(d, "reason", "requester_reply") != NULL)
		er = audit_log(c->r, c->db, c->user_id, "ticket.status",
		    "ticket", t->id_str, d);
	cJSON_Delete(d);
	return er;
}

static enum api_err
ticket_reply(struct call *c)
{
	struct ticket	 t;
	struct db_res	*res = NULL;
	const char	*params[5];
	int		 internal, staff;
	enum api_err	 er;

	if ((er = ticket_load(c, 1, &t)) != API_OK)
		return er;
	staff = t.is_staff && !t.is_requester;
	internal = c->in[F_INTERNAL].present && c->in[F_INTERNAL].v.b;
	if (internal && !staff)
		return http_fail(c->r, API_FORBIDDEN,
		    "only the assignee and admins write internal notes");
	if (strcmp(t.status, "closed") == 0)
		return http_fail(c->r, API_CONFLICT, "the ticket is closed");
	params[0] = t.id_str;
	params[1] = c->user_id;
	params[2] = c->in[F_BODY].v.s;
	params[3] = internal ? "true" : "false";
	params[4] = c->in[F_ATTACH].present ? c->in[F_ATTACH].v.s : NULL;
	if ((er = upload_check_ids(c->r, c->db, "attachment_ids", params[4],
	    "ticket", t.id_str, c->user_id)) != API_OK)
		return er;
	if ((er = db_exec(c->db, sql_insert, 5, params, &res)) != API_OK)
		goto out;
	if (t.is_requester && (strcmp(t.status, "pending") == 0 ||
	    strcmp(t.status, "resolved") == 0)) {
		if ((er = db_exec(c->db, sql_reopen, 1, params,
		    NULL)) != API_OK ||
		    (er = audit_reopen(c, &t)) != API_OK)
			goto out;
	} else if ((er = db_exec(c->db, sql_touch, 1, params,
	    NULL)) != API_OK)
		goto out;
	if (!t.is_requester && !internal &&
	    (er = notify(c, &t, c->in[F_BODY].v.s)) != API_OK)
		goto out;
	er = row_send(c->r, 201, res, ticket_reply_json);
out:
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

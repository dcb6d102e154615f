/*
 * lectern — POST /api/admin/payments/{id}/confirm: an admin lets a held
 * payment through (SPEC §5).  A payment captured for an order that was
 * replaced by a newer one, or for less than the course costs now, is
 * recorded as paid but enrolls nobody until this call, which marks it
 * confirmed, makes the payer's enrollment active and is audited with
 * the optional {note}.  Confirming again answers the same and records
 * nothing new; a payment that was never held is 409.  200 {payment,
 * enrollment}.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "audit.h"
#include "endpoint.h"
#include "http.h"
#include "payment.h"

static enum api_err	admin_payment_confirm(struct call *);

enum field { F_NOTE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_NOTE] = AUDIT_NOTE_FIELD,
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/admin/payments/{id}/confirm",
	.who = ROLE_ADMIN,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_BODY_OPTIONAL,
	.run = admin_payment_confirm,
};

/*
 * Audit the confirmation of pr by the caller, with its note.  Returns
 * API_OK, API_ENOMEM or a database error.
 */
static enum api_err
audit(struct call *c, const struct payment_result *pr)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "user_id", pr->user_id) == NULL ||
	    cJSON_AddStringToObject(d, "course_id", pr->course_id) == NULL ||
	    (c->in[F_NOTE].present && cJSON_AddStringToObject(d, "note",
	    c->in[F_NOTE].v.s) == NULL))
		goto out;
	er = audit_log(c->r, c->db, c->user_id, "payment.confirm", "payment",
	    pr->payment_id, d);
out:
	cJSON_Delete(d);
	return er;
}

static enum api_err
admin_payment_confirm(struct call *c)
{
	struct payment_result	 pr;
	cJSON			*out = NULL;
	enum api_err		 er;

	er = payment_confirm(c->db, c->id_str, c->user_id, &pr);
	if (er == API_NOT_FOUND)
		return http_fail(c->r, er, "no such payment");
	if (er == API_CONFLICT)
		return http_fail(c->r, er, "the payment is not held");
	if (er != API_OK ||
	    (!pr.already && (er = audit(c, &pr)) != API_OK) ||
	    (er = payment_result_json(c->db, &pr, &out)) != API_OK)
		goto out;
	er = http_send(c->r, 200, out);
out:
	cJSON_Delete(out);
	return er;
}

ENDPOINT_MAIN(endpoint)

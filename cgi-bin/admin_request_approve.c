/*
 * lectern — POST /api/admin/admin-requests/{id}/approve: an admin
 * approves a verified request, and the user becomes an admin (an
 * unverified one is 409), with an optional {note} (SPEC §3).  A
 * request already decided is 409.  Audited.  200 with the request.
 */
#include "config.h"

#include "adminreq.h"
#include "audit.h"
#include "endpoint.h"

static enum api_err	admin_request_approve(struct call *);

enum field { F_NOTE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_NOTE] = AUDIT_NOTE_FIELD,
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/admin/admin-requests/{id}/approve",
	.who = ROLE_ADMIN,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_BODY_OPTIONAL,
	.run = admin_request_approve,
};

static enum api_err
admin_request_approve(struct call *c)
{

	return adminreq_decide(c, 1, c->in[F_NOTE].present ?
	    c->in[F_NOTE].v.s : NULL);
}

ENDPOINT_MAIN(endpoint)

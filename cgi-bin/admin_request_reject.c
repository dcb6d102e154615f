/*
 * lectern — POST /api/admin/admin-requests/{id}/reject: an admin
 * rejects a request, with an optional {note} (SPEC §3).  A request
 * already decided is 409.  Audited.  200 with the request.
 */
#include "config.h"

#include "adminreq.h"
#include "audit.h"
#include "endpoint.h"

static enum api_err	admin_request_reject(struct call *);

enum field { F_NOTE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_NOTE] = AUDIT_NOTE_FIELD,
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/admin/admin-requests/{id}/reject",
	.who = ROLE_ADMIN,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_BODY_OPTIONAL,
	.run = admin_request_reject,
};

static enum api_err
admin_request_reject(struct call *c)
{

	return adminreq_decide(c, 0, c->in[F_NOTE].present ?
	    c->in[F_NOTE].v.s : NULL);
}

ENDPOINT_MAIN(endpoint)

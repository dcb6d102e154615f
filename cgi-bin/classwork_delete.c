/*
 * lectern — DELETE /api/classwork/{id}: the course's author or an admin
 * removes a piece of classwork, and with it (ON DELETE CASCADE) every
 * submission to it, graded or not.  204.  A caller who can see the
 * course but does not author it gets 403; unknown classwork or a course
 * they cannot see is 404.  An admin deleting in someone else's course
 * is audited as classwork.delete.
 */
#include "config.h"

#include "classwork.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	classwork_delete(struct call *);

static const struct endpoint endpoint = {
	.method = "DELETE",
	.route = "/api/classwork/{id}",
	.who = ROLE_ANY,
	.run = classwork_delete,
};

static const char sql_delete[] =
    "DELETE FROM classwork WHERE id = $1::bigint";

static enum api_err
classwork_delete(struct call *c)
{
	struct classwork	 cw;
	const char		*id = c->id_str;
	enum api_err		 er;

	if ((er = classwork_load(c->db, id, CLASSWORK_LOCK_UPDATE, &cw)) !=
	    API_OK ||
	    (er = classwork_check(c->db, &cw.course, &c->a,
	    CLASSWORK_AUTHOR, NULL)) != API_OK ||
	    (er = db_exec(c->db, sql_delete, 1, &id, NULL)) != API_OK ||
	    (er = classwork_audit(c->r, c->db, &c->a, &cw.course,
	    "classwork.delete", "classwork", cw.id_str)) != API_OK)
		return er;
	return http_send(c->r, 204, NULL);
}

ENDPOINT_MAIN(endpoint)

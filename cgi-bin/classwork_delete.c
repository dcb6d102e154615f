/*
 * lectern — DELETE /api/classwork/{id}: the course's author or an admin
 * removes a piece of classwork, and with it (ON DELETE CASCADE) every
 * submission to it, graded or not.  204.  A caller who can see the
 * course but does not author it gets 403; unknown classwork or a course
 * they cannot see is 404.  An admin deleting in someone else's course
 * is audited as classwork.delete.
 */
#include "config.h"

#include "auth.h"
#include "classwork.h"
#include "db.h"
#include "http.h"

static const char sql_delete[] =
    "DELETE FROM classwork WHERE id = $1::bigint";

static enum api_err
handle(struct req *r)
{
	struct auth		 a;
	struct classwork	 cw;
	struct db		*db;
	const char		*id;
	enum api_err		 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = classwork_load(db, id, CLASSWORK_LOCK_UPDATE, &cw)) !=
	    API_OK ||
	    (er = classwork_check(db, &cw.course, &a, CLASSWORK_AUTHOR,
	    NULL)) != API_OK ||
	    (er = db_exec(db, sql_delete, 1, &id, NULL)) != API_OK ||
	    (er = classwork_audit(r, db, &a, &cw.course, "classwork.delete",
	    "classwork", cw.id_str)) != API_OK ||
	    (er = db_commit(db)) != API_OK)
		return er;
	return http_send(r, 204, NULL);
}

int
main(void)
{

	return http_main("DELETE", handle);
}

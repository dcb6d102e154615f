/*
 * lectern — GET /api/classwork/{id}: one piece of classwork, for the
 * course's enrolled users (active enrollment), its author and admins.
 * Anyone else who can see the course gets 403; unknown classwork, or
 * classwork of a course the caller cannot see, is 404.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "auth.h"
#include "classwork.h"
#include "db.h"
#include "http.h"

static const char sql_get[] =
    "SELECT " CLASSWORK_COLUMNS " FROM classwork cw WHERE cw.id = $1::bigint";

static enum api_err
handle(struct req *r)
{
	struct auth		 a;
	struct classwork	 cw;
	struct db		*db;
	struct db_res		*res = NULL;
	cJSON			*o = NULL;
	const char		*id;
	enum api_err		 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if ((er = db_begin(db, a.user.id_str, a.user.role)) != API_OK ||
	    (er = classwork_load(db, id, CLASSWORK_LOCK_NONE, &cw)) !=
	    API_OK ||
	    (er = classwork_check(db, &cw.course, &a, CLASSWORK_LEARN,
	    NULL)) != API_OK ||
	    (er = db_exec(db, sql_get, 1, &id, &res)) != API_OK)
		goto out;
	if ((o = classwork_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_NOT_FOUND;
		goto out;
	}
	if ((er = db_commit(db)) != API_OK)
		goto out;
	er = http_send(r, 200, o);
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

int
main(void)
{

	return http_main("GET", handle);
}

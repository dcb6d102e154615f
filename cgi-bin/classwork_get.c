/*
 * lectern — GET /api/classwork/{id}: one piece of classwork, for the
 * course's enrolled users (active enrollment), its author and admins.
 * Anyone else who can see the course gets 403; unknown classwork, or
 * classwork of a course the caller cannot see, is 404.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "classwork.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"

static enum api_err	classwork_get(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/classwork/{id}",
	.who = ROLE_ANY,
	.run = classwork_get,
};

static const char sql_get[] =
    "SELECT " CLASSWORK_COLUMNS " FROM classwork cw WHERE cw.id = $1::bigint";

static enum api_err
classwork_get(struct call *c)
{
	struct classwork	 cw;
	struct db_res		*res = NULL;
	const char		*id = c->id_str;
	enum api_err		 er;

	if ((er = classwork_load(c->db, id, CLASSWORK_LOCK_NONE, &cw)) ==
	    API_OK &&
	    (er = classwork_check(c->db, &cw.course, &c->a, CLASSWORK_LEARN,
	    NULL)) == API_OK &&
	    (er = db_exec(c->db, sql_get, 1, &id, &res)) == API_OK)
		er = row_send(c->r, 200, res, classwork_json);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

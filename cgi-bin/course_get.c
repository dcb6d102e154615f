/*
 * lectern — GET /api/courses/{id}: one course, for anyone when it is
 * published and not archived, otherwise only for its author and admins
 * (everyone else gets 404, as for an id that does not exist).  The
 * response carries an ETag over the body and answers If-None-Match with
 * 304: public (revalidated) for an anonymous caller, private and not
 * stored for a signed-in one.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	course_get(struct call *);

/*
 * One statement on a table without row-level security; an anonymous
 * caller may read a replica (LECTERN_DATABASE_READ_URL).
 */
static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/courses/{id}",
	.who = WHO_OPTIONAL,
	.flags = EP_READ_REPLICA,
	.tx = TX_NONE,
	.run = course_get,
};

static const char sql_course[] =
    "SELECT " COURSE_COLUMNS " FROM courses c WHERE c.id = $1::bigint";

static enum api_err
course_get(struct call *c)
{
	struct req	*r = c->r;
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*cj = NULL;
	const char	*id = c->id_str;
	enum api_err	 er;

	if ((er = db_exec(c->db, sql_course, 1, &id, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || !course_from_row(res, 0, 0, &co)) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((er = course_check_visible(&co, c->authed ? &c->a : NULL)) !=
	    API_OK)
		goto out;
	if ((cj = course_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	(void)http_header(r, "Cache-Control", c->authed ?
	    "private, no-store" : "public, max-age=0, must-revalidate");
	(void)http_header(r, "Vary", "Authorization");
	er = http_send_etag(r, cj);
out:
	cJSON_Delete(cj);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

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

#include "auth.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "valid.h"

static const char sql_course[] =
    "SELECT " COURSE_COLUMNS " FROM courses c WHERE c.id = $1::bigint";

static enum api_err
handle(struct req *r)
{
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	struct db_res	*res = NULL;
	cJSON		*cj = NULL;
	const char	*id;
	long long	 n;
	int		 have;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_optional(r, db, &a, &have)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	if (!valid_id_str(id, &n))
		return API_NOT_FOUND;
	if ((er = db_exec(db, sql_course, 1, &id, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || !course_from_row(res, 0, 0, &c)) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((er = course_check_visible(&c, have ? &a : NULL)) != API_OK)
		goto out;
	if ((cj = course_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	(void)http_header(r, "Cache-Control", have ? "private, no-store" :
	    "public, max-age=0, must-revalidate");
	(void)http_header(r, "Vary", "Authorization");
	er = http_send_etag(r, cj);
out:
	cJSON_Delete(cj);
	db_res_free(res);
	return er;
}

int
main(void)
{

	return http_main("GET", handle);
}

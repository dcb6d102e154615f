/*
 * lectern — GET /api/uploads/{id}: an upload's metadata and, once it is
 * ready, get: {url, expires_at}, a URL to download it by (the local
 * signed URL of GET /api/uploads/{id}/content, or a presigned S3 GET).
 *
 * The owner and admins see it; so does whoever may see what it is
 * attached to: a lesson's files its content's readers, a submission's
 * its student and the course's author, a ticket reply's whoever may read
 * the reply (an internal note's: the assignee), a message's the thread's
 * participants (lectern_upload_visible and lectern_upload_reply_visible,
 * in the schema).  Anyone else gets 404, as for an upload that does not
 * exist.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "upload.h"

static enum api_err	upload_get(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/uploads/{id}",
	.who = ROLE_ANY,
	.run = upload_get,
};

/* Row-level security decides who sees the row (schema/012). */
static const char sql_get[] =
    "SELECT " UPLOAD_COLUMNS " FROM uploads p WHERE p.id = $1::bigint"
    " AND p.status <> 'deleted'";

static enum api_err
upload_get(struct call *c)
{
	struct upload_conf	 uc;
	struct db_res		*res = NULL;
	cJSON			*o = NULL, *g;
	const char		*id = c->id_str;
	char			 url[UPLOAD_URL_MAX], exp[32];
	enum api_err		 er;

	if ((er = db_exec(c->db, sql_get, 1, &id, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = API_NOT_FOUND;
		goto out;
	}
	er = API_ENOMEM;
	if ((o = upload_json(res, 0, 0)) == NULL)
		goto out;
	if (strcmp(db_get(res, 0, 6), "ready") == 0) {
		upload_conf(&uc);
		if ((er = upload_get_url(&uc, id, db_get(res, 0,
		    UPLOAD_COL_KEY), url, sizeof(url), exp)) != API_OK)
			goto out;
		er = API_ENOMEM;
		if ((g = cJSON_AddObjectToObject(o, "get")) == NULL ||
		    cJSON_AddStringToObject(g, "url", url) == NULL ||
		    cJSON_AddStringToObject(g, "expires_at", exp) == NULL)
			goto out;
	}
	er = http_send(c->r, 200, o);
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

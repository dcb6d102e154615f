/*
 * lectern — POST /api/uploads/{id}/complete: the owner says the file is
 * in the S3 store (SPEC §6.1).  A presigned HEAD, sent with libcurl,
 * confirms the object is there with the size that was signed; then the
 * upload is ready (200 with it).  Not there yet: 409; another size: 400
 * (the object is left for lectern-admin cleanup); the store failing:
 * 502.  The HEAD is made outside any transaction, so a slow store holds
 * no database connection's transaction open.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "httpc.h"
#include "row.h"
#include "upload.h"

static enum api_err	upload_complete(struct call *);

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/uploads/{id}/complete",
	.who = ROLE_ANY,
	.tx = TX_NONE,
	.run = upload_complete,
};

/* The owner's own row (row-level security lets admins see it too). */
static const char sql_get[] =
    "SELECT status, size, storage_key, backend FROM uploads"
    " WHERE id = $1::bigint AND user_id = $2::bigint"
    " AND status <> 'deleted'";

static const char sql_ready[] =
    "WITH p AS (UPDATE uploads SET status = 'ready', ready_at = now()"
    "  WHERE id = $1::bigint AND user_id = $2::bigint"
    "  AND status = 'pending' RETURNING *)"
    " SELECT " UPLOAD_COLUMNS " FROM p";

/*
 * Load the caller's upload into key and *size, in a transaction of its
 * own.  Returns API_OK, API_NOT_FOUND, API_CONFLICT (already ready) or
 * a database error.
 */
static enum api_err
load(struct call *c, char *key, size_t ksize, long long *size)
{
	struct db_res	*res = NULL;
	const char	*p[2];
	enum api_err	 er;

	p[0] = c->id_str;
	p[1] = c->user_id;
	if ((er = endpoint_begin(c)) != API_OK ||
	    (er = db_exec(c->db, sql_get, 2, p, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || strcmp(db_get(res, 0, 3), "s3") != 0) {
		er = API_NOT_FOUND;
		goto out;
	}
	if (strcmp(db_get(res, 0, 0), "pending") != 0) {
		er = http_fail(c->r, API_CONFLICT, "the upload is complete");
		goto out;
	}
	*size = strtoll(db_get(res, 0, 1), NULL, 10);
	snprintf(key, ksize, "%s", db_get(res, 0, 2));
	er = db_commit(c->db);
out:
	db_res_free(res);
	if (db_in_tx(c->db))
		db_rollback(c->db);
	return er;
}

static enum api_err
upload_complete(struct call *c)
{
	struct upload_conf	 uc;
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	struct db_res		*res = NULL;
	const char		*p[2];
	char			 key[UPLOAD_KEY_LEN + 1], url[UPLOAD_URL_MAX];
	long long		 size = -1;
	enum api_err		 er;

	memset(&resp, 0, sizeof(resp));
	upload_conf(&uc);
	if (uc.backend != UPLOAD_S3)
		return API_NOT_FOUND;
	if (!uc.valid)
		return http_fail(c->r, API_UNAVAILABLE,
		    "uploads are not configured");
	if ((er = load(c, key, sizeof(key), &size)) != API_OK)
		return er;
	if ((er = upload_s3_url(&uc, "HEAD", key, time(NULL), url,
	    sizeof(url))) != API_OK)
		return er;
	memset(&q, 0, sizeof(q));
	q.method = "HEAD";
	q.url = url;
	if ((er = httpc_request(&q, &resp, c->r->request_id)) != API_OK) {
		http_cause(c->r, resp.error);
		er = http_fail(c->r, er, "the file store did not answer");
		goto out;
	}
	if (resp.status == 404) {
		er = http_fail(c->r, API_CONFLICT,
		    "the file has not been uploaded yet");
		goto out;
	}
	if (resp.status != 200) {
		http_cause(c->r, "the file store refused the HEAD");
		er = http_fail(c->r, API_UPSTREAM,
		    "the file store refused the request");
		goto out;
	}
	if (resp.content_length != size) {
		er = http_fail(c->r, API_INVALID,
		    "the stored file is not the size that was signed");
		goto out;
	}
	p[0] = c->id_str;
	p[1] = c->user_id;
	if ((er = endpoint_begin(c)) != API_OK ||
	    (er = db_exec(c->db, sql_ready, 2, p, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = http_fail(c->r, API_CONFLICT, "the upload is complete");
		goto out;
	}
	er = row_send(c->r, 200, res, upload_json);
out:
	db_res_free(res);
	httpc_resp_free(&resp);
	return er;
}

ENDPOINT_MAIN(endpoint)

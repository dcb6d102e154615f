/*
 * lectern — DELETE /api/uploads/{id}: the owner or an admin removes an
 * upload (SPEC §6.1).  204; the row is marked deleted (it leaves every
 * attachment list at once, since readers only see ready files) and,
 * once that has committed, the local file and the row are removed.  An
 * S3 object is removed by lectern-admin cleanup.
 */
#include "config.h"

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "upload.h"

static enum api_err	upload_delete(struct call *);

static const struct endpoint endpoint = {
	.method = "DELETE",
	.route = "/api/uploads/{id}",
	.who = ROLE_ANY,
	.run = upload_delete,
};

/* The policy lets the owner and admins change the row, no one else. */
static const char sql_delete[] =
    "UPDATE uploads SET status = 'deleted' WHERE id = $1::bigint"
    " AND status <> 'deleted'"
    " AND (user_id = lectern_uid() OR lectern_role() = 'admin')"
    " RETURNING id";

static enum api_err
upload_delete(struct call *c)
{
	struct db_res	*res = NULL;
	const char	*id = c->id_str;
	enum api_err	 er;

	if ((er = db_exec(c->db, sql_delete, 1, &id, &res)) != API_OK)
		return er;
	er = db_nrows(res) == 1 ? API_OK : API_NOT_FOUND;
	db_res_free(res);
	if (er != API_OK)
		return er;
	/* The file goes only once nobody can be given it any more. */
	if ((er = db_commit(c->db)) != API_OK)
		return er;
	upload_purge(c->db, NULL);
	return http_send(c->r, 204, NULL);
}

ENDPOINT_MAIN(endpoint)

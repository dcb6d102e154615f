/*
 * lectern — DELETE /api/tutor/conversations/{id}: the owner deletes a
 * conversation and its messages.  204.  Anyone else's, or one that does
 * not exist, is 404 (admins included: the conversation is the
 * student's).  The day's quota is not given back.
 */
#include "config.h"

#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	conversation_delete(struct call *);

static const struct endpoint endpoint = {
	.method = "DELETE",
	.route = "/api/tutor/conversations/{id}",
	.who = ROLE_ANY,
	.run = conversation_delete,
};

static const char sql_delete[] =
    "DELETE FROM tutor_conversations WHERE id = $1::bigint"
    " AND user_id = $2::bigint RETURNING id";

static enum api_err
conversation_delete(struct call *c)
{
	struct db_res	*res = NULL;
	const char	*params[2];
	enum api_err	 er;

	params[0] = c->id_str;
	params[1] = c->user_id;
	if ((er = db_exec(c->db, sql_delete, 2, params, &res)) != API_OK)
		return er;
	er = db_nrows(res) == 1 ? http_send(c->r, 204, NULL) : API_NOT_FOUND;
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

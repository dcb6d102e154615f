/*
 * lectern — GET /api/admin/leads/{id}: one lead, for admins (SPEC §6.2).
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lead.h"

static enum api_err	lead_get(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/admin/leads/{id}",
	.who = ROLE_ADMIN,
	.run = lead_get,
};

static const char sql_get[] =
    "SELECT " LEAD_COLUMNS " FROM leads l WHERE l.id = $1::bigint";

static enum api_err
lead_get(struct call *c)
{
	struct db_res	*res = NULL;
	cJSON		*o = NULL;
	const char	*param = c->id_str;
	enum api_err	 er;

	if ((er = db_exec(c->db, sql_get, 1, &param, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1)
		er = http_fail(c->r, API_NOT_FOUND, "lead not found");
	else if ((o = lead_json(res, 0, 0)) == NULL)
		er = API_ENOMEM;
	else
		er = http_send(c->r, 200, o);
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

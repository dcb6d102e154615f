/*
 * lectern — POST /api/admin/certificates/{code}/revoke: an admin
 * revokes a certificate, {reason}.  From then on its verification says
 * valid false with the reason.  Audited with the reason.  200 with the
 * certificate; an unknown code 404, one already revoked 409.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "certificate.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	certificate_revoke(struct call *);

enum field { F_REASON, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_REASON] = { .name = "reason", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = CERT_REASON_MAX },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/admin/certificates/{code}/revoke",
	.who = ROLE_ADMIN,
	.fields = fields,
	.nfields = F__MAX,
	.run = certificate_revoke,
};

static const char sql_lock[] =
    "SELECT id, revoked_at IS NOT NULL FROM certificates"
    " WHERE code = $1 FOR UPDATE";

static const char sql_revoke[] =
    "UPDATE certificates AS ct SET revoked_at = now(), revoked_reason = $2,"
    " revoked_by = $3::bigint WHERE ct.id = $1::bigint"
    " RETURNING " CERT_COLUMNS;

static enum api_err
certificate_revoke(struct call *c)
{
	struct req	*r = c->r;
	struct db_res	*res = NULL;
	cJSON		*o = NULL, *details = NULL;
	const char	*params[3], *v;
	char		 code[CERT_CODE_LEN + 1], id[24];
	enum api_err	 er;

	if (!cert_code_parse(c->key, code))
		return API_NOT_FOUND;
	params[0] = code;
	if ((er = db_exec(c->db, sql_lock, 1, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1 || (v = db_get(res, 0, 0)) == NULL) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((v = db_get(res, 0, 1)) != NULL && v[0] == 't') {
		er = http_fail(r, API_CONFLICT, "already revoked");
		goto out;
	}
	snprintf(id, sizeof(id), "%s", db_get(res, 0, 0));
	db_res_free(res);
	res = NULL;
	params[0] = id;
	params[1] = c->in[F_REASON].v.s;
	params[2] = c->user_id;
	if ((er = db_exec(c->db, sql_revoke, 3, params, &res)) != API_OK)
		goto out;
	if ((o = cert_json(res, 0, 0)) == NULL ||
	    (details = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(details, "code",
	    cJSON_GetStringValue(cJSON_GetObjectItem(o, "code"))) == NULL ||
	    cJSON_AddStringToObject(details, "reason",
	    c->in[F_REASON].v.s) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	if ((er = audit_log(r, c->db, c->user_id, "certificate.revoke",
	    "certificate", id, details)) != API_OK)
		goto out;
	er = http_send(r, 200, o);
out:
	cJSON_Delete(details);
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

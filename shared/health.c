/*
 * lectern — health: what /health and /ready report.
 *
 * Nothing here names a host, a secret or the versions of Apache and
 * PostgreSQL; database failures are logged by db.c, and the client sees
 * only "unreachable".
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "db.h"
#include "health.h"
#include "http.h"
#include "schema_latest.h"
#include "tutor.h"

static const char sql_schema[] = "SELECT lectern_schema_version()";

enum api_err
health_respond(struct req *r, int need_current)
{
	const struct config	*cfg = config_get();
	struct db		*db;
	struct db_res		*res = NULL;
	cJSON			*doc, *e, *in;
	const char		*schema = NULL, *dbstate = "unreachable";
	int			 ok;
	enum api_err		 er;

	if ((doc = cJSON_CreateObject()) == NULL)
		return API_ENOMEM;
	if (http_db(r, &db) == API_OK &&
	    db_exec(db, sql_schema, 0, NULL, &res) == API_OK) {
		dbstate = "connected";
		schema = db_get(res, 0, 0);
	}
	ok = cfg->valid && schema != NULL;
	if (need_current && ok && strcmp(schema, SCHEMA_LATEST) != 0)
		ok = 0;
	cJSON_AddStringToObject(doc, "status", ok ? "ok" : "unavailable");
	cJSON_AddStringToObject(doc, "database", dbstate);
	if (schema != NULL)
		cJSON_AddStringToObject(doc, "schema", schema);
	else
		cJSON_AddNullToObject(doc, "schema");
	if (need_current)
		cJSON_AddStringToObject(doc, "schema_expected", SCHEMA_LATEST);
	cJSON_AddStringToObject(doc, "config", cfg->valid ? "ok" : "invalid");
	cJSON_AddStringToObject(doc, "version", PACKAGE_VERSION);
	/* Outside services: whether each is set up, never how. */
	if ((in = cJSON_GetObjectItemCaseSensitive(doc, "integrations")) ==
	    NULL)
		in = cJSON_AddObjectToObject(doc, "integrations");
	if (in != NULL) {
		cJSON_AddStringToObject(in, "google",
		    cfg->google_client_id != NULL ? "configured" :
		    "not_configured");
		cJSON_AddStringToObject(in, "firebase",
		    cfg->firebase_project_id != NULL ? "configured" :
		    "not_configured");
		cJSON_AddStringToObject(in, "razorpay",
		    cfg->razorpay_key_id != NULL &&
		    cfg->razorpay_key_secret != NULL ? "configured" :
		    "not_configured");
		cJSON_AddStringToObject(in, "tutor", tutor_configured() ?
		    "configured" : "not_configured");
	}
	if (!ok && (e = cJSON_AddObjectToObject(doc, "error")) != NULL) {
		cJSON_AddStringToObject(e, "code", "unavailable");
		cJSON_AddStringToObject(e, "message", !cfg->valid ?
		    "configuration is invalid" : schema == NULL ?
		    "database is unreachable" : "schema is not current");
		cJSON_AddStringToObject(e, "request_id", r->request_id);
	}
	db_res_free(res);
	er = http_send(r, ok ? 200 : 503, doc);
	cJSON_Delete(doc);
	return er;
}

/*
 * lectern — audit: the append-only record of who did what.
 *
 * The application role may insert into audit_logs and read it, never
 * update or delete (the schema's grants and a trigger say so).
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "db.h"
#include "http.h"
#include "json.h"
#include "log.h"

static const char sql_audit[] =
    "INSERT INTO audit_logs (actor_user_id, action, target_type, target_id,"
    " details, ip, request_id) VALUES ($1::bigint, $2, $3, $4,"
    " coalesce($5::jsonb, '{}'::jsonb), $6, $7)";

/*
 * A copy of details without members that name a secret, at any depth.
 * NULL when out of memory.
 */
static cJSON *
scrub(const cJSON *details)
{
	cJSON	*copy, *it, *next;

	if ((copy = cJSON_Duplicate(details, 1)) == NULL)
		return NULL;
	for (it = copy->child; it != NULL; it = next) {
		next = it->next;
		if (it->string != NULL && log_key_is_secret(it->string))
			cJSON_DeleteItemFromObjectCaseSensitive(copy, it->string);
		else if (cJSON_IsObject(it) || cJSON_IsArray(it)) {
			cJSON	*clean = scrub(it);

			if (clean == NULL) {
				cJSON_Delete(copy);
				return NULL;
			}
			if (it->string != NULL)
				cJSON_ReplaceItemInObjectCaseSensitive(copy,
				    it->string, clean);
			else
				cJSON_ReplaceItemViaPointer(copy, it, clean);
		}
	}
	return copy;
}

enum api_err
audit_log(struct req *r, struct db *db, const char *actor,
    const char *action, const char *target_type, const char *target_id,
    const cJSON *details)
{
	const char	*params[7];
	cJSON		*clean = NULL;
	char		*text = NULL;
	enum api_err	 er = API_ENOMEM;

	if (details != NULL && ((clean = scrub(details)) == NULL ||
	    (text = json_emit(clean)) == NULL))
		goto out;
	params[0] = actor;
	params[1] = action;
	params[2] = target_type;
	params[3] = target_id;
	params[4] = text;
	params[5] = r->remote_addr;
	params[6] = r->request_id;
	er = db_exec(db, sql_audit, 7, params, NULL);
out:
	cJSON_free(text);
	cJSON_Delete(clean);
	return er;
}

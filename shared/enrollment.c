/*
 * lectern — enrollment: turning an enrollment row into its JSON.  Ids
 * are JSON numbers, timestamps RFC 3339 UTC (formatted by PostgreSQL).
 */
#include "config.h"

#include <stdlib.h>

#include <cjson/cJSON.h>

#include "db.h"
#include "enrollment.h"
#include "log.h"

cJSON *
enrollment_json(const struct db_res *res, int row, int col)
{
	const char	*id, *course, *user, *status, *source, *created;
	cJSON		*o;

	if ((id = db_get(res, row, col + ENROLLMENT_C_ID)) == NULL ||
	    (course = db_get(res, row, col + ENROLLMENT_C_COURSE)) == NULL ||
	    (user = db_get(res, row, col + ENROLLMENT_C_USER)) == NULL ||
	    (status = db_get(res, row, col + ENROLLMENT_C_STATUS)) == NULL ||
	    (source = db_get(res, row, col + ENROLLMENT_C_SOURCE)) == NULL ||
	    (created = db_get(res, row, col + ENROLLMENT_C_CREATED)) == NULL)
		return NULL;
	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(o, "id",
	    (double)strtoll(id, NULL, 10)) == NULL ||
	    cJSON_AddNumberToObject(o, "course_id",
	    (double)strtoll(course, NULL, 10)) == NULL ||
	    cJSON_AddNumberToObject(o, "user_id",
	    (double)strtoll(user, NULL, 10)) == NULL ||
	    cJSON_AddStringToObject(o, "status", status) == NULL ||
	    cJSON_AddStringToObject(o, "source", source) == NULL ||
	    cJSON_AddStringToObject(o, "created_at", created) == NULL) {
		log_warnx("enrollment_json: out of memory");
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

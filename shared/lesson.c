/*
 * lectern — lesson: the JSON of a lesson, finding a lesson's course and
 * checking the caller may see it, the course row lock under which
 * lesson positions change, and the check of a video URL.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "lesson.h"
#include "log.h"
#include "valid.h"

static const char sql_lesson_course[] =
    "SELECT course_id FROM lessons WHERE id = $1::bigint";

static const char sql_lock[] =
    "SELECT id FROM courses WHERE id = $1::bigint FOR NO KEY UPDATE";

static const char sql_count[] =
    "SELECT count(*) FROM lessons WHERE course_id = $1::bigint";

enum col {
	C_ID, C_COURSE, C_TITLE, C_POSITION, C_PREVIEW, C_OPEN, C_VIDEO,
	C_CONTENT, C_CREATED, C_UPDATED
};

/*
 * Add member key to obj: the integer in column col of row of res as a
 * number.  Returns 0, or -1 when out of memory or the value is NULL.
 */
static int
add_num(cJSON *obj, const char *key, const struct db_res *res, int row,
    int col)
{
	const char	*v = db_get(res, row, col);

	if (v == NULL)
		return -1;
	return cJSON_AddNumberToObject(obj, key,
	    (double)strtoll(v, NULL, 10)) == NULL ? -1 : 0;
}

/*
 * Add member key to obj: the text of column col of row of res, or null
 * when it is SQL NULL.  Returns 0, or -1 when out of memory.
 */
static int
add_str(cJSON *obj, const char *key, const struct db_res *res, int row,
    int col)
{
	const char	*v = db_get(res, row, col);

	if (v == NULL)
		return cJSON_AddNullToObject(obj, key) == NULL ? -1 : 0;
	return cJSON_AddStringToObject(obj, key, v) == NULL ? -1 : 0;
}

/* Whether column col of row of res is boolean true. */
static int
is_true(const struct db_res *res, int row, int col)
{
	const char	*v = db_get(res, row, col);

	return v != NULL && v[0] == 't';
}

cJSON *
lesson_json(const struct db_res *res, int row)
{
	cJSON	*o;

	if (row >= db_nrows(res))
		return NULL;
	if ((o = cJSON_CreateObject()) == NULL)
		goto enomem;
	if (add_num(o, "id", res, row, C_ID) == -1 ||
	    add_num(o, "course_id", res, row, C_COURSE) == -1 ||
	    add_str(o, "title", res, row, C_TITLE) == -1 ||
	    add_num(o, "position", res, row, C_POSITION) == -1 ||
	    cJSON_AddBoolToObject(o, "is_preview",
	    is_true(res, row, C_PREVIEW)) == NULL)
		goto enomem;
	if (is_true(res, row, C_OPEN) &&
	    (add_str(o, "video_url", res, row, C_VIDEO) == -1 ||
	    add_str(o, "content", res, row, C_CONTENT) == -1))
		goto enomem;
	if (add_str(o, "created_at", res, row, C_CREATED) == -1 ||
	    add_str(o, "updated_at", res, row, C_UPDATED) == -1)
		goto enomem;
	return o;
enomem:
	log_warnx("lesson_json: out of memory");
	cJSON_Delete(o);
	return NULL;
}

enum api_err
lesson_course(struct db *db, const char *id, const struct auth *a,
    struct course *c)
{
	struct db_res	*res = NULL;
	long long	 n;
	enum api_err	 er;

	memset(c, 0, sizeof(*c));
	if (!valid_id_str(id, &n))
		return API_NOT_FOUND;
	if ((er = db_exec(db, sql_lesson_course, 1, &id, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1 || db_get(res, 0, 0) == NULL) {
		db_res_free(res);
		return API_NOT_FOUND;
	}
	er = course_load(db, db_get(res, 0, 0), c);
	db_res_free(res);
	if (er != API_OK)
		return er;
	return course_check_learner(db, c, a);
}

enum api_err
lesson_lock_course(struct db *db, const struct course *c, long long *n)
{
	struct db_res	*res = NULL;
	const char	*id = c->id_str, *v;
	enum api_err	 er;

	*n = 0;
	if ((er = db_exec(db, sql_lock, 1, &id, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1) {
		er = API_NOT_FOUND;
		goto out;
	}
	db_res_free(res);
	res = NULL;
	/* A statement of its own: it sees what committed before the lock. */
	if ((er = db_exec(db, sql_count, 1, &id, &res)) != API_OK)
		goto out;
	if ((v = db_get(res, 0, 0)) == NULL) {
		er = API_INTERNAL;
		goto out;
	}
	*n = strtoll(v, NULL, 10);
	er = API_OK;
out:
	db_res_free(res);
	return er;
}

int
lesson_url_ok(const char *s)
{
	const char	*p, *host;
	int		 port = 0;

	if (strncmp(s, "https://", 8) != 0 ||
	    valid_utf8_len(s) > LESSON_URL_MAX)
		return 0;
	host = s + 8;
	for (p = host; *p != '\0' && *p != '/' && *p != '?' && *p != '#';
	    p++) {
		if (*p == ':' && !port && p > host) {
			port = 1;
			continue;
		}
		if (port ? !isdigit((unsigned char)*p) :
		    !(isalnum((unsigned char)*p) || *p == '.' || *p == '-'))
			return 0;
	}
	if (p == host || p[-1] == ':' || host[0] == '.' || host[0] == '-')
		return 0;
	for (; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return 0;
	return 1;
}

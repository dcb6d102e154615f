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
#include "row.h"
#include "valid.h"

static const char sql_lock[] =
    "SELECT id FROM courses WHERE id = $1::bigint FOR NO KEY UPDATE";

static const char sql_count[] =
    "SELECT count(*) FROM lessons WHERE course_id = $1::bigint";

/* The positions of LESSON_COLUMNS. */
enum col {
	C_ID, C_COURSE, C_TITLE, C_POSITION, C_PREVIEW, C_OPEN, C_VIDEO,
	C_CONTENT, C_CREATED, C_UPDATED, C__MAX
};

/*
 * The JSON of a lesson, by the columns of LESSON_COLUMNS.  Those from
 * C_VIDEO up to C_CREATED are sent only when the row is open.
 */
static const struct row_col cols[] = {
	[C_ID] = { "id", ROW_NUM, 0 },
	[C_COURSE] = { "course_id", ROW_NUM, 0 },
	[C_TITLE] = { "title", ROW_TEXT, 0 },
	[C_POSITION] = { "position", ROW_NUM, 0 },
	[C_PREVIEW] = { "is_preview", ROW_BOOL, 0 },
	[C_OPEN] = { "open", ROW_SKIP, 0 },
	[C_VIDEO] = { "video_url", ROW_TEXT, 0 },
	[C_CONTENT] = { "content", ROW_TEXT, 0 },
	[C_CREATED] = { "created_at", ROW_TEXT, 0 },
	[C_UPDATED] = { "updated_at", ROW_TEXT, 0 },
};

_Static_assert(ROW_NCOLS(cols) == C__MAX,
    "a column of LESSON_COLUMNS without its JSON");

cJSON *
lesson_json(const struct db_res *res, int row, int col)
{
	const char	*open;
	cJSON		*o;

	if (row >= db_nrows(res) || db_get(res, row, col + C_ID) == NULL)
		return NULL;
	open = db_get(res, row, col + C_OPEN);
	if ((o = cJSON_CreateObject()) == NULL ||
	    row_add(o, res, row, col, cols, C_VIDEO) == -1 ||
	    (open != NULL && open[0] == 't' &&
	    row_add(o, res, row, col + C_VIDEO, cols + C_VIDEO,
	    C_CREATED - C_VIDEO) == -1) ||
	    row_add(o, res, row, col + C_CREATED, cols + C_CREATED,
	    C__MAX - C_CREATED) == -1) {
		log_warnx("lesson_json: out of memory");
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

enum api_err
lesson_course(struct db *db, const char *id, const struct auth *a,
    struct course *c)
{
	enum api_err	 er;

	if ((er = course_of_lesson(db, id, c)) != API_OK)
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

int
lesson_valid_url(const cJSON *it, const struct vfield *f, union vval *v,
    const char **why)
{

	if (!valid_string(it, f, v, why))
		return 0;
	if (lesson_url_ok(v->s))
		return 1;
	free(v->s);
	v->s = NULL;
	*why = "must be an https:// URL";
	return 0;
}

/*
 * lectern — POST /api/uploads/sign: a user asks to upload one file
 * {filename, content_type, size, purpose, target_id?} and gets a
 * pending upload and a signed URL to PUT its bytes to (SPEC §6.1).
 *
 * The name, type and size are checked here, and so is the right to
 * attach to the target: a lesson's files come from its course's author
 * or an admin; a submission's from a learner enrolled in the classwork's
 * course; a ticket's or a thread's from someone who can see it; an
 * avatar has no target.  The per-user quota counts pending and ready
 * uploads, under a per-user lock so two signs at once cannot both fit
 * in the last of it.  Counted in the upload rate class.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "classwork.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lesson.h"
#include "row.h"
#include "upload.h"

static enum api_err	upload_sign(struct call *);

enum field { F_FILENAME, F_TYPE, F_SIZE, F_PURPOSE, F_TARGET, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_FILENAME] = { .name = "filename", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1,
	    .max = UPLOAD_FILENAME_MAX },
	[F_TYPE] = { .name = "content_type", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 100 },
	[F_SIZE] = { .name = "size", .fn = valid_int, .flags = VF_REQUIRED,
	    .min = 1, .max = 1LL << 50 },
	[F_PURPOSE] = { .name = "purpose", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 20 },
	[F_TARGET] = { .name = "target_id", .fn = valid_id },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/uploads/sign",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_UPLOAD,
	.run = upload_sign,
};

static const char sql_ticket[] = "SELECT lectern_ticket_visible($1::bigint)";
static const char sql_thread[] = "SELECT lectern_thread_visible($1::bigint)";

/* One sign at a time per user, so the quota holds. */
static const char sql_lock[] =
    "SELECT pg_advisory_xact_lock(hashtext('lectern.upload'),"
    " $1::integer)";

static const char sql_used[] =
    "SELECT coalesce(sum(size), 0) + $2::bigint > $3::bigint FROM uploads"
    " WHERE user_id = $1::bigint"
    " AND status IN ('pending', 'uploading', 'ready')";

static const char sql_insert[] =
    "WITH p AS (INSERT INTO uploads (user_id, filename, content_type, size,"
    "  purpose, target_id, backend, storage_key)"
    " VALUES ($1::bigint, $2, $3, $4::bigint, $5, $6::bigint, $7, $8)"
    " RETURNING *)"
    " SELECT " UPLOAD_COLUMNS " FROM p";

/*
 * Whether the caller of c may attach a file for purpose to target (the
 * decimal text id).  Returns API_OK, API_NOT_FOUND, API_FORBIDDEN or
 * API_INVALID (the detail set), or a database error.
 */
static enum api_err
check_target(struct call *c, const char *purpose, const char *target)
{
	struct course		 co;
	struct classwork	 cw;
	struct db_res		*res = NULL;
	const char		*v;
	int			 author;
	enum api_err		 er;

	if (strcmp(purpose, "avatar") == 0)
		return target == NULL ? API_OK : http_invalid_field(c->r,
		    "target_id", "must not be given for an avatar");
	if (target == NULL)
		return http_invalid_field(c->r, "target_id", "is required");
	if (strcmp(purpose, "lesson") == 0) {
		if ((er = lesson_course(c->db, target, &c->a, &co)) != API_OK)
			return er;
		if (!course_is_author(&co, &c->a))
			return http_fail(c->r, API_FORBIDDEN, "only the "
			    "course's author or an admin attaches to lessons");
		return API_OK;
	}
	if (strcmp(purpose, "submission") == 0) {
		if ((er = classwork_load(c->db, target, CLASSWORK_LOCK_NONE,
		    &cw)) != API_OK)
			return er;
		er = classwork_check(c->db, &cw.course, &c->a,
		    CLASSWORK_LEARN, &author);
		if (er == API_OK && author)
			return http_fail(c->r, API_FORBIDDEN,
			    "authors do not submit");
		if (er == API_FORBIDDEN)
			return http_fail(c->r, er,
			    "only enrolled learners submit");
		return er;
	}
	if ((er = db_exec(c->db, strcmp(purpose, "ticket") == 0 ? sql_ticket :
	    sql_thread, 1, &target, &res)) != API_OK)
		return er;
	v = db_nrows(res) == 1 ? db_get(res, 0, 0) : NULL;
	er = v != NULL && v[0] == 't' ? API_OK : API_NOT_FOUND;
	db_res_free(res);
	return er;
}

/* The put object of the answer for upload id with storage key. */
static cJSON *
put_json(const struct upload_conf *uc, const char *id, const char *key,
    const char *ct, long long expires, char *exp, size_t esize)
{
	cJSON		*put, *h;
	char		 url[UPLOAD_URL_MAX];
	time_t		 t = (time_t)expires;
	struct tm	 tm;

	exp[0] = '\0';
	if (gmtime_r(&t, &tm) != NULL)
		strftime(exp, esize, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (uc->backend == UPLOAD_S3) {
		if (upload_s3_url(uc, "PUT", key, (time_t)(expires - uc->ttl),
		    url, sizeof(url)) != API_OK)
			return NULL;
	} else if (upload_local_url("PUT", id, expires, url,
	    sizeof(url)) != API_OK)
		return NULL;
	if ((put = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(put, "method", "PUT") == NULL ||
	    cJSON_AddStringToObject(put, "url", url) == NULL ||
	    (h = cJSON_AddObjectToObject(put, "headers")) == NULL ||
	    cJSON_AddStringToObject(h, "Content-Type", ct) == NULL) {
		cJSON_Delete(put);
		return NULL;
	}
	return put;
}

static enum api_err
upload_sign(struct call *c)
{
	struct req		*r = c->r;
	struct upload_conf	 uc;
	struct db_res		*res = NULL;
	cJSON			*o = NULL, *put;
	const char		*p[8], *name, *ct, *purpose, *why, *v;
	char			 key[UPLOAD_KEY_LEN + 1], size[24], target[24];
	char			 quota[24], exp[32];
	long long		 expires;
	enum api_err		 er;

	upload_conf(&uc);
	if (!uc.valid)
		return http_fail(r, API_UNAVAILABLE,
		    "uploads are not configured");
	name = c->in[F_FILENAME].v.s;
	ct = c->in[F_TYPE].v.s;
	purpose = c->in[F_PURPOSE].v.s;
	if (!upload_type_ok(ct))
		return http_invalid_field(r, "content_type",
		    "is not an allowed type");
	if (!upload_name_ok(name, ct, &why))
		return http_invalid_field(r, "filename", why);
	if (strcmp(purpose, "lesson") != 0 &&
	    strcmp(purpose, "submission") != 0 &&
	    strcmp(purpose, "ticket") != 0 && strcmp(purpose, "message") != 0 &&
	    strcmp(purpose, "avatar") != 0)
		return http_invalid_field(r, "purpose", "must be lesson, "
		    "submission, ticket, message or avatar");
	if (c->in[F_SIZE].v.i > uc.max)
		return http_fail(r, API_TOO_LARGE,
		    "the file is larger than uploads may be");
	snprintf(target, sizeof(target), "%lld", c->in[F_TARGET].v.i);
	if ((er = check_target(c, purpose, c->in[F_TARGET].present ?
	    target : NULL)) != API_OK)
		return er;
	snprintf(size, sizeof(size), "%lld", c->in[F_SIZE].v.i);
	snprintf(quota, sizeof(quota), "%lld", uc.quota);
	p[0] = c->user_id;
	p[1] = size;
	p[2] = quota;
	if ((er = db_exec(c->db, sql_lock, 1, p, NULL)) != API_OK ||
	    (er = db_exec(c->db, sql_used, 3, p, &res)) != API_OK)
		goto out;
	v = db_nrows(res) == 1 ? db_get(res, 0, 0) : NULL;
	if (v == NULL || v[0] != 'f') {
		er = http_fail(r, API_STORAGE_QUOTA,
		    "this file would pass your upload quota");
		goto out;
	}
	db_res_free(res);
	res = NULL;
	if ((er = upload_new_key(key)) != API_OK)
		goto out;
	p[1] = name;
	p[2] = ct;
	p[3] = size;
	p[4] = purpose;
	p[5] = c->in[F_TARGET].present ? target : NULL;
	p[6] = uc.backend == UPLOAD_S3 ? "s3" : "local";
	p[7] = key;
	if ((er = db_exec(c->db, sql_insert, 8, p, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = API_INTERNAL;
		goto out;
	}
	expires = (long long)time(NULL) + uc.ttl;
	er = API_ENOMEM;
	if ((o = cJSON_CreateObject()) == NULL ||
	    row_add_one(o, "upload", res, upload_json) == -1)
		goto out;
	if ((put = put_json(&uc, db_get(res, 0, 0), key, ct, expires, exp,
	    sizeof(exp))) == NULL) {
		er = API_INTERNAL;
		goto out;
	}
	cJSON_AddItemToObject(o, "put", put);
	if (cJSON_AddStringToObject(o, "expires_at", exp) == NULL)
		goto out;
	er = http_send_created(r, o, "/api/uploads/%s", db_get(res, 0, 0));
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

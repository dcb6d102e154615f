/*
 * lectern — export: everything stored about a user, as one document.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "db.h"
#include "export.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "row.h"

/*
 * One member of the document: an array built by sql, which takes the
 * user id as $1 and, when nparams is 2, the caller's session id as $2,
 * and returns one row of one json column; read only when table exists.
 */
struct section {
	const char	*key;
	const char	*table;
	int		 nparams;
	const char	*sql;
};

static const struct section sections[] = {
	{ "sessions", "public.sessions", 2,
	    "SELECT coalesce(json_agg(json_build_object("
	    "'created_at', " SQL_UTC("s.created_at") ","
	    " 'expires_at', " SQL_UTC("s.expires_at") ","
	    " 'revoked_at', " SQL_UTC("s.revoked_at") ","
	    " 'revoked_reason', s.revoked_reason,"
	    " 'current', coalesce(s.id = $2, false))"
	    " ORDER BY s.created_at, s.id), '[]'::json)"
	    " FROM sessions s WHERE s.user_id = $1::bigint" },
	{ "audit_logs", "public.audit_logs", 1,
	    "SELECT coalesce(json_agg(json_build_object("
	    "'action', a.action,"
	    " 'actor_user_id', a.actor_user_id,"
	    " 'target_type', a.target_type,"
	    " 'target_id', a.target_id,"
	    " 'details', a.details,"
	    " 'ip', CASE WHEN a.actor_user_id = $1::bigint THEN a.ip END,"
	    " 'created_at', " SQL_UTC("a.created_at") ")"
	    " ORDER BY a.created_at, a.id), '[]'::json)"
	    " FROM audit_logs a WHERE a.actor_user_id = $1::bigint"
	    " OR (a.target_type = 'user'"
	    " AND a.target_id = ($1::bigint)::text)" },
	{ "password_resets", "public.password_resets", 1,
	    "SELECT coalesce(json_agg(json_build_object("
	    "'created_at', " SQL_UTC("p.created_at") ","
	    " 'expires_at', " SQL_UTC("p.expires_at") ","
	    " 'used_at', " SQL_UTC("p.used_at") ")"
	    " ORDER BY p.created_at, p.id), '[]'::json)"
	    " FROM password_resets p WHERE p.user_id = $1::bigint" },
	{ "courses_authored", "public.courses", 1,
	    "SELECT coalesce(json_agg(json_build_object("
	    "'id', c.id, 'title', c.title, 'published', c.published,"
	    " 'archived', c.archived,"
	    " 'created_at', " SQL_UTC("c.created_at") ")"
	    " ORDER BY c.id), '[]'::json)"
	    " FROM courses c WHERE c.instructor_id = $1::bigint" },
	{ "enrollments", "public.enrollments", 1,
	    "SELECT coalesce(json_agg(json_build_object("
	    "'course_id', e.course_id, 'status', e.status,"
	    " 'source', e.source, 'created_at', " SQL_UTC("e.created_at") ")"
	    " ORDER BY e.id), '[]'::json)"
	    " FROM enrollments e WHERE e.user_id = $1::bigint" },
	{ "lesson_progress", "public.lesson_progress", 1,
	    "SELECT coalesce(json_agg(json_build_object("
	    "'lesson_id', l.lesson_id,"
	    " 'completed_at', " SQL_UTC("l.completed_at") ")"
	    " ORDER BY l.completed_at), '[]'::json)"
	    " FROM lesson_progress l WHERE l.user_id = $1::bigint" },
	{ "submissions", "public.submissions", 1,
	    "SELECT coalesce(json_agg(json_build_object("
	    "'classwork_id', s.classwork_id, 'content', s.content,"
	    " 'grade', s.grade, 'feedback', s.feedback,"
	    " 'submitted_at', " SQL_UTC("s.submitted_at") ","
	    " 'graded_at', " SQL_UTC("s.graded_at") ")"
	    " ORDER BY s.id), '[]'::json)"
	    " FROM submissions s WHERE s.user_id = $1::bigint" },
	{ "payments", "public.payments", 1,
	    "SELECT coalesce(json_agg(json_build_object("
	    "'course_id', p.course_id, 'method', p.method,"
	    " 'status', p.status, 'amount', p.amount,"
	    " 'currency', p.currency,"
	    " 'provider_payment_id', p.provider_payment_id,"
	    " 'created_at', " SQL_UTC("p.created_at") ","
	    " 'paid_at', " SQL_UTC("p.paid_at") ")"
	    " ORDER BY p.id), '[]'::json)"
	    " FROM payments p WHERE p.user_id = $1::bigint" },
	{ "identities", "public.user_identities", 1,
	    "SELECT coalesce(json_agg(json_build_object("
	    "'provider', i.provider, 'subject', i.subject,"
	    " 'email', i.email, 'created_at', " SQL_UTC("i.created_at") ","
	    " 'last_used_at', " SQL_UTC("i.last_used_at") ")"
	    " ORDER BY i.id), '[]'::json)"
	    " FROM user_identities i WHERE i.user_id = $1::bigint" },
	{ NULL, NULL, 0, NULL }
};

static const char sql_exists[] =
    "SELECT to_regclass($1) IS NOT NULL";

static const char sql_now[] =
    "SELECT " SQL_UTC("now()");

/*
 * Add section s for the user and session of params to doc, when its
 * table exists.  Returns API_OK, API_ENOMEM, API_INTERNAL (PostgreSQL
 * built something that does not parse; logged) or a database error.
 */
static enum api_err
add_section(struct req *r, struct db *db, const struct section *s,
    const char *const *params, cJSON *doc)
{
	struct db_res	*res = NULL;
	const char	*v;
	cJSON		*arr = NULL;
	enum api_err	 er;

	if ((er = db_exec(db, sql_exists, 1, &s->table, &res)) != API_OK)
		goto out;
	if ((v = db_get(res, 0, 0)) == NULL || v[0] != 't')
		goto out;
	db_res_free(res);
	res = NULL;
	if ((er = db_exec(db, s->sql, s->nparams, params, &res)) != API_OK)
		goto out;
	if ((v = db_get(res, 0, 0)) == NULL ||
	    (er = json_parse(v, strlen(v), &arr)) != API_OK ||
	    !cJSON_IsArray(arr)) {
		log_event(LOG_LVL_ERROR, r->request_id, "export_section_bad",
		    "section", s->key, NULL);
		er = er == API_ENOMEM ? er : API_INTERNAL;
		goto out;
	}
	if (!cJSON_AddItemToObject(doc, s->key, arr)) {
		er = API_ENOMEM;
		goto out;
	}
	arr = NULL;
out:
	cJSON_Delete(arr);
	db_res_free(res);
	return er;
}

enum api_err
export_user(struct req *r, struct db *db, const struct user *u,
    const char *sid, cJSON **out)
{
	struct db_res	*res = NULL;
	const char	*params[2], *now;
	const struct section *s;
	cJSON		*doc = NULL, *uj;
	enum api_err	 er;

	*out = NULL;
	if ((er = db_exec(db, sql_now, 0, NULL, &res)) != API_OK)
		goto out;
	er = API_ENOMEM;
	if ((now = db_get(res, 0, 0)) == NULL ||
	    (doc = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(doc, "exported_at", now) == NULL ||
	    (uj = auth_user_json(u)) == NULL)
		goto out;
	if (!cJSON_AddItemToObject(doc, "user", uj)) {
		cJSON_Delete(uj);
		goto out;
	}
	params[0] = u->id_str;
	params[1] = sid;
	for (s = sections; s->key != NULL; s++)
		if ((er = add_section(r, db, s, params, doc)) != API_OK)
			goto out;
	*out = doc;
	doc = NULL;
out:
	cJSON_Delete(doc);
	db_res_free(res);
	return er;
}


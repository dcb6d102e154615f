/*
 * lectern — signin: the one handler behind POST /api/auth/google and
 * POST /api/auth/firebase (see signin.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "idtoken.h"
#include "jwks.h"
#include "log.h"
#include "password.h"
#include "signin.h"
#include "valid.h"

/*
 * The token is checked by idtoken (at most IDTOKEN_MAX_LEN bytes, else
 * invalid_token), not here: the field only bounds the body.  Kept as
 * given and wiped when freed.
 */
const struct vfield	signin_fields[SIGNIN_F__MAX] = {
	[SIGNIN_F_ID_TOKEN] = { .name = "id_token", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_NOTRIM, .min = 1, .max = 65536 },
};

/* One provider: its name (in user_identities, the cache, the audit). */
struct provider {
	const char		*name;
	const char		*title;
	const char		*url;
	struct idtoken_rules	 rules;
	char			 iss[320];
};

static const char sql_identity[] =
    "SELECT " AUTH_USER_COLUMNS " FROM user_identities i"
    " JOIN users u ON u.id = i.user_id"
    " WHERE i.provider = $1 AND i.subject = $2 FOR UPDATE OF i";

static const char sql_touch[] =
    "UPDATE user_identities SET last_used_at = now()"
    " WHERE provider = $1 AND subject = $2";

static const char sql_by_email[] =
    "SELECT " AUTH_USER_COLUMNS " FROM users u"
    " WHERE lower(u.email) = lower($1)";

static const char sql_link[] =
    "INSERT INTO user_identities (provider, subject, email, user_id)"
    " VALUES ($1, $2, $3, $4::bigint)"
    " ON CONFLICT (provider, subject) DO NOTHING RETURNING id";

static const char sql_create[] =
    "INSERT INTO users AS u (email, name, password_hash, role)"
    " VALUES ($1, $2, $3, 'student')"
    " ON CONFLICT ((lower(email))) DO NOTHING"
    " RETURNING " AUTH_USER_COLUMNS;

/*
 * Fill *p for provider name from the configuration.  Returns API_OK, or
 * API_UNAVAILABLE with a message naming the missing setting.
 */
static enum api_err
provider_get(struct req *r, const char *name, struct provider *p)
{
	const struct config	*cfg = config_get();
	const char		*project;
	int			 n;

	memset(p, 0, sizeof(*p));
	p->name = name;
	if (strcmp(name, "google") == 0) {
		if (cfg->google_client_id == NULL)
			return http_fail(r, API_UNAVAILABLE, "sign-in with "
			    "Google is not configured: LECTERN_GOOGLE_CLIENT_ID"
			    " is not set");
		p->url = cfg->google_jwks_url;
		p->rules.iss[0] = "accounts.google.com";
		p->rules.iss[1] = "https://accounts.google.com";
		p->rules.aud = cfg->google_client_id;
		p->rules.flags = IDT_EMAIL_VERIFIED;
		return API_OK;
	}
	project = cfg->firebase_project_id;
	if (project == NULL)
		return http_fail(r, API_UNAVAILABLE, "sign-in with Firebase"
		    " is not configured: LECTERN_FIREBASE_PROJECT_ID is not"
		    " set");
	n = snprintf(p->iss, sizeof(p->iss),
	    "https://securetoken.google.com/%s", project);
	if (n < 0 || (size_t)n >= sizeof(p->iss) || strchr(project, ','))
		return http_fail(r, API_UNAVAILABLE, "sign-in with Firebase "
		    "is not configured: LECTERN_FIREBASE_PROJECT_ID is not a "
		    "project id");
	p->url = cfg->firebase_jwks_url;
	p->rules.iss[0] = p->iss;
	p->rules.aud = project;
	p->rules.flags = IDT_AUTH_TIME | IDT_SUB_128;
	return API_OK;
}

/* Refuse the token: logged with the reason only, answered 400. */
static enum api_err
refuse(struct req *r, const struct provider *p, const char *why)
{

	log_event(LOG_LVL_INFO, r->request_id, "id_token_refused",
	    "provider", p->name, "reason", why, NULL);
	return http_fail(r, API_INVALID_TOKEN, why);
}

/*
 * The verified email of token t, lower-cased, into *email (the caller
 * frees it).  Returns API_OK, or API_INVALID_TOKEN (answered).
 */
static enum api_err
verified_email(struct req *r, const struct provider *p,
    const struct idtoken *t, char **email)
{
	static const struct vfield	 f = { .name = "email",
	    .fn = valid_email, .flags = VF_REQUIRED };
	union vval			 v;
	const char			*why;

	*email = NULL;
	if (t->email == NULL || !t->email_verified)
		return refuse(r, p, "the token carries no verified email");
	memset(&v, 0, sizeof(v));
	if (!valid_email(cJSON_GetObjectItemCaseSensitive(t->claims, "email"),
	    &f, &v, &why))
		return refuse(r, p, "the token's email is not usable");
	*email = v.s;
	return API_OK;
}

/*
 * The name for a new account: the token's name when it is fit, else
 * the local part of email.  Returns a string for the caller to free, or
 * NULL when out of memory.
 */
static char *
new_name(const struct idtoken *t, const char *email)
{
	static const struct vfield	 f = { .name = "name",
	    .fn = valid_string, .min = 1, .max = 100 };
	union vval			 v;
	const cJSON			*it;
	const char			*why;

	memset(&v, 0, sizeof(v));
	if ((it = cJSON_GetObjectItemCaseSensitive(t->claims, "name")) !=
	    NULL && valid_string(it, &f, &v, &why))
		return v.s;
	return strndup(email, strcspn(email, "@"));
}

/* Audit action on user u for provider p. */
static enum api_err
audit(struct req *r, struct db *db, const struct user *u,
    const struct provider *p, const char *action)
{
	cJSON		*d;
	enum api_err	 er;

	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "provider", p->name) == NULL) {
		cJSON_Delete(d);
		return API_ENOMEM;
	}
	er = audit_log(r, db, u->id_str, action, "user", u->id_str, d);
	cJSON_Delete(d);
	return er;
}

/*
 * Link identity (p, t->sub) with email to user u.  Returns API_OK, or
 * API_RETRY when a parallel sign-in linked it first.
 */
static enum api_err
link_identity(struct db *db, const struct provider *p,
    const struct idtoken *t, const char *email, const struct user *u)
{
	struct db_res	*res = NULL;
	const char	*params[4];
	enum api_err	 er;

	params[0] = p->name;
	params[1] = t->sub;
	params[2] = email;
	params[3] = u->id_str;
	if ((er = db_exec(db, sql_link, 4, params, &res)) == API_OK &&
	    db_nrows(res) != 1)
		er = API_RETRY;
	db_res_free(res);
	return er;
}

/*
 * Make a student for the identity (p, t) with email into *u.  Returns
 * API_OK, API_RETRY (a parallel sign-up took the email first) or an
 * error.
 */
static enum api_err
create_user(struct db *db, const struct idtoken *t, const char *email,
    struct user *u)
{
	struct db_res	*res = NULL;
	const char	*params[3];
	char		*name = NULL, *unusable = NULL;
	enum api_err	 er;

	if ((name = new_name(t, email)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	if ((er = password_unusable(&unusable)) != API_OK)
		goto out;
	params[0] = email;
	params[1] = name;
	params[2] = unusable;
	if ((er = db_exec(db, sql_create, 3, params, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1)
		er = API_RETRY;
	else if (!auth_user_from_row(res, 0, 0, u))
		er = API_INTERNAL;
out:
	db_res_free(res);
	free(name);
	crypto_wipe_free(unusable);
	return er;
}

/*
 * Read into *u the user in res's one row.  Returns API_OK, or
 * API_ACCOUNT_DISABLED when the account may not sign in.
 */
static enum api_err
active_user(const struct db_res *res, struct user *u)
{

	if (!auth_user_from_row(res, 0, 0, u))
		return API_INTERNAL;
	return u->is_active ? API_OK : API_ACCOUNT_DISABLED;
}

/*
 * Sign in the identity of the verified token t: its user, the account of
 * its verified email (linked), or a new student.
 */
static enum api_err
sign_in(struct call *c, const struct provider *p, const struct idtoken *t)
{
	struct req	*r = c->r;
	struct db_res	*res = NULL;
	struct user	 u;
	const char	*params[2];
	char		*email = NULL;
	int		 created = 0;
	enum api_err	 er;

	params[0] = p->name;
	params[1] = t->sub;
	if ((er = db_begin(c->db, NULL, NULL)) != API_OK ||
	    (er = db_exec(c->db, sql_identity, 2, params, &res)) != API_OK)
		goto out;
	if (db_nrows(res) == 1) {
		if ((er = active_user(res, &u)) != API_OK ||
		    (er = db_exec(c->db, sql_touch, 2, params, NULL)) != API_OK)
			goto out;
		er = auth_finish(r, c->db, &u, NULL, 200, 0);
		goto out;
	}
	db_res_free(res);
	res = NULL;
	if ((er = verified_email(r, p, t, &email)) != API_OK ||
	    (er = db_exec(c->db, sql_by_email, 1, (const char *const *)&email,
	    &res)) != API_OK)
		goto out;
	if (db_nrows(res) == 1) {
		if ((er = active_user(res, &u)) != API_OK)
			goto out;
	} else {
		if ((er = create_user(c->db, t, email, &u)) != API_OK)
			goto out;
		created = 1;
	}
	if ((er = link_identity(c->db, p, t, email, &u)) != API_OK ||
	    (er = audit(r, c->db, &u, p, created ? "account_created" :
	    "identity_linked")) != API_OK)
		goto out;
	log_event(LOG_LVL_INFO, r->request_id, created ? "account_created" :
	    "identity_linked", "provider", p->name, "user_id", u.id_str, NULL);
	if (created)
		(void)http_header(r, "Location", "/api/auth/me");
	er = auth_finish(r, c->db, &u, NULL, created ? 201 : 200, created);
out:
	db_res_free(res);
	free(email);
	return er;
}

/* The handler of both endpoints, for provider name. */
static enum api_err
signin(struct call *c, const char *name)
{
	struct req	*r = c->r;
	struct provider	 p;
	struct idtoken	 t;
	struct jwks	*set = NULL;
	const char	*why, *token = c->in[SIGNIN_F_ID_TOKEN].v.s;
	char		 kid[JWKS_KID_MAX + 1];
	long long	 now = (long long)time(NULL);
	enum api_err	 er;

	memset(&t, 0, sizeof(t));
	if ((er = provider_get(r, name, &p)) != API_OK)
		return er;
	if ((er = idtoken_kid(token, kid, sizeof(kid), &why)) != API_OK)
		return er == API_INVALID_TOKEN ? refuse(r, &p, why) : er;
	if ((er = jwks_get(p.name, p.url, kid, r->request_id, now, &set)) !=
	    API_OK) {
		if (er == API_UNAVAILABLE)
			er = http_fail(r, er, "the sign-in provider's keys "
			    "cannot be had; try again later");
		goto out;
	}
	er = idtoken_verify(token, set, &p.rules, now, &t, &why);
	if (er == API_INVALID_TOKEN || er == API_NOT_FOUND)
		er = refuse(r, &p, why);
	else if (er == API_OK)
		er = sign_in(c, &p, &t);
out:
	idtoken_free(&t);
	jwks_free(set);
	return er;
}

enum api_err
signin_google(struct call *c)
{

	return signin(c, "google");
}

enum api_err
signin_firebase(struct call *c)
{

	return signin(c, "firebase");
}

/*
 * lectern — auth: who is calling, and the tokens that say so.
 *
 * One query per authenticated request reads the user, the state of the
 * token's session and whether its jti was revoked, and writes nothing:
 * the api class is counted in this node's rate table.  Refresh tokens are
 * looked up by their SHA-256: the lookup compares hashes of 256-bit
 * random values, so its timing tells an attacker nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "jwt.h"
#include "log.h"
#include "ratelimit.h"
#include "row.h"
#include "valid.h"

/*
 * One round trip per authenticated request, which reads and writes
 * nothing else: the user, the token's session and whether its jti was
 * revoked.  The api class is counted beside it in this node's table
 * (ratelimit_local); one row comes back even when the user is gone.
 */
#define CALLER_COLUMNS							\
	" SELECT " AUTH_USER_COLUMNS ","				\
	" (s.id IS NOT NULL AND s.revoked_at IS NULL"			\
	"  AND s.expires_at > now()),"					\
	" EXISTS (SELECT 1 FROM revoked_tokens t WHERE t.jti = $3)"
#define CALLER_JOINS							\
	" LEFT JOIN users u ON u.id = $1::bigint"			\
	" LEFT JOIN sessions s ON s.id = $2 AND s.user_id = u.id"

static const char sql_caller[] =
    CALLER_COLUMNS " FROM (VALUES (1)) one" CALLER_JOINS;

/*
 * The same, counting the api class in PostgreSQL, for a node without a
 * rate table: the token is ours (its signature was checked), so its
 * user id is a fair rate-limit key even before the user is read.
 */
static const char sql_caller_counted[] =
    "WITH rl AS (" RATELIMIT_HIT_SQL("4", "5") ")"
    CALLER_COLUMNS ", rl.count, rl.reset, rl.left_s"
    " FROM rl" CALLER_JOINS;

static const char sql_new_session[] =
    "INSERT INTO sessions (id, user_id, expires_at)"
    " VALUES ($1, $2::bigint, now() + make_interval(secs => $3::int))";

static const char sql_new_refresh[] =
    "INSERT INTO refresh_tokens (session_id, token_hash, idle_expires_at)"
    " SELECT s.id, $2, least(s.expires_at,"
    "  now() + make_interval(secs => $3::int))"
    " FROM sessions s WHERE s.id = $1 AND s.revoked_at IS NULL";

static const char sql_revoke_one[] =
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $2"
    " WHERE id = $1 AND revoked_at IS NULL";

static const char sql_insert_user[] =
    "INSERT INTO users AS u (email, name, password_hash, role)"
    " VALUES ($1, $2, $3, $4) RETURNING " AUTH_USER_COLUMNS;

static const char sql_revoke_all[] =
    "UPDATE sessions SET revoked_at = now(), revoked_reason = $2"
    " WHERE user_id = $1::bigint AND revoked_at IS NULL"
    " AND id IS DISTINCT FROM $3";

/* The columns of AUTH_USER_COLUMNS. */
enum user_col {
	UC_ID, UC_EMAIL, UC_NAME, UC_ROLE, UC_ACTIVE, UC_CREATED, UC_UPDATED,
	UC__MAX
};

/* The same as the user's public JSON. */
static const struct row_col user_cols[UC__MAX] = {
	[UC_ID] = { .name = "id", .kind = ROW_NUM },
	[UC_EMAIL] = { .name = "email", .kind = ROW_TEXT },
	[UC_NAME] = { .name = "name", .kind = ROW_TEXT },
	[UC_ROLE] = { .name = "role", .kind = ROW_TEXT },
	[UC_ACTIVE] = { .name = "is_active", .kind = ROW_BOOL },
	[UC_CREATED] = { .name = "created_at", .kind = ROW_TEXT },
	[UC_UPDATED] = { .name = "updated_at", .kind = ROW_TEXT },
};

_Static_assert(ROW_NCOLS(user_cols) == AUTH_USER_NCOLUMNS,
    "AUTH_USER_NCOLUMNS counts the columns of AUTH_USER_COLUMNS");
_Static_assert(ROLE_STUDENT == 1u << 0 && ROLE_TEACHER == 1u << 1 &&
    ROLE_INSTRUCTOR == 1u << 2 && ROLE_ADMIN == 1u << 3,
    "auth_roles lists the roles in the order of their bits");

/* In the order of their bits: auth_roles[i] is the role of bit 1 << i. */
const char *const auth_roles[] = {
	"student",	/* ROLE_STUDENT */
	"teacher",	/* ROLE_TEACHER */
	"instructor",	/* ROLE_INSTRUCTOR */
	"admin",	/* ROLE_ADMIN */
	NULL
};

unsigned int
auth_role_bit(const char *role)
{
	size_t	 i;

	for (i = 0; role != NULL && auth_roles[i] != NULL; i++)
		if (strcmp(role, auth_roles[i]) == 0)
			return 1u << i;
	return 0;
}

int
auth_valid_role(const cJSON *item, const struct vfield *f, union vval *v,
    const char **why)
{

	if (!valid_string(item, f, v, why))
		return 0;
	if (auth_role_bit(v->s) != 0)
		return 1;
	free(v->s);
	v->s = NULL;
	*why = AUTH_ROLE_WHY;
	return 0;
}

/* Copy src into the size-byte dst; 0 when src is NULL or too long. */
static int
copy(char *dst, size_t size, const char *src)
{
	size_t	 len;

	if (src == NULL || (len = strlen(src)) >= size)
		return 0;
	memcpy(dst, src, len + 1);
	return 1;
}

int
auth_user_from_row(const struct db_res *res, int row, int col,
    struct user *u)
{
	const char	*active;

	memset(u, 0, sizeof(*u));
	if (!copy(u->id_str, sizeof(u->id_str),
	    db_get(res, row, col + UC_ID)) ||
	    !copy(u->email, sizeof(u->email),
	    db_get(res, row, col + UC_EMAIL)) ||
	    !copy(u->name, sizeof(u->name), db_get(res, row, col + UC_NAME)) ||
	    !copy(u->role, sizeof(u->role), db_get(res, row, col + UC_ROLE)) ||
	    (active = db_get(res, row, col + UC_ACTIVE)) == NULL)
		return 0;
	(void)copy(u->created_at, sizeof(u->created_at),
	    db_get(res, row, col + UC_CREATED));
	(void)copy(u->updated_at, sizeof(u->updated_at),
	    db_get(res, row, col + UC_UPDATED));
	u->id = strtoll(u->id_str, NULL, 10);
	u->role_bit = auth_role_bit(u->role);
	u->is_active = active[0] == 't';
	return 1;
}

cJSON *
auth_user_json(const struct user *u)
{
	cJSON	*o;

	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddNumberToObject(o, "id", (double)u->id) == NULL ||
	    cJSON_AddStringToObject(o, "email", u->email) == NULL ||
	    cJSON_AddStringToObject(o, "name", u->name) == NULL ||
	    cJSON_AddStringToObject(o, "role", u->role) == NULL ||
	    cJSON_AddBoolToObject(o, "is_active", u->is_active) == NULL ||
	    cJSON_AddStringToObject(o, "created_at", u->created_at) == NULL ||
	    cJSON_AddStringToObject(o, "updated_at", u->updated_at) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
auth_user_row_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, user_cols, ROW_NCOLS(user_cols));
}

enum api_err
auth_user_insert(struct db *db, const char *email, const char *name,
    const char *hash, const char *role, struct user *u)
{
	struct db_res	*res = NULL;
	const char	*params[4];
	enum api_err	 er;

	params[0] = email;
	params[1] = name;
	params[2] = hash;
	params[3] = role;
	er = db_exec(db, sql_insert_user, 4, params, &res);
	if (er == API_CONFLICT &&
	    strcmp(db_last_constraint(db), "users_email_key") == 0)
		er = API_EMAIL_TAKEN;
	if (er == API_OK && !auth_user_from_row(res, 0, 0, u))
		er = API_INTERNAL;
	db_res_free(res);
	return er;
}

enum api_err
auth_key(const unsigned char **key, size_t *len)
{
	const struct config	*cfg = config_get();

	if (!cfg->valid || cfg->jwt_secret == NULL) {
		log_event(LOG_LVL_ERROR, NULL, "jwt_secret_unusable", NULL);
		return API_UNAVAILABLE;
	}
	*key = (const unsigned char *)cfg->jwt_secret;
	*len = cfg->jwt_secret_len;
	return API_OK;
}

/*
 * The token of an "Authorization: Bearer <token>" header, or NULL.  The
 * scheme is case-insensitive (RFC 7235); a token in the URL or the body
 * is never looked at.
 */
static const char *
bearer(const struct req *r)
{
	const char	*h = r->authorization;

	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h != '\0' ? h : NULL;
}

enum api_err
auth_require(struct req *r, struct db *db, unsigned int want,
    struct auth *a)
{
	const char		*tok, *params[5], *live, *revoked, *v;
	const unsigned char	*key;
	char			 rlkey[200] = "", window[24] = "";
	size_t			 keylen;
	struct db_res		*res = NULL;
	long long		 limit, count, reset, left;
	int			 n, local;
	enum api_err		 er;

	memset(a, 0, sizeof(*a));
	if ((tok = bearer(r)) == NULL) {
		/* No credentials at all: 401 without error="invalid_token". */
		if (r->authorization != NULL)
			r->bad_token = 1;
		return API_UNAUTHORIZED;
	}
	if ((er = auth_key(&key, &keylen)) != API_OK)
		return er;
	er = jwt_verify(tok, config_get()->issuer, "access", key, keylen,
	    (long long)time(NULL), &a->claims);
	if (er == API_UNAUTHORIZED || (er == API_OK && a->claims.sid[0] == '\0')) {
		r->bad_token = 1;
		return API_UNAUTHORIZED;
	}
	if (er != API_OK)
		return er;
	local = ratelimit_local(r, RL_API, a->claims.sub, &limit, &count,
	    &reset, &left);
	params[0] = a->claims.sub;
	params[1] = a->claims.sid;
	params[2] = a->claims.jti;
	if (!local)
		ratelimit_key(r, RL_API, a->claims.sub, rlkey, window, &limit);
	params[3] = rlkey;
	params[4] = window;
	if ((er = db_exec(db, local ? sql_caller : sql_caller_counted,
	    local ? 3 : 5, params, &res)) != API_OK)
		return er;
	n = AUTH_USER_NCOLUMNS;
	live = db_get(res, 0, n);
	revoked = db_get(res, 0, n + 1);
	if (!local) {
		count = (v = db_get(res, 0, n + 2)) != NULL ?
		    strtoll(v, NULL, 10) : 0;
		reset = (v = db_get(res, 0, n + 3)) != NULL ?
		    strtoll(v, NULL, 10) : 0;
		left = (v = db_get(res, 0, n + 4)) != NULL ?
		    strtoll(v, NULL, 10) : 0;
	}
	if (db_nrows(res) != 1 || !auth_user_from_row(res, 0, 0, &a->user) ||
	    live == NULL || live[0] != 't' || revoked == NULL ||
	    revoked[0] != 'f') {
		db_res_free(res);
		r->bad_token = 1;
		return API_UNAUTHORIZED;
	}
	db_res_free(res);
	if (!a->user.is_active)
		return API_ACCOUNT_DISABLED;
	if ((er = ratelimit_verdict(r, RL_API, limit, count, reset,
	    left)) != API_OK)
		return er;
	if ((a->user.role_bit & want) == 0)
		return API_FORBIDDEN;
	return API_OK;
}

enum api_err
auth_optional(struct req *r, struct db *db, struct auth *a, int *have)
{
	enum api_err	 er;

	*have = 0;
	memset(a, 0, sizeof(*a));
	if (r->authorization == NULL)
		return ratelimit_check(r, db, RL_API, NULL);
	if ((er = auth_require(r, db, ROLE_ANY, a)) == API_OK)
		*have = 1;
	return er;
}

/*
 * Whether origin (scheme://host[:port]) is the URL base's origin: base
 * with any path and trailing slash dropped.
 */
static int
origin_is(const char *origin, const char *base)
{
	const char	*p;
	size_t		 n;

	if (base == NULL || (p = strstr(base, "://")) == NULL)
		return 0;
	n = strcspn(p + 3, "/") + (size_t)(p + 3 - base);
	return n > 0 && strlen(origin) == n && strncmp(origin, base, n) == 0;
}

/*
 * Whether origin is one of the comma-separated exact origins in list.
 */
static int
origin_listed(const char *origin, const char *list)
{
	size_t	 n, len = strlen(origin);

	while (list != NULL && *list != '\0') {
		list += strspn(list, ", ");
		n = strcspn(list, ", ");
		if (n > 0 && n == len && strncmp(list, origin, n) == 0)
			return 1;
		list += n;
	}
	return 0;
}

int
auth_cookie_mode(const struct req *r)
{
	const char	*xrw, *origin, *host, *https;
	char		 self[300];

	xrw = http_getenv(r, "HTTP_X_REQUESTED_WITH");
	origin = http_getenv(r, "HTTP_ORIGIN");
	if (xrw == NULL || strcmp(xrw, "lectern") != 0 || origin == NULL ||
	    *origin == '\0' || strcmp(origin, "null") == 0)
		return 0;
	host = http_getenv(r, "HTTP_HOST");
	https = http_getenv(r, "HTTPS");
	if (host != NULL && *host != '\0' && snprintf(self, sizeof(self),
	    "%s://%s", https != NULL && strcasecmp(https, "on") == 0 ?
	    "https" : "http", host) < (int)sizeof(self) &&
	    strcmp(origin, self) == 0)
		return 1;
	return origin_is(origin, config_get()->public_url) ||
	    origin_listed(origin, http_getenv(r, "LECTERN_CORS_ORIGINS"));
}

const char *
auth_cookie_get(const struct req *r, char *buf, size_t size)
{
	const char	*p, *v;
	size_t		 n, klen = strlen(AUTH_COOKIE);

	if ((p = http_getenv(r, "HTTP_COOKIE")) == NULL)
		return NULL;
	while (*p != '\0') {
		p += strspn(p, "; ");
		n = strcspn(p, ";");
		if (n > klen && strncmp(p, AUTH_COOKIE, klen) == 0 &&
		    p[klen] == '=') {
			v = p + klen + 1;
			n -= klen + 1;
			while (n > 0 && v[n - 1] == ' ')
				n--;
			if (n == 0 || n >= size)
				return NULL;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return buf;
		}
		p += n;
	}
	return NULL;
}

enum api_err
auth_cookie_set(struct req *r, const char *token, long long max_age)
{
	const char	*https = http_getenv(r, "HTTPS");
	char		 v[1200];
	enum api_err	 er;

	if (snprintf(v, sizeof(v), "%s=%s; Path=%s; Max-Age=%lld; HttpOnly;"
	    " SameSite=Strict%s", AUTH_COOKIE, token != NULL ? token : "",
	    AUTH_COOKIE_PATH, token != NULL ? max_age : 0LL,
	    https != NULL && strcasecmp(https, "on") == 0 ? "; Secure" : "") >=
	    (int)sizeof(v))
		return API_INTERNAL;
	er = http_header(r, "Set-Cookie", v);
	OPENSSL_cleanse(v, sizeof(v));
	return er;
}

enum api_err
auth_issue(struct req *r, struct db *db, const struct user *u,
    const char *sid, cJSON *obj)
{
	const struct config	*cfg = config_get();
	const unsigned char	*key;
	size_t			 keylen;
	struct jwt_claims	 c;
	char			*newsid = NULL, *refresh = NULL, *jti = NULL;
	char			*access = NULL, ttl[24], idle[24];
	char			 hash[CRYPTO_SHA256_HEX_SIZE];
	const char		*params[3];
	long long		 now;
	enum api_err		 er;

	if ((er = auth_key(&key, &keylen)) != API_OK)
		return er;
	snprintf(ttl, sizeof(ttl), "%lld", cfg->refresh_ttl);
	snprintf(idle, sizeof(idle), "%lld", cfg->refresh_idle);
	if (sid == NULL) {
		if ((er = crypto_token(16, &newsid)) != API_OK)
			goto out;
		params[0] = newsid;
		params[1] = u->id_str;
		params[2] = ttl;
		if ((er = db_exec(db, sql_new_session, 3, params, NULL)) != API_OK)
			goto out;
		sid = newsid;
	}
	if ((er = crypto_token(32, &refresh)) != API_OK ||
	    (er = crypto_sha256_hex(refresh, strlen(refresh), hash)) != API_OK)
		goto out;
	params[0] = sid;
	params[1] = hash;
	params[2] = idle;
	if ((er = db_exec(db, sql_new_refresh, 3, params, NULL)) != API_OK)
		goto out;

	memset(&c, 0, sizeof(c));
	if ((er = crypto_token(16, &jti)) != API_OK)
		goto out;
	now = (long long)time(NULL);
	snprintf(c.sub, sizeof(c.sub), "%s", u->id_str);
	snprintf(c.role, sizeof(c.role), "%s", u->role);
	snprintf(c.jti, sizeof(c.jti), "%s", jti);
	snprintf(c.sid, sizeof(c.sid), "%s", sid);
	snprintf(c.typ, sizeof(c.typ), "access");
	c.iat = c.nbf = now;
	c.exp = now + cfg->access_ttl;
	if ((er = jwt_sign(&c, cfg->issuer, key, keylen, &access)) != API_OK)
		goto out;
	if (auth_cookie_mode(r)) {
		if ((er = auth_cookie_set(r, refresh, cfg->refresh_ttl)) !=
		    API_OK)
			goto out;
	} else if (cJSON_AddStringToObject(obj, "refresh_token",
	    refresh) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = API_ENOMEM;
	if (cJSON_AddStringToObject(obj, "access_token", access) == NULL ||
	    cJSON_AddStringToObject(obj, "token_type", "Bearer") == NULL ||
	    cJSON_AddNumberToObject(obj, "expires_in",
	    (double)cfg->access_ttl) == NULL)
		goto out;
	er = API_OK;
out:
	crypto_wipe_free(refresh);
	crypto_wipe_free(access);
	free(jti);
	free(newsid);
	return er;
}

enum api_err
auth_finish(struct req *r, struct db *db, const struct user *u,
    const char *sid, int status, int created)
{
	cJSON		*obj, *uj;
	enum api_err	 er = API_ENOMEM;

	if ((obj = cJSON_CreateObject()) == NULL ||
	    (uj = auth_user_json(u)) == NULL)
		goto out;
	cJSON_AddItemToObject(obj, "user", uj);
	if (created && cJSON_AddTrueToObject(obj, "created") == NULL)
		goto out;
	if ((er = auth_issue(r, db, u, sid, obj)) != API_OK)
		goto out;
	er = http_send(r, status, obj);
out:
	if (obj != NULL) {
		/* The body held tokens: wipe them from memory. */
		cJSON	*it;

		cJSON_ArrayForEach(it, obj)
			if (cJSON_IsString(it) && it->valuestring != NULL)
				OPENSSL_cleanse(it->valuestring,
				    strlen(it->valuestring));
	}
	cJSON_Delete(obj);
	return er;
}

enum api_err
auth_revoke_sessions(struct db *db, const char *user_id, const char *sid,
    const char *keep_sid, const char *reason)
{
	const char	*params[3];

	if (sid != NULL) {
		params[0] = sid;
		params[1] = reason;
		return db_exec(db, sql_revoke_one, 2, params, NULL);
	}
	params[0] = user_id;
	params[1] = reason;
	params[2] = keep_sid;
	return db_exec(db, sql_revoke_all, 3, params, NULL);
}

/* Every active admin, locked in id order (so two lockers never deadlock). */
static const char sql_lock_admins[] =
    "SELECT id FROM users WHERE role = 'admin' AND is_active"
    " ORDER BY id FOR UPDATE";

enum api_err
auth_other_admins(struct db *db, const char *id, int *n)
{
	struct db_res	*res = NULL;
	const char	*v;
	enum api_err	 er;
	int		 i;

	*n = 0;
	if ((er = db_exec(db, sql_lock_admins, 0, NULL, &res)) != API_OK)
		return er;
	for (i = 0; i < db_nrows(res); i++)
		if ((v = db_get(res, i, 0)) != NULL && strcmp(v, id) != 0)
			(*n)++;
	db_res_free(res);
	return API_OK;
}

/*
 * lectern — auth: who is calling, and the tokens that say so (SPEC §3).
 *
 * A caller is known only by an access token in the Authorization header
 * (never the URL or a body).  Its user, role and is_active are read from
 * the database on every request, with its session and jti, so a
 * demotion, a deactivation, a logout or a revoked session takes effect at
 * once.  Tokens are issued here too: a session per sign-in, an access
 * token (JWT, HS256) and an opaque refresh token stored as SHA-256.
 */
#ifndef LECTERN_AUTH_H
#define LECTERN_AUTH_H

#include <cjson/cJSON.h>

#include "err.h"
#include "jwt.h"
#include "row.h"
#include "valid.h"

struct db;
struct db_res;
struct req;

#define ROLE_STUDENT	0x01u
#define ROLE_TEACHER	0x02u
#define ROLE_INSTRUCTOR	0x04u
#define ROLE_ADMIN	0x08u
#define ROLE_AUTHOR	(ROLE_TEACHER | ROLE_INSTRUCTOR | ROLE_ADMIN)
#define ROLE_ANY	(ROLE_STUDENT | ROLE_AUTHOR)

/*
 * The columns of a user, in the order auth_user_from_row and
 * auth_user_row_json read them: select AUTH_USER_COLUMNS from users u.
 */
#define AUTH_USER_COLUMNS						\
	"u.id, u.email, u.name, u.role, u.is_active, "			\
	SQL_UTC("u.created_at") ", " SQL_UTC("u.updated_at")
#define AUTH_USER_NCOLUMNS	7

struct user {
	long long	 id;
	char		 id_str[24];
	char		 email[256];
	char		 name[832];	/* 200 code points of UTF-8 */
	char		 role[16];
	unsigned int	 role_bit;
	int		 is_active;
	char		 created_at[32];
	char		 updated_at[32];
};

struct auth {
	struct user		 user;
	struct jwt_claims	 claims;
};

/* The role names, NULL-terminated, and what a wrong one is told. */
extern const char *const auth_roles[];
#define AUTH_ROLE_WHY	"must be student, teacher, instructor or admin"

/* The ROLE_* bit of a role name, 0 when unknown. */
unsigned int	auth_role_bit(const char *role);

/*
 * Fill *u from row of res, starting at column col, as selected by
 * AUTH_USER_COLUMNS.  Returns 1, or 0 when the row is not there.
 */
int		auth_user_from_row(const struct db_res *res, int row, int col,
		    struct user *u);

/* The public JSON of u; the caller frees it.  NULL when out of memory. */
cJSON		*auth_user_json(const struct user *u);

/*
 * The public JSON of the user in row of res, from column col on, as
 * selected by AUTH_USER_COLUMNS; the caller frees it.  NULL when out of
 * memory or the row is not there.
 */
cJSON		*auth_user_row_json(const struct db_res *res, int row, int col);

/*
 * A field validator (struct vfield.fn): one of the four role names,
 * stored as for valid_string.
 */
int		auth_valid_role(const cJSON *item, const struct vfield *f,
		    union vval *v, const char **why);

/*
 * Insert a user (email, name, password hash, role) inside the open
 * transaction and fill *u with the new row.  Returns API_OK,
 * API_EMAIL_TAKEN, or another error.
 */
enum api_err	auth_user_insert(struct db *db, const char *email,
		    const char *name, const char *hash, const char *role,
		    struct user *u) __attribute__((warn_unused_result));

/*
 * Authenticate r: a Bearer access token, valid, of a live session and an
 * active user whose role is in roles.  Returns API_OK with *a filled;
 * API_UNAUTHORIZED (no token, or a bad one: r->bad_token set so the 401
 * says WWW-Authenticate: Bearer error="invalid_token");
 * API_ACCOUNT_DISABLED; API_FORBIDDEN (role); API_UNAVAILABLE when the
 * configuration has no usable JWT secret; database errors.  Then counts
 * the request against the caller's api rate limit.
 */
enum api_err	auth_require(struct req *r, struct db *db, unsigned int roles,
		    struct auth *a) __attribute__((warn_unused_result));

/*
 * For endpoints anyone may call but that show more to some callers: no
 * Authorization header → API_OK with *have = 0; a header → exactly as
 * auth_require(r, db, ROLE_ANY, a) (a bad token is still a 401, never
 * silently anonymous), with *have = 1 on success.
 */
enum api_err	auth_optional(struct req *r, struct db *db, struct auth *a,
		    int *have) __attribute__((warn_unused_result));

/*
 * Check password, asked again of the signed-in caller a, against their
 * stored one.  Failures count against the account's failed-login limit,
 * as at login.  Runs outside a transaction (the rate limit commits on
 * its own).  Returns API_OK, API_INVALID_CREDENTIALS, API_RATE_LIMITED
 * or a database error.  This and the two below are in shared/authpw.c:
 * linking them brings in libargon2 and libcrack.
 */
enum api_err	auth_check_password(struct req *r, struct db *db,
		    const struct auth *a, const char *password)
		    __attribute__((warn_unused_result));

/*
 * A password or a refresh token in a request's body: kept as sent (no
 * trimming) and at most AUTH_SECRET_FIELD_MAX characters.  The password
 * policy holds a new password to its own, lower limit.
 */
#define AUTH_SECRET_FIELD_MAX	1024
#define AUTH_PASSWORD_FIELD(n)						\
	{ .name = (n), .fn = valid_string,				\
	    .flags = VF_REQUIRED | VF_NOTRIM, .min = 1,			\
	    .max = AUTH_SECRET_FIELD_MAX }
/* Not required: a browser sends its refresh token as a cookie. */
#define AUTH_REFRESH_FIELD						\
	{ .name = "refresh_token", .fn = valid_string,			\
	    .flags = VF_NOTRIM, .min = 1, .max = AUTH_SECRET_FIELD_MAX }

/*
 * Check password, the new one of the account with email, against the
 * policy and hash it (Argon2id: slow, so best outside a transaction)
 * into *hash, which the caller wipes and frees with crypto_wipe_free.
 * Returns API_OK, API_INVALID with the body's field named, or another
 * error.
 */
enum api_err	auth_new_password(struct req *r, const char *field,
		    const char *password, const char *email, char **hash)
		    __attribute__((warn_unused_result));

/*
 * Inside the open transaction: store hash as user_id's password, spend
 * their pending password resets, revoke every session of theirs but
 * keep_sid (may be NULL) with reason, and audit action by actor (the
 * user, or an admin acting for them).  Returns API_OK, API_ENOMEM or a
 * database error.
 */
enum api_err	auth_password_set(struct req *r, struct db *db,
		    const char *user_id, const char *actor, const char *hash,
		    const char *keep_sid, const char *reason,
		    const char *action) __attribute__((warn_unused_result));

/* The cookie that carries a browser's refresh token (SPEC §12). */
#define AUTH_COOKIE		"lectern_refresh"
#define AUTH_COOKIE_PATH	"/api/auth"

/*
 * Whether r is a browser's cookie-mode request: it carries
 * X-Requested-With: lectern and an Origin that is this site's own (the
 * Host it was sent to, or LECTERN_PUBLIC_URL) or one of
 * LECTERN_CORS_ORIGINS.  A cross-site form or script cannot send both,
 * so a cookie is trusted only on such a request.
 */
int		auth_cookie_mode(const struct req *r);

/*
 * The refresh token in r's AUTH_COOKIE, copied into buf (size bytes);
 * returns buf, or NULL when there is none (or it does not fit).
 */
const char	*auth_cookie_get(const struct req *r, char *buf, size_t size);

/*
 * Set AUTH_COOKIE to token for max_age seconds (HttpOnly,
 * SameSite=Strict, Path AUTH_COOKIE_PATH, Secure under TLS); a NULL
 * token clears it.  Returns API_OK or API_ENOMEM.
 */
enum api_err	auth_cookie_set(struct req *r, const char *token,
		    long long max_age) __attribute__((warn_unused_result));

/*
 * Start a session for u (sid NULL) or continue session sid (a refresh),
 * and add access_token, refresh_token, token_type and expires_in to obj.
 * On a cookie-mode request (auth_cookie_mode) the refresh token goes
 * into the cookie instead of obj, so the page's script never holds it.
 * Runs in the caller's transaction.  Returns API_OK or an error.
 */
enum api_err	auth_issue(struct req *r, struct db *db, const struct user *u,
		    const char *sid, cJSON *obj)
		    __attribute__((warn_unused_result));

/*
 * Finish a sign-in inside the caller's open transaction: issue tokens
 * for u (continuing session sid, or a new one when NULL) and send
 * status with {user, access_token, refresh_token, token_type,
 * expires_in}, plus "created": true when created is set.  The response
 * is held until the runner has committed.  Returns API_OK or an error
 * (the transaction is then rolled back).
 */
enum api_err	auth_finish(struct req *r, struct db *db, const struct user *u,
		    const char *sid, int status, int created)
		    __attribute__((warn_unused_result));

/*
 * Revoke session sid (or, when sid is NULL, every live session of
 * user_id except keep_sid, which may be NULL) with reason.  Runs in the
 * caller's transaction.
 */
enum api_err	auth_revoke_sessions(struct db *db, const char *user_id,
		    const char *sid, const char *keep_sid, const char *reason)
		    __attribute__((warn_unused_result));

/*
 * The JWT signing key from the configuration.  Returns API_OK, or
 * API_UNAVAILABLE when it is missing (or, in production, too short).
 */
enum api_err	auth_key(const unsigned char **key, size_t *len)
		    __attribute__((warn_unused_result));

/*
 * Lock every active admin row, in id order, and count in *n those other
 * than user id.  While they are locked none of them can be demoted,
 * deactivated or erased, so "another active admin exists" stays true
 * until the commit.  Returns API_OK or a database error.
 */
enum api_err	auth_other_admins(struct db *db, const char *id, int *n)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_AUTH_H */

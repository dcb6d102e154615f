/*
 * lectern — POST /api/auth/register: create a student (or another role
 * that LECTERN_SIGNUP_ROLES allows, never admin) and sign it in.  The
 * password is hashed before the transaction begins: Argon2id is slow.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "conf.h"
#include "crypto.h"
#include "endpoint.h"
#include "http.h"

#define ROLE_DEFAULT	"student"
#define ROLE_REFUSED	"is not a role you can sign up with"

static enum api_err	reg(struct call *);
static int		signup_role(const cJSON *, const struct vfield *,
			    union vval *, const char **);

enum field { F_NAME, F_EMAIL, F_PASSWORD, F_ROLE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_NAME] = { .name = "name", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 100 },
	[F_EMAIL] = { .name = "email", .fn = valid_email,
	    .flags = VF_REQUIRED },
	[F_PASSWORD] = AUTH_PASSWORD_FIELD("password"),
	[F_ROLE] = { .name = "role", .fn = signup_role, .min = 1,
	    .max = 16 },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/auth/register",
	.who = WHO_ANYONE,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_AUTH,
	.rate_by = "email",
	.tx = TX_NONE,		/* begun after the hash */
	.run = reg,
};

/*
 * Whether role may be chosen at sign-up: listed in LECTERN_SIGNUP_ROLES
 * (comma-separated), a known role, and never admin.
 */
static int
signup_role_ok(const char *role)
{
	const char	*list = config_get()->signup_roles, *p;
	size_t		 len = strlen(role);

	if (auth_role_bit(role) == 0 || strcmp(role, "admin") == 0)
		return 0;
	for (p = list; (p = strstr(p, role)) != NULL; p += len)
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
		    (p[len] == '\0' || p[len] == ',' || p[len] == ' '))
			return 1;
	return 0;
}

/* The role field's validator: a string that signup_role_ok allows. */
static int
signup_role(const cJSON *item, const struct vfield *f, union vval *v,
    const char **why)
{

	if (!valid_string(item, f, v, why))
		return 0;
	if (signup_role_ok(v->s))
		return 1;
	free(v->s);
	v->s = NULL;
	*why = ROLE_REFUSED;
	return 0;
}

static enum api_err
reg(struct call *c)
{
	struct user	 u;
	const char	*role;
	char		*hash = NULL;
	enum api_err	 er;

	role = c->in[F_ROLE].present ? c->in[F_ROLE].v.s : ROLE_DEFAULT;
	/* A configuration without the default leaves no role to take. */
	if (!signup_role_ok(role))
		return http_invalid_field(c->r, "role", ROLE_REFUSED);
	if ((er = auth_new_password(c->r, "password", c->in[F_PASSWORD].v.s,
	    c->in[F_EMAIL].v.s, &hash)) != API_OK ||
	    (er = endpoint_begin(c)) != API_OK ||
	    (er = auth_user_insert(c->db, c->in[F_EMAIL].v.s,
	    c->in[F_NAME].v.s, hash, role, &u)) != API_OK)
		goto out;
	(void)http_header(c->r, "Location", "/api/auth/me");
	er = auth_finish(c->r, c->db, &u, NULL, 201, 0);
out:
	crypto_wipe_free(hash);
	return er;
}

ENDPOINT_MAIN(endpoint)

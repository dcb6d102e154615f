/*
 * lectern — POST /api/auth/admin/create-teacher: an admin creates a
 * teacher account with a password that passes the policy.  The answer
 * is the new user (201, Location /api/admin/users/<id>), never tokens:
 * the teacher signs in on their own.  Audited as user.create_teacher.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "crypto.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	create_teacher(struct call *);

enum field { F_NAME, F_EMAIL, F_PASSWORD, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_NAME] = { .name = "name", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 200 },
	[F_EMAIL] = { .name = "email", .fn = valid_email,
	    .flags = VF_REQUIRED },
	[F_PASSWORD] = AUTH_PASSWORD_FIELD("password"),
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/auth/admin/create-teacher",
	.who = ROLE_ADMIN,
	.fields = fields,
	.nfields = F__MAX,
	.tx = TX_NONE,		/* begun after the hash */
	.run = create_teacher,
};

/*
 * Record the creation of u by the caller of c.  Returns API_OK,
 * API_ENOMEM or a database error.
 */
static enum api_err
audit_created(struct call *c, const struct user *u)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) != NULL &&
	    cJSON_AddStringToObject(d, "email", u->email) != NULL &&
	    cJSON_AddStringToObject(d, "role", u->role) != NULL)
		er = audit_log(c->r, c->db, c->user_id, "user.create_teacher",
		    "user", u->id_str, d);
	cJSON_Delete(d);
	return er;
}

static enum api_err
create_teacher(struct call *c)
{
	struct user	 u;
	cJSON		*uj = NULL;
	char		*hash = NULL;
	enum api_err	 er;

	if ((er = auth_new_password(c->r, "password", c->in[F_PASSWORD].v.s,
	    c->in[F_EMAIL].v.s, &hash)) != API_OK ||
	    (er = endpoint_begin(c)) != API_OK ||
	    (er = auth_user_insert(c->db, c->in[F_EMAIL].v.s,
	    c->in[F_NAME].v.s, hash, "teacher", &u)) != API_OK ||
	    (er = audit_created(c, &u)) != API_OK)
		goto out;
	if ((uj = auth_user_json(&u)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send_created(c->r, uj, "/api/admin/users/%s", u.id_str);
out:
	cJSON_Delete(uj);
	crypto_wipe_free(hash);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — PATCH /api/admin/users/{id}: an admin changes a user's role,
 * is_active or name.
 *
 * The last active admin can be neither demoted nor deactivated (409).
 * The decision is race-free: a change of role or is_active first locks
 * every active admin row (in id order, so two such transactions never
 * deadlock), then the target.  While the other admins are locked none
 * of them can be demoted or deactivated, so "another active admin
 * exists" stays true until the commit.  Deactivating a user revokes all
 * their sessions.  Every change is audited as user.update with the
 * changed fields before and after, and a role change also as
 * user.role_change.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	user_update(struct call *);

enum field { F_ROLE, F_IS_ACTIVE, F_NAME, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_ROLE] = { .name = "role", .fn = auth_valid_role,
	    .flags = VF_STRING, .min = 1, .max = 16 },
	[F_IS_ACTIVE] = { .name = "is_active", .fn = valid_bool },
	[F_NAME] = { .name = "name", .fn = valid_string, .min = 1,
	    .max = 200 },
};

static const struct endpoint endpoint = {
	.method = "PATCH",
	.route = "/api/admin/users/{id}",
	.who = ROLE_ADMIN,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_ONE_OF,
	.run = user_update,
};

static const char sql_user[] =
    "SELECT " AUTH_USER_COLUMNS " FROM users u WHERE u.id = $1::bigint"
    " FOR UPDATE";

static const char sql_update[] =
    "UPDATE users AS u SET role = coalesce($2, u.role),"
    " is_active = coalesce($3::boolean, u.is_active),"
    " name = coalesce($4, u.name)"
    " WHERE u.id = $1::bigint RETURNING " AUTH_USER_COLUMNS;

/* What a request changes: NULL for what stays (strings borrowed). */
struct change {
	const char	*role;
	const char	*active;	/* "true" or "false" */
	const char	*name;
};

/*
 * Fill *c with what in changes for u: only values that differ count.
 * Returns the number of changed fields.
 */
static int
diff(const struct vout *in, const struct user *u, struct change *c)
{
	int	 n = 0;

	memset(c, 0, sizeof(*c));
	if (in[F_ROLE].present && strcmp(in[F_ROLE].v.s, u->role) != 0) {
		c->role = in[F_ROLE].v.s;
		n++;
	}
	if (in[F_IS_ACTIVE].present && in[F_IS_ACTIVE].v.b != u->is_active) {
		c->active = in[F_IS_ACTIVE].v.b ? "true" : "false";
		n++;
	}
	if (in[F_NAME].present && strcmp(in[F_NAME].v.s, u->name) != 0) {
		c->name = in[F_NAME].v.s;
		n++;
	}
	return n;
}

/*
 * Add to obj the changed fields of c as they are in u.  Returns 0, or -1
 * when out of memory.
 */
static int
add_fields(cJSON *obj, const struct change *c, const struct user *u)
{

	if (c->role != NULL &&
	    cJSON_AddStringToObject(obj, "role", u->role) == NULL)
		return -1;
	if (c->active != NULL &&
	    cJSON_AddBoolToObject(obj, "is_active", u->is_active) == NULL)
		return -1;
	if (c->name != NULL &&
	    cJSON_AddStringToObject(obj, "name", u->name) == NULL)
		return -1;
	return 0;
}

/*
 * Audit change c of user old (now new) by admin a: user.update with
 * {before, after}, and user.role_change {from, to} when the role
 * changed.  Returns API_OK, API_ENOMEM or a database error.
 */
static enum api_err
audit_change(struct req *r, struct db *db, const struct auth *a,
    const struct change *c, const struct user *old, const struct user *new)
{
	cJSON		*d, *before, *after;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) == NULL ||
	    (before = cJSON_AddObjectToObject(d, "before")) == NULL ||
	    (after = cJSON_AddObjectToObject(d, "after")) == NULL ||
	    add_fields(before, c, old) == -1 ||
	    add_fields(after, c, new) == -1)
		goto out;
	if ((er = audit_log(r, db, a->user.id_str, "user.update", "user",
	    new->id_str, d)) != API_OK || c->role == NULL)
		goto out;
	cJSON_Delete(d);
	er = API_ENOMEM;
	if ((d = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(d, "from", old->role) == NULL ||
	    cJSON_AddStringToObject(d, "to", new->role) == NULL)
		goto out;
	er = audit_log(r, db, a->user.id_str, "user.role_change", "user",
	    new->id_str, d);
out:
	cJSON_Delete(d);
	return er;
}

/*
 * Apply c to user u inside the open transaction, with the admin rows
 * already locked when others is not NULL (*others: the other active
 * admins).  Fills *out with the user as it is now.  Returns API_OK,
 * API_CONFLICT for the last active admin, or a database error.
 */
static enum api_err
apply(struct req *r, struct db *db, const struct auth *a,
    const struct user *u, const struct change *c, const int *others,
    struct user *out)
{
	struct db_res	*res = NULL;
	const char	*params[4];
	enum api_err	 er;

	if (u->role_bit == ROLE_ADMIN && u->is_active &&
	    (c->role != NULL || (c->active != NULL &&
	    strcmp(c->active, "false") == 0)) &&
	    (others == NULL || *others == 0))
		return http_fail(r, API_CONFLICT, "the last active admin "
		    "cannot be demoted or deactivated");
	params[0] = u->id_str;
	params[1] = c->role;
	params[2] = c->active;
	params[3] = c->name;
	if ((er = db_exec(db, sql_update, 4, params, &res)) != API_OK)
		return er;
	if (!auth_user_from_row(res, 0, 0, out)) {
		db_res_free(res);
		return API_INTERNAL;
	}
	db_res_free(res);
	if (c->active != NULL && !out->is_active &&
	    (er = auth_revoke_sessions(db, out->id_str, NULL, NULL,
	    "admin")) != API_OK)
		return er;
	return audit_change(r, db, a, c, u, out);
}

static enum api_err
user_update(struct call *c)
{
	struct db_res	*res = NULL;
	struct user	 u, now;
	struct change	 ch;
	cJSON		*uj = NULL;
	const char	*id = c->id_str;
	int		 others = 0, locked;
	enum api_err	 er;

	locked = c->in[F_ROLE].present || c->in[F_IS_ACTIVE].present;
	if ((locked && (er = auth_other_admins(c->db, id, &others)) != API_OK) ||
	    (er = db_exec(c->db, sql_user, 1, &id, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || !auth_user_from_row(res, 0, 0, &u)) {
		er = API_NOT_FOUND;
		goto out;
	}
	now = u;
	if (diff(c->in, &u, &ch) > 0 && (er = apply(c->r, c->db, &c->a, &u,
	    &ch, locked ? &others : NULL, &now)) != API_OK)
		goto out;
	if ((uj = auth_user_json(&now)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send(c->r, 200, uj);
out:
	cJSON_Delete(uj);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

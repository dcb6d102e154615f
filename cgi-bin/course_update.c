/*
 * lectern — PATCH /api/courses/{id}: the author or an admin changes a
 * course.  Partial: title, description (null or "" clears it), price (a
 * decimal string), currency (INR), published.  Any other member
 * (instructor_id, archived, id, ...) is an unknown field and the whole
 * request fails with 400: ownership moves only through PUT
 * /api/admin/courses/{id}/owner, and archiving only through DELETE.
 *
 * Someone who may see the course but not change it gets 403; someone who
 * may not see it (a draft or an archived course of another author) gets
 * 404, as for an id that does not exist.  An archived course is read-only
 * (409).  The decision is made under a row lock in the transaction that
 * writes, so a concurrent ownership change or archiving cannot slip
 * between the check and the update.  The body is checked before any of
 * that, so a bad one is 400 whoever sends it.  An admin changing another
 * author's course is audited as course.update with the names of the
 * fields given.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	course_update(struct call *);

enum field { F_TITLE, F_DESCRIPTION, F_PRICE, F_CURRENCY, F_PUBLISHED,
	F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string, .min = 1,
	    .max = 200 },
	[F_DESCRIPTION] = { .name = "description", .fn = valid_string,
	    .flags = VF_MULTILINE | VF_NULLABLE, .max = 20000 },
	[F_PRICE] = { .name = "price", .fn = course_valid_price },
	[F_CURRENCY] = { .name = "currency", .fn = course_valid_currency,
	    .flags = VF_STRING, .min = 1, .max = 8 },
	[F_PUBLISHED] = { .name = "published", .fn = valid_bool },
};

/*
 * Not EP_ONE_OF: a description of "" (which clears it) is a change,
 * while the field table reads an empty string as not given.
 */
static const struct endpoint endpoint = {
	.method = "PATCH",
	.route = "/api/courses/{id}",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = course_update,
};

static const char sql_lock[] =
    "SELECT " COURSE_COLUMNS " FROM courses c WHERE c.id = $1::bigint"
    " FOR UPDATE OF c";

static const char sql_update[] =
    "UPDATE courses AS c SET title = coalesce($2, c.title),"
    " description = coalesce($3, c.description),"
    " price_minor = coalesce($4::bigint, c.price_minor),"
    " currency = coalesce($5, c.currency),"
    " published = coalesce($6::boolean, c.published)"
    " WHERE c.id = $1::bigint RETURNING " COURSE_COLUMNS;

/*
 * Whether a may change c: API_OK, API_NOT_FOUND when a may not even see
 * it, API_FORBIDDEN when a may see it only, API_CONFLICT when it is
 * archived.
 */
static enum api_err
may_change(struct req *r, const struct course *c, const struct auth *a)
{
	enum api_err	 er;

	if ((er = course_check_visible(c, a)) != API_OK)
		return er;
	if (!course_is_author(c, a))
		return http_fail(r, API_FORBIDDEN,
		    "only the course's author or an admin may change it");
	if (c->archived)
		return http_fail(r, API_CONFLICT,
		    "an archived course cannot be changed");
	return API_OK;
}

/*
 * Audit an admin's change of another author's course c: course.update
 * with {fields: [the names given]}.  Returns API_OK, API_ENOMEM or a
 * database error.
 */
static enum api_err
audit_change(struct req *r, struct db *db, const struct auth *a,
    const struct course *c, const struct vout *in, int clear)
{
	cJSON		*d, *names;
	enum api_err	 er = API_ENOMEM;
	size_t		 i;

	if ((d = cJSON_CreateObject()) == NULL ||
	    (names = cJSON_AddArrayToObject(d, "fields")) == NULL)
		goto out;
	for (i = 0; i < F__MAX; i++) {
		if (!in[i].present && !(i == F_DESCRIPTION && clear))
			continue;
		if (!cJSON_AddItemToArray(names,
		    cJSON_CreateString(fields[i].name)))
			goto out;
	}
	if (cJSON_AddNumberToObject(d, "instructor_id",
	    (double)c->instructor_id) == NULL)
		goto out;
	er = audit_log(r, db, a->user.id_str, "course.update", "course",
	    c->id_str, d);
out:
	cJSON_Delete(d);
	return er;
}

static enum api_err
course_update(struct call *c)
{
	struct req	*r = c->r;
	const struct vout *in = c->in;
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*cj = NULL;
	const char	*params[6], *id = c->id_str;
	char		 price[24];
	size_t		 i;
	int		 any = 0, clear;
	enum api_err	 er;

	/* description null or "": given, and it clears the description. */
	clear = cJSON_GetObjectItemCaseSensitive(c->body, "description") !=
	    NULL && !in[F_DESCRIPTION].present;
	for (i = 0; i < F__MAX; i++)
		any |= in[i].present;
	if (!any && !clear)
		return http_invalid_field(r, "body", "must set at least one "
		    "of title, description, price, currency, published");
	if ((er = db_exec(c->db, sql_lock, 1, &id, &res)) != API_OK)
		goto out;
	if (!course_from_row(res, 0, 0, &co)) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((er = may_change(r, &co, &c->a)) != API_OK)
		goto out;
	db_res_free(res);
	res = NULL;
	snprintf(price, sizeof(price), "%lld", in[F_PRICE].v.i);
	params[0] = id;
	params[1] = in[F_TITLE].present ? in[F_TITLE].v.s : NULL;
	params[2] = in[F_DESCRIPTION].present ? in[F_DESCRIPTION].v.s :
	    (clear ? "" : NULL);
	params[3] = in[F_PRICE].present ? price : NULL;
	params[4] = in[F_CURRENCY].present ? in[F_CURRENCY].v.s : NULL;
	params[5] = !in[F_PUBLISHED].present ? NULL :
	    (in[F_PUBLISHED].v.b ? "true" : "false");
	if ((er = db_exec(c->db, sql_update, 6, params, &res)) != API_OK)
		goto out;
	if ((cj = course_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	if (co.instructor_id != c->a.user.id &&
	    (er = audit_change(r, c->db, &c->a, &co, in, clear)) != API_OK)
		goto out;
	er = http_send(r, 200, cj);
out:
	cJSON_Delete(cj);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

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
 * (409).  The decision is made again under a row lock in the transaction
 * that writes, so a concurrent ownership change or archiving cannot slip
 * between the check and the update.  An admin changing another author's
 * course is audited as course.update with the names of the fields given.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "auth.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "valid.h"

enum field { F_TITLE, F_DESCRIPTION, F_PRICE, F_CURRENCY, F_PUBLISHED,
	F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "title", valid_string, 0, 1, 200 },
	{ "description", valid_string, VF_MULTILINE | VF_NULLABLE, 0, 20000 },
	{ "price", course_valid_price, 0, 0, 0 },
	{ "currency", valid_string, 0, 1, 8 },
	{ "published", valid_bool, 0, 0, 0 },
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
 * Read and check the body into in[]; *clear is set when description is
 * given as null or as an empty string (it is then cleared).  Returns
 * API_OK (the caller frees in with valid_out_free), API_INVALID with the
 * detail set, or another error.
 */
static enum api_err
read_input(struct req *r, struct vout *in, int *clear)
{
	cJSON		*body, *errs = NULL;
	const cJSON	*d;
	enum api_err	 er = API_OK;
	size_t		 i;
	int		 any = 0;

	*clear = 0;
	if ((er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	d = cJSON_GetObjectItemCaseSensitive(body, "description");
	*clear = d != NULL && !in[F_DESCRIPTION].present;
	for (i = 0; i < F__MAX; i++)
		any |= in[i].present;
	if (in[F_CURRENCY].present &&
	    !course_currency_ok(in[F_CURRENCY].v.s))
		er = http_invalid_field(r, "currency", "must be \"INR\"");
	else if (!any && !*clear)
		er = http_invalid_field(r, "body", "must set at least one of "
		    "title, description, price, currency, published");
	if (er != API_OK)
		valid_out_free(in, fields, F__MAX);
	return er;
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

/*
 * Change course id for a with in[] inside one transaction and send 200
 * with the course.  Returns API_OK or an error (the transaction is then
 * rolled back by http_dispatch).
 */
static enum api_err
apply(struct req *r, struct db *db, const struct auth *a, const char *id,
    const struct vout *in, int clear)
{
	struct course	 c;
	struct db_res	*res = NULL;
	cJSON		*cj = NULL;
	const char	*params[6];
	char		 price[24];
	enum api_err	 er;

	if ((er = db_begin(db, a->user.id_str, a->user.role)) != API_OK ||
	    (er = db_exec(db, sql_lock, 1, &id, &res)) != API_OK)
		goto out;
	if (!course_from_row(res, 0, 0, &c)) {
		er = API_NOT_FOUND;
		goto out;
	}
	if ((er = may_change(r, &c, a)) != API_OK)
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
	if ((er = db_exec(db, sql_update, 6, params, &res)) != API_OK)
		goto out;
	if ((cj = course_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	if (c.instructor_id != a->user.id &&
	    (er = audit_change(r, db, a, &c, in, clear)) != API_OK)
		goto out;
	if ((er = db_commit(db)) != API_OK)
		goto out;
	er = http_send(r, 200, cj);
out:
	cJSON_Delete(cj);
	db_res_free(res);
	return er;
}

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	const char	*id;
	int		 clear;
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_ANY, &a)) != API_OK)
		return er;
	id = r->path_info[0] == '/' ? r->path_info + 1 : "";
	/* Who may do what is told before what is wrong with the body. */
	if ((er = course_load(db, id, &c)) != API_OK ||
	    (er = may_change(r, &c, &a)) != API_OK ||
	    (er = read_input(r, in, &clear)) != API_OK)
		return er;
	er = apply(r, db, &a, id, in, clear);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("PATCH", handle);
}

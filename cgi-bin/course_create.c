/*
 * lectern — POST /api/courses: a teacher, instructor or admin creates a
 * course and becomes its author.  {title, description?, price,
 * currency?, published?}: the price is a decimal string with at most two
 * decimals ("499.00", never a JSON number), 0 to 10,000,000; the
 * currency is INR (the only one for now, and the default); a course
 * starts as a draft unless published is true.  201 with the course and
 * Location /api/courses/{id}.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "course.h"
#include "db.h"
#include "http.h"
#include "valid.h"

enum field { F_TITLE, F_DESCRIPTION, F_PRICE, F_CURRENCY, F_PUBLISHED,
	F__MAX };

static const struct vfield fields[F__MAX] = {
	{ "title", valid_string, VF_REQUIRED, 1, 200 },
	{ "description", valid_string, VF_MULTILINE, 0, 20000 },
	{ "price", course_valid_price, VF_REQUIRED, 0, 0 },
	{ "currency", valid_string, 0, 1, 8 },
	{ "published", valid_bool, 0, 0, 0 },
};

static const char sql_insert[] =
    "INSERT INTO courses AS c (instructor_id, title, description,"
    " price_minor, currency, published)"
    " VALUES ($1::bigint, $2, coalesce($3, ''), $4::bigint, $5,"
    " $6::boolean) RETURNING " COURSE_COLUMNS;

/*
 * Read and check the body into in[].  Returns API_OK (the caller frees
 * in with valid_out_free), API_INVALID with the detail set, or another
 * error.
 */
static enum api_err
read_input(struct req *r, struct vout *in)
{
	cJSON		*body, *errs = NULL;
	enum api_err	 er;

	if ((er = http_body_json(r, &body)) != API_OK)
		return er;
	if ((er = valid_object(body, fields, F__MAX, in, &errs)) != API_OK)
		return er == API_INVALID ? http_invalid(r, errs) : er;
	if (in[F_CURRENCY].present &&
	    !course_currency_ok(in[F_CURRENCY].v.s)) {
		valid_out_free(in, fields, F__MAX);
		return http_invalid_field(r, "currency", "must be \"INR\"");
	}
	return API_OK;
}

static enum api_err
handle(struct req *r)
{
	struct vout	 in[F__MAX];
	struct auth	 a;
	struct course	 c;
	struct db	*db;
	struct db_res	*res = NULL;
	cJSON		*cj = NULL;
	const char	*params[6];
	char		 price[24], loc[64];
	enum api_err	 er;

	if ((er = http_db(r, &db)) != API_OK ||
	    (er = auth_require(r, db, ROLE_AUTHOR, &a)) != API_OK ||
	    (er = read_input(r, in)) != API_OK)
		return er;
	snprintf(price, sizeof(price), "%lld", in[F_PRICE].v.i);
	params[0] = a.user.id_str;
	params[1] = in[F_TITLE].v.s;
	params[2] = in[F_DESCRIPTION].present ? in[F_DESCRIPTION].v.s : NULL;
	params[3] = price;
	params[4] = in[F_CURRENCY].present ? in[F_CURRENCY].v.s :
	    COURSE_CURRENCY_DEFAULT;
	params[5] = in[F_PUBLISHED].present && in[F_PUBLISHED].v.b ?
	    "true" : "false";
	if ((er = db_exec(db, sql_insert, 6, params, &res)) != API_OK)
		goto out;
	if (!course_from_row(res, 0, 0, &c)) {
		er = API_INTERNAL;
		goto out;
	}
	if ((cj = course_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	snprintf(loc, sizeof(loc), "/api/courses/%s", c.id_str);
	(void)http_header(r, "Location", loc);
	er = http_send(r, 201, cj);
out:
	cJSON_Delete(cj);
	db_res_free(res);
	valid_out_free(in, fields, F__MAX);
	return er;
}

int
main(void)
{

	return http_main("POST", handle);
}

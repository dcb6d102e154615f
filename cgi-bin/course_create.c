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

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	course_create(struct call *);

enum field { F_TITLE, F_DESCRIPTION, F_PRICE, F_CURRENCY, F_PUBLISHED,
	F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 200 },
	[F_DESCRIPTION] = { .name = "description", .fn = valid_string,
	    .flags = VF_MULTILINE, .max = 20000 },
	[F_PRICE] = { .name = "price", .fn = course_valid_price,
	    .flags = VF_REQUIRED },
	[F_CURRENCY] = { .name = "currency", .fn = course_valid_currency,
	    .flags = VF_STRING, .min = 1, .max = 8 },
	[F_PUBLISHED] = { .name = "published", .fn = valid_bool },
};

/* One statement: it needs no transaction of its own. */
static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/courses",
	.who = ROLE_AUTHOR,
	.fields = fields,
	.nfields = F__MAX,
	.tx = TX_NONE,
	.run = course_create,
};

static const char sql_insert[] =
    "INSERT INTO courses AS c (instructor_id, title, description,"
    " price_minor, currency, published)"
    " VALUES ($1::bigint, $2, coalesce($3, ''), $4::bigint, $5,"
    " $6::boolean) RETURNING " COURSE_COLUMNS;

static enum api_err
course_create(struct call *c)
{
	struct req	*r = c->r;
	const struct vout *in = c->in;
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*cj = NULL;
	const char	*params[6];
	char		 price[24];
	enum api_err	 er;

	snprintf(price, sizeof(price), "%lld", in[F_PRICE].v.i);
	params[0] = c->user_id;
	params[1] = in[F_TITLE].v.s;
	params[2] = in[F_DESCRIPTION].present ? in[F_DESCRIPTION].v.s : NULL;
	params[3] = price;
	params[4] = in[F_CURRENCY].present ? in[F_CURRENCY].v.s :
	    COURSE_CURRENCY_DEFAULT;
	params[5] = in[F_PUBLISHED].present && in[F_PUBLISHED].v.b ?
	    "true" : "false";
	if ((er = db_exec(c->db, sql_insert, 6, params, &res)) != API_OK)
		goto out;
	if (!course_from_row(res, 0, 0, &co)) {
		er = API_INTERNAL;
		goto out;
	}
	if ((cj = course_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send_created(r, cj, "/api/courses/%s", co.id_str);
out:
	cJSON_Delete(cj);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

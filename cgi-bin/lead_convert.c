/*
 * lectern — POST /api/admin/leads/{id}/convert: an admin turns a lead
 * into a student (SPEC §6.2).  {course_id?} → 201 {user, user_created,
 * enrollment?}.  The account is the one with the lead's email, or a new
 * student with an unusable password and a set-password mail (the same
 * path as any account the office makes: shared/account.c).  With
 * course_id the student is enrolled: a free course directly, a paid one
 * with a zero-amount manual payment noted "lead conversion".  The lead
 * becomes converted and points at the user.  One transaction; audited.
 * A lead without an email, or converted already, is 409.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "account.h"
#include "audit.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "enrollment.h"
#include "http.h"
#include "row.h"

static enum api_err	lead_convert(struct call *);

enum field { F_COURSE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_COURSE] = { .name = "course_id", .fn = valid_id },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/admin/leads/{id}/convert",
	.who = ROLE_ADMIN,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_BODY_OPTIONAL,
	.run = lead_convert,
};

#define WELCOME_SUBJECT	"Your lectern account"

/* A format() string: %s are the name and the link. */
static const char welcome_fmt[] =
    "Hello %s,\n"
    "\n"
    "Thank you for your enquiry.  The lectern office made a student\n"
    "account for you with this email address.  To choose your password\n"
    "and sign in, open this link:\n"
    "\n"
    "%s\n"
    "\n"
    "The link works once and expires in 7 days.  After that, ask for a\n"
    "new one with \"Forgot password\" on the sign-in page.\n";

static const char sql_lead[] =
    "SELECT name, email, status FROM leads WHERE id = $1::bigint"
    " FOR UPDATE";

static const char sql_source[] =
    "SELECT set_config('lectern.source', 'manual', true)";

static const char sql_payment[] =
    "INSERT INTO payments (user_id, course_id, method, status, amount,"
    " currency, notes, recorded_by_user_id, paid_at) VALUES ($1::bigint,"
    " $2::bigint, 'manual', 'paid', 0, $3, 'lead conversion',"
    " $4::bigint, now()) RETURNING id";

static const char sql_enroll[] =
    "INSERT INTO enrollments AS e (user_id, course_id, status, source)"
    " VALUES ($1::bigint, $2::bigint, 'active', $3)"
    " ON CONFLICT ON CONSTRAINT enrollments_user_course_key DO UPDATE"
    " SET status = 'active', source = CASE WHEN e.status = 'active'"
    " THEN e.source ELSE excluded.source END"
    " RETURNING " ENROLLMENT_COLUMNS;

static const char sql_converted[] =
    "UPDATE leads SET status = 'converted', user_id = $2::bigint"
    " WHERE id = $1::bigint";

/*
 * Enroll u in course_id as the admin c calls for, adding "enrollment"
 * to out.  Returns API_OK or an error (404 for an unknown course).
 */
static enum api_err
enroll(struct call *c, const char *course_id, const struct user *u,
    cJSON *out)
{
	struct course	 co;
	struct db_res	*res = NULL;
	const char	*params[4];
	enum api_err	 er;

	if ((er = course_load(c->db, course_id, &co)) == API_NOT_FOUND)
		return http_invalid_field(c->r, "course_id",
		    "no such course");
	if (er != API_OK)
		return er;
	params[0] = u->id_str;
	params[1] = co.id_str;
	if (co.price_minor > 0) {
		params[2] = co.currency;
		params[3] = c->user_id;
		if ((er = db_exec(c->db, sql_source, 0, NULL,
		    NULL)) != API_OK ||
		    (er = db_exec(c->db, sql_payment, 4, params,
		    NULL)) != API_OK)
			return er;
	}
	params[2] = co.price_minor > 0 ? "manual" : "free";
	if ((er = db_exec(c->db, sql_enroll, 3, params, &res)) != API_OK)
		return er;
	if (row_add_one(out, "enrollment", res, enrollment_json) == -1)
		er = API_ENOMEM;
	db_res_free(res);
	return er;
}

/* Audit the conversion of lead c->id into u. */
static enum api_err
audit(struct call *c, const struct user *u, int created,
    const char *course_id)
{
	cJSON		*d;
	enum api_err	 er = API_ENOMEM;

	if ((d = cJSON_CreateObject()) != NULL &&
	    cJSON_AddNumberToObject(d, "user_id", (double)u->id) != NULL &&
	    cJSON_AddBoolToObject(d, "user_created", created) != NULL &&
	    (course_id == NULL ? cJSON_AddNullToObject(d, "course_id") :
	    cJSON_AddStringToObject(d, "course_id", course_id)) != NULL)
		er = audit_log(c->r, c->db, c->user_id, "lead.convert",
		    "lead", c->id_str, d);
	cJSON_Delete(d);
	return er;
}

static enum api_err
lead_convert(struct call *c)
{
	struct db_res	*lead = NULL;
	struct user	 u;
	cJSON		*out = NULL, *uj;
	const char	*params[2];
	char		 course[24];
	int		 created;
	enum api_err	 er;

	params[0] = c->id_str;
	if ((er = db_exec(c->db, sql_lead, 1, params, &lead)) != API_OK)
		return er;
	if (db_nrows(lead) != 1) {
		er = http_fail(c->r, API_NOT_FOUND, "lead not found");
		goto out;
	}
	if (db_get(lead, 0, 1) == NULL) {
		er = http_fail(c->r, API_CONFLICT,
		    "the lead has no email address to make an account with");
		goto out;
	}
	if (strcmp(db_get(lead, 0, 2), "converted") == 0) {
		er = http_fail(c->r, API_CONFLICT,
		    "the lead is converted already");
		goto out;
	}
	if ((out = cJSON_CreateObject()) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	if ((er = account_student(c->r, c->db, db_get(lead, 0, 1),
	    db_get(lead, 0, 0), WELCOME_SUBJECT, welcome_fmt, &u,
	    &created)) != API_OK)
		goto out;
	if (!u.is_active) {
		er = http_fail(c->r, API_CONFLICT,
		    "the account with this email is deactivated");
		goto out;
	}
	course[0] = '\0';
	if (c->in[F_COURSE].present) {
		snprintf(course, sizeof(course), "%lld", c->in[F_COURSE].v.i);
		if ((er = enroll(c, course, &u, out)) != API_OK)
			goto out;
	}
	params[1] = u.id_str;
	if ((er = db_exec(c->db, sql_converted, 2, params, NULL)) != API_OK ||
	    (er = audit(c, &u, created, course[0] ? course : NULL)) != API_OK)
		goto out;
	if ((uj = auth_user_json(&u)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	cJSON_AddItemToObject(out, "user", uj);
	if (cJSON_AddBoolToObject(out, "user_created", created) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send(c->r, 201, out);
out:
	cJSON_Delete(out);
	db_res_free(lead);
	return er;
}

ENDPOINT_MAIN(endpoint)

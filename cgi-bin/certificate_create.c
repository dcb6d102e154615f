/*
 * lectern — POST /api/courses/{id}/certificates: the course's author or
 * an admin issues the certificate of a user with an active enrollment
 * in the course, {user_id}, whether or not every lesson is done.  One
 * per user and course: 201 with the new certificate (Location its
 * verify path), or 200 with the one the user already has.  Audited.
 * A user who is not enrolled is 400; others who may see the course get
 * 403, everyone else 404.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "audit.h"
#include "certificate.h"
#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"

static enum api_err	certificate_create(struct call *);

enum field { F_USER, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_USER] = { .name = "user_id", .fn = valid_id,
	    .flags = VF_REQUIRED },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/courses/{id}/certificates",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = certificate_create,
};

static enum api_err
certificate_create(struct call *c)
{
	struct req	*r = c->r;
	struct course	 co;
	struct db_res	*res = NULL;
	cJSON		*o = NULL;
	char		 uid[24], loc[80], shown[CERT_SHOWN_LEN + 1];
	int		 enrolled, created;
	enum api_err	 er;

	if ((er = course_load(c->db, c->id_str, &co)) != API_OK ||
	    (er = course_check_learner(c->db, &co, &c->a)) != API_OK)
		return er;
	if (!course_is_author(&co, &c->a))
		return http_fail(r, API_FORBIDDEN, "only the course's author "
		    "or an admin issues certificates");
	snprintf(uid, sizeof(uid), "%lld", c->in[F_USER].v.i);
	if ((er = course_enrolled(c->db, co.id_str, uid, &enrolled)) !=
	    API_OK)
		return er;
	if (!enrolled)
		return http_invalid_field(r, "user_id",
		    "must be a user enrolled in the course");
	if ((er = cert_issue(c->db, co.id_str, uid, c->user_id, &res,
	    &created)) != API_OK)
		goto out;
	if ((o = cert_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	if (created) {
		if ((er = audit_log(r, c->db, c->user_id, "certificate.issue",
		    "certificate", db_get(res, 0, 0), NULL)) != API_OK)
			goto out;
		cert_code_show(db_get(res, 0, CERT_COL_CODE), shown);
		snprintf(loc, sizeof(loc), "/api/certificates/%s", shown);
		if ((er = http_header(r, "Location", loc)) != API_OK)
			goto out;
	}
	er = http_send(r, created ? 201 : 200, o);
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — POST /api/classwork/{id}/submissions: a learner hands in
 * {content}.  The caller needs an active enrollment in the course (any
 * role: a teacher enrolled in someone else's course is a learner there);
 * the course's author and admins do not submit (403).
 *
 * One submission per learner and classwork.  Until due_at (inclusive) a
 * new POST replaces the content and updated_at (submitted_at stays the
 * first hand-in); after it, 409 "the due date has passed".  Once graded
 * a submission is final: a new POST is 409 "already graded" rather than
 * silently discarding the grade.  First submission 201 with Location
 * /api/submissions/<id>; a replacement 200.
 *
 * Race-free: the classwork row is share-locked (due_at cannot move while
 * we decide) and the write is one INSERT ... ON CONFLICT DO UPDATE ...
 * WHERE grade IS NULL, whose RETURNING (xmax = 0) tells an insert from
 * an update.  Everything runs as the caller under row-level security.
 */
#include "config.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "classwork.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "upload.h"

static enum api_err	submission_create(struct call *);

enum field { F_CONTENT, F_ATTACH, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_CONTENT] = { .name = "content", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_MULTILINE, .min = 1, .max = 100000 },
	[F_ATTACH] = { .name = "attachment_ids", .fn = upload_valid_ids,
	    .flags = VF_STRING },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/classwork/{id}/submissions",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.run = submission_create,
};

static const char sql_upsert[] =
    "WITH up AS (INSERT INTO submissions AS cur (classwork_id, user_id,"
    "  content, attachment_ids)"
    "  VALUES ($1::bigint, $2::bigint, $3, coalesce($4::bigint[], '{}'))"
    "  ON CONFLICT (classwork_id, user_id) DO UPDATE"
    "  SET content = excluded.content,"
    "  attachment_ids = excluded.attachment_ids, updated_at = now()"
    "  WHERE cur.grade IS NULL"
    "  RETURNING cur.*, (cur.xmax = 0) AS inserted)"
    " SELECT " SUBMISSION_COLUMNS ", s.inserted"
    " FROM up s JOIN users u ON u.id = s.user_id";

static enum api_err
submission_create(struct call *c)
{
	struct req		*r = c->r;
	struct classwork	 cw;
	struct db_res		*res = NULL;
	cJSON			*o = NULL;
	const char		*params[4], *ins;
	char			 loc[64];
	int			 author, created;
	enum api_err		 er;

	if ((er = classwork_load(c->db, c->id_str, CLASSWORK_LOCK_SHARE,
	    &cw)) != API_OK)
		return er;
	er = classwork_check(c->db, &cw.course, &c->a, CLASSWORK_LEARN,
	    &author);
	if (er == API_OK && author)
		return http_fail(r, API_FORBIDDEN, "authors do not submit");
	if (er == API_FORBIDDEN)
		return http_fail(r, er, "only enrolled learners submit");
	if (er != API_OK)
		return er;
	if (cw.past_due)
		return http_fail(r, API_CONFLICT, "the due date has passed");
	params[3] = c->in[F_ATTACH].present ? c->in[F_ATTACH].v.s : NULL;
	if ((er = upload_check_ids(r, c->db, "attachment_ids", params[3],
	    "submission", cw.id_str, c->user_id)) != API_OK)
		return er;
	params[0] = cw.id_str;
	params[1] = c->user_id;
	params[2] = c->in[F_CONTENT].v.s;
	if ((er = db_exec(c->db, sql_upsert, 4, params, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = http_fail(r, API_CONFLICT, "already graded: a graded "
		    "submission cannot be replaced");
		goto out;
	}
	ins = db_get(res, 0, SUBMISSION_NCOLUMNS);
	created = ins != NULL && ins[0] == 't';
	if ((o = classwork_submission_json(res, 0, 0)) == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	if (created) {
		/* Submissions are read through their classwork's list. */
		snprintf(loc, sizeof(loc), "/api/classwork/%s/submissions",
		    db_get(res, 0, 1));
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

/*
 * lectern — POST /api/tutor/conversations: a signed-in user starts a
 * conversation with the tutor, {course_id?, lesson_id?, title?}.
 *
 * A lesson only when the caller may read its content (SPEC §6.7): an
 * unknown lesson, or one of a course the caller may not see, is 404; a
 * lesson whose content is closed to them (a paid course they are not
 * enrolled in) is 403.  A course alone must be one the caller may see
 * (else 404).  Given both, the lesson must belong to the course (400).
 * Without a title the conversation is named after the lesson or course.
 * 201 with the conversation and Location.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "course.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "tutor.h"

static enum api_err	conversation_create(struct call *);

enum field { F_COURSE, F_LESSON, F_TITLE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_COURSE] = { .name = "course_id", .fn = valid_id,
	    .flags = VF_NULLABLE },
	[F_LESSON] = { .name = "lesson_id", .fn = valid_id,
	    .flags = VF_NULLABLE },
	[F_TITLE] = { .name = "title", .fn = valid_string, .min = 1,
	    .max = TUTOR_TITLE_MAX },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/tutor/conversations",
	.who = ROLE_ANY,
	.fields = fields,
	.nfields = F__MAX,
	.flags = EP_BODY_OPTIONAL,
	.run = conversation_create,
};

/* The title: the one given, else the lesson's, the course's or a default. */
static const char sql_insert[] =
    "INSERT INTO tutor_conversations AS c (user_id, course_id, lesson_id,"
    "  title)"
    " VALUES ($1::bigint, $2::bigint, $3::bigint, coalesce($4,"
    "  (SELECT left(title, 200) FROM lessons WHERE id = $3::bigint),"
    "  (SELECT left(title, 200) FROM courses WHERE id = $2::bigint),"
    "  'Conversation'))"
    " RETURNING " TUTOR_CONVERSATION_COLUMNS;

static enum api_err
conversation_create(struct call *c)
{
	struct req	*r = c->r;
	struct course	 course;
	struct db_res	*res = NULL;
	cJSON		*o = NULL;
	const char	*params[4];
	char		 cid[24], lid[24], lcourse[24];
	enum api_err	 er;

	cid[0] = lid[0] = '\0';
	if (c->in[F_COURSE].present)
		snprintf(cid, sizeof(cid), "%lld", c->in[F_COURSE].v.i);
	if (c->in[F_LESSON].present)
		snprintf(lid, sizeof(lid), "%lld", c->in[F_LESSON].v.i);
	if (lid[0] != '\0') {
		er = tutor_lesson_check(c->db, lid, &c->a, lcourse,
		    sizeof(lcourse));
		if (er == API_FORBIDDEN)
			return http_fail(r, er, "you may not read this "
			    "lesson's content");
		if (er != API_OK)
			return er;
		if (cid[0] != '\0' && strcmp(cid, lcourse) != 0)
			return http_invalid_field(r, "lesson_id",
			    "is not a lesson of course_id");
		snprintf(cid, sizeof(cid), "%s", lcourse);
	} else if (cid[0] != '\0') {
		if ((er = course_load(c->db, cid, &course)) != API_OK ||
		    (er = course_check_learner(c->db, &course, &c->a)) !=
		    API_OK)
			return er;
	}
	params[0] = c->user_id;
	params[1] = cid[0] != '\0' ? cid : NULL;
	params[2] = lid[0] != '\0' ? lid : NULL;
	params[3] = c->in[F_TITLE].present ? c->in[F_TITLE].v.s : NULL;
	if ((er = db_exec(c->db, sql_insert, 4, params, &res)) != API_OK)
		goto out;
	if ((o = tutor_conversation_json(res, 0, 0)) == NULL) {
		er = db_nrows(res) == 1 ? API_ENOMEM : API_INTERNAL;
		goto out;
	}
	er = http_send_created(r, o, "/api/tutor/conversations/%s",
	    db_get(res, 0, 0));
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

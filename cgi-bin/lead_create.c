/*
 * lectern — POST /api/leads: the public enquiry form (SPEC §6.2).
 *
 * {name, email?, phone?, course_id?, message?, source?, consent}: email
 * or phone is required and consent must be true.  Strict rate class
 * (per address).  The answer is always 202 {"status":"received"},
 * whether the contact is new or known, so the form tells nobody who has
 * enquired.  A filled-in honeypot field "website" (hidden from people,
 * filled by bots) gets the same answer and is stored nowhere.  The same
 * email or phone within 24 hours updates that open lead instead of
 * adding one (a new message is appended); an advisory lock per contact
 * keeps two submissions at once from both adding.  A mail to
 * LECTERN_STAFF_EMAIL is queued with the lead.  Nobody is signed in:
 * the work runs as the system (TX_SYSTEM).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "lead.h"
#include "log.h"
#include "mail.h"

static enum api_err	lead_create(struct call *);

enum field {
	F_NAME, F_EMAIL, F_PHONE, F_COURSE, F_MESSAGE, F_SOURCE, F_CONSENT,
	F_WEBSITE, F__MAX
};

static const struct vfield fields[F__MAX] = {
	[F_NAME] = { .name = "name", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 200 },
	[F_EMAIL] = { .name = "email", .fn = valid_email },
	[F_PHONE] = { .name = "phone", .fn = valid_string, .min = 3,
	    .max = 32 },
	[F_COURSE] = { .name = "course_id", .fn = valid_id },
	[F_MESSAGE] = { .name = "message", .fn = valid_string,
	    .flags = VF_MULTILINE, .min = 1, .max = 5000 },
	[F_SOURCE] = { .name = "source", .fn = valid_string, .min = 1,
	    .max = 64 },
	[F_CONSENT] = { .name = "consent", .fn = valid_bool,
	    .flags = VF_REQUIRED },
	[F_WEBSITE] = { .name = "website", .fn = valid_string,
	    .flags = VF_MULTILINE, .max = 2000 },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/leads",
	.who = WHO_ANYONE,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_STRICT,
	.tx = TX_SYSTEM,
	.run = lead_create,
};

#define STAFF_SUBJECT	"New enquiry on lectern"

static const char sql_lock[] =
    "SELECT pg_advisory_xact_lock(hashtext('lead:e:' || $1::text))"
    " WHERE $1::text IS NOT NULL"
    " UNION ALL SELECT pg_advisory_xact_lock(hashtext('lead:p:' || $2::text))"
    " WHERE $2::text IS NOT NULL";

static const char sql_course[] =
    "SELECT 1 FROM courses WHERE id = $1::bigint AND published";

/* The open lead of this contact submitted within 24 hours, updated. */
static const char sql_update[] =
    "UPDATE leads AS l SET name = $3, email = coalesce(l.email, $1),"
    " phone = coalesce(l.phone, $2), course_id = coalesce($4::bigint,"
    " l.course_id), message = CASE WHEN $5::text IS NULL THEN l.message"
    "  WHEN l.message IS NULL THEN $5"
    "  ELSE left(l.message || E'\\n\\n' || $5, 5000) END,"
    " source = coalesce($6, l.source), consent = true,"
    " submissions = l.submissions + 1, last_submitted_at = now(), ip = $7"
    " WHERE l.id = (SELECT o.id FROM leads o"
    "  WHERE o.status NOT IN ('converted', 'lost')"
    "  AND o.last_submitted_at > now() - interval '24 hours'"
    "  AND (o.email = $1 OR o.phone = $2)"
    "  ORDER BY o.last_submitted_at DESC, o.id DESC LIMIT 1)"
    " RETURNING l.id";

static const char sql_insert[] =
    "INSERT INTO leads (email, phone, name, course_id, message, source,"
    " ip, consent) VALUES ($1, $2, $3, $4::bigint, $5, $6, $7, true)"
    " RETURNING id";

static const char staff_fmt[] =
    "A %s enquiry came in through the public form.\n"
    "\n"
    "Name: %s\n"
    "Email: %s\n"
    "Phone: %s\n"
    "Source: %s\n"
    "\n"
    "Lead %s: %s/admin/leads/%s\n";

/* The value of field f of c, or NULL when it was not given. */
#define IN_S(c, f)	((c)->in[f].present ? (c)->in[f].v.s : NULL)

/*
 * Queue the staff's mail about lead id (new or updated), when a staff
 * address is configured.  Returns API_OK or an error.
 */
static enum api_err
notify(struct call *c, const char *id, int updated)
{
	const char	*to = config_get()->staff_email;
	char		*text = NULL;
	enum api_err	 er;

	if (to == NULL)
		return API_OK;
	if ((er = mail_format(&text, staff_fmt, updated ? "repeated" : "new",
	    c->in[F_NAME].v.s, IN_S(c, F_EMAIL) ? IN_S(c, F_EMAIL) : "-",
	    IN_S(c, F_PHONE) ? IN_S(c, F_PHONE) : "-",
	    IN_S(c, F_SOURCE) ? IN_S(c, F_SOURCE) : "-", id,
	    config_get()->public_url, id)) != API_OK)
		return er;
	er = mail_queue(c->db, to, STAFF_SUBJECT, text);
	free(text);
	return er;
}

static enum api_err
lead_create(struct call *c)
{
	struct db_res	*res = NULL;
	const char	*params[7];
	char		 course[24];
	int		 updated = 0;
	enum api_err	 er;

	if (!c->in[F_CONSENT].v.b)
		return http_invalid_field(c->r, "consent", "must be true");
	if (!c->in[F_EMAIL].present && !c->in[F_PHONE].present)
		return http_invalid_field(c->r, "email",
		    "email or phone is required");
	if (c->in[F_WEBSITE].present) {
		/* A bot: the same answer, nothing kept. */
		log_event(LOG_LVL_INFO, c->r->request_id, "lead_honeypot",
		    NULL);
		return http_send_raw(c->r, 202, "{\"status\":\"received\"}");
	}
	course[0] = '\0';
	if (c->in[F_COURSE].present) {
		snprintf(course, sizeof(course), "%lld", c->in[F_COURSE].v.i);
		params[0] = course;
		if ((er = db_exec(c->db, sql_course, 1, params,
		    &res)) != API_OK)
			return er;
		if (db_nrows(res) != 1) {
			db_res_free(res);
			return http_invalid_field(c->r, "course_id",
			    "is not a published course");
		}
		db_res_free(res);
		res = NULL;
	}
	params[0] = IN_S(c, F_EMAIL);
	params[1] = IN_S(c, F_PHONE);
	if ((er = db_exec(c->db, sql_lock, 2, params, NULL)) != API_OK)
		return er;
	params[2] = c->in[F_NAME].v.s;
	params[3] = course[0] != '\0' ? course : NULL;
	params[4] = IN_S(c, F_MESSAGE);
	params[5] = IN_S(c, F_SOURCE);
	params[6] = c->r->remote_addr;
	if ((er = db_exec(c->db, sql_update, 7, params, &res)) != API_OK)
		goto out;
	if (db_nrows(res) == 1)
		updated = 1;
	else {
		db_res_free(res);
		res = NULL;
		if ((er = db_exec(c->db, sql_insert, 7, params,
		    &res)) != API_OK)
			goto out;
	}
	if ((er = notify(c, db_get(res, 0, 0), updated)) != API_OK)
		goto out;
	log_event(LOG_LVL_INFO, c->r->request_id, "lead_received",
	    "lead_id", db_get(res, 0, 0), "updated", updated ? "true" : "false",
	    NULL);
	er = http_send_raw(c->r, 202, "{\"status\":\"received\"}");
out:
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

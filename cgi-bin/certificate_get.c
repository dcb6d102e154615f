/*
 * lectern — GET /api/certificates/{code}: public verification of a
 * certificate, for anyone, without an account (SPEC §6.6).  The code is
 * read without regard to case, dashes or Crockford's look-alikes.
 * 200 {valid, code, student_name, course_title, issued_at, revoked_at?,
 * reason?, verify_url} with an ETag (304 when If-None-Match names it);
 * an unknown or malformed code is 404.  The certificate is read through
 * a function that returns one row by its code, so the table itself is
 * not open to anonymous callers.
 */
#include "config.h"

#include <cjson/cJSON.h>

#include "certificate.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"
#include "row.h"

static enum api_err	certificate_get(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/certificates/{code}",
	.who = WHO_ANYONE,
	.flags = EP_READ_REPLICA,
	.run = certificate_get,
};

static const struct row_col cols[] = {
	{ "code", ROW_SKIP, 0 },
	{ "valid", ROW_BOOL, 0 },
	{ "student_name", ROW_TEXT, 0 },
	{ "course_title", ROW_TEXT, 0 },
	{ "issued_at", ROW_TEXT, 0 },
	{ "revoked_at", ROW_TEXT, ROW_OMIT_NULL },
	{ "reason", ROW_TEXT, ROW_OMIT_NULL },
};

static const char sql_get[] =
    "SELECT ct.code, ct.revoked_at IS NULL, ct.student_name,"
    " ct.course_title, " SQL_UTC("ct.issued_at") ","
    " " SQL_UTC("ct.revoked_at") ", ct.revoked_reason"
    " FROM lectern_certificate_by_code($1) ct";

static enum api_err
certificate_get(struct call *c)
{
	struct db_res	*res = NULL;
	cJSON		*o = NULL;
	const char	*params[1];
	char		 code[CERT_CODE_LEN + 1], shown[CERT_SHOWN_LEN + 1];
	char		 url[1024];
	enum api_err	 er;

	if (!cert_code_parse(c->key, code))
		return API_NOT_FOUND;
	params[0] = code;
	if ((er = db_exec(c->db, sql_get, 1, params, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1) {
		er = API_NOT_FOUND;
		goto out;
	}
	cert_code_show(code, shown);
	cert_verify_url(code, url, sizeof(url));
	if ((o = row_json(res, 0, 0, cols, ROW_NCOLS(cols))) == NULL ||
	    cJSON_AddStringToObject(o, "code", shown) == NULL ||
	    cJSON_AddStringToObject(o, "verify_url", url) == NULL) {
		log_warnx("certificate_get: out of memory");
		er = API_ENOMEM;
		goto out;
	}
	er = http_send_etag(c->r, o);
out:
	cJSON_Delete(o);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

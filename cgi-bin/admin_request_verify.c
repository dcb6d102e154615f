/*
 * lectern — POST /api/admin-requests/verify: {token} from the mail marks
 * the pending request email_verified (SPEC §3).  The token is single-use
 * and lapses after 24 hours: it is looked up by its SHA-256 and cleared
 * as it is spent.  Anyone may call (the link is opened from the mail);
 * the auth rate class keeps guessing slow.  Nobody is signed in: the
 * token speaks for the request, so it runs as the system (TX_SYSTEM).
 * A bad, spent or expired token is 400 with the field named.  Audited.
 * 200 with the request.
 */
#include "config.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "adminreq.h"
#include "audit.h"
#include "crypto.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "row.h"

static enum api_err	admin_request_verify(struct call *);

enum field { F_TOKEN, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TOKEN] = { .name = "token", .fn = valid_string,
	    .flags = VF_REQUIRED | VF_NOTRIM, .min = 1, .max = 128 },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/admin-requests/verify",
	.who = WHO_ANYONE,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_AUTH,
	.tx = TX_SYSTEM,
	.run = admin_request_verify,
};

static const char sql_verify[] =
    "UPDATE admin_requests AS q SET email_verified = true,"
    " verified_at = now(), token_hash = NULL, token_expires_at = NULL"
    " WHERE q.token_hash = $1 AND q.token_expires_at > now()"
    " AND q.status = 'pending' RETURNING " ADMINREQ_COLUMNS;

static enum api_err
admin_request_verify(struct call *c)
{
	struct db_res	*res = NULL;
	const char	*param;
	char		 hash[CRYPTO_SHA256_HEX_SIZE];
	enum api_err	 er;

	if ((er = crypto_sha256_hex(c->in[F_TOKEN].v.s,
	    strlen(c->in[F_TOKEN].v.s), hash)) != API_OK)
		return er;
	param = hash;
	if ((er = db_exec(c->db, sql_verify, 1, &param, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = http_invalid_field(c->r, "token",
		    "is invalid, used or expired");
		goto out;
	}
	if ((er = audit_log(c->r, c->db, db_get(res, 0, 1),
	    "admin_request.verify", "admin_request", db_get(res, 0, 0),
	    NULL)) != API_OK)
		goto out;
	er = row_send(c->r, 200, res, adminreq_json);
out:
	explicit_bzero(hash, sizeof(hash));
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

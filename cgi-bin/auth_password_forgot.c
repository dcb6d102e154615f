/*
 * lectern — POST /api/auth/password/forgot: queue a password reset email.
 *
 * The answer is always 202 {"status":"accepted"}, whether or not the
 * address belongs to an active account, so the endpoint tells nobody
 * which addresses are registered.  Both cases do the same work: a token
 * is made, its SHA-256 taken and the mail text written, then one
 * statement inserts the reset and the outbox row only when the account
 * exists.  The token itself goes only into the mail body, never into a
 * log line, the response or the database in clear.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"

#define RESET_TOKEN_BYTES	32
#define RESET_SUBJECT		"Reset your lectern password"

static enum api_err	password_forgot(struct call *);

enum field { F_EMAIL, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_EMAIL] = { .name = "email", .fn = valid_email,
	    .flags = VF_REQUIRED },
};

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/auth/password/forgot",
	.who = WHO_ANYONE,
	.fields = fields,
	.nfields = F__MAX,
	.rate = RL_STRICT,
	.run = password_forgot,
};

/*
 * One statement, so the reset and its mail are written together or not
 * at all; nothing is written when no active account has the address.
 */
static const char sql_queue[] =
    "WITH u AS (SELECT id, email FROM users"
    "  WHERE lower(email) = lower($1) AND is_active),"
    " r AS (INSERT INTO password_resets (user_id, token_hash, expires_at)"
    "  SELECT id, $2, now() + interval '1 hour' FROM u RETURNING user_id)"
    " INSERT INTO email_outbox (to_address, subject, body)"
    " SELECT u.email, $3, $4 FROM u JOIN r ON r.user_id = u.id"
    " RETURNING id, (SELECT id FROM u)";

static const char body_fmt[] =
    "Hello,\n"
    "\n"
    "Someone, hopefully you, asked to reset the password of the lectern\n"
    "account with this email address.  To choose a new password, open\n"
    "this link:\n"
    "\n"
    "%.*s/reset-password#token=%s\n"
    "\n"
    "The link expires in an hour and works only once.  If you did not ask\n"
    "for a new password, ignore this email: your password stays as it is.\n";

/*
 * The text of the reset mail for token, with a link under the
 * configured public URL (a trailing slash dropped), in *out, which the
 * caller wipes and frees with crypto_wipe_free.  Returns API_OK or
 * API_ENOMEM.
 */
static enum api_err
reset_body(const char *token, char **out)
{
	const char	*base = config_get()->public_url;
	size_t		 blen = strlen(base);
	int		 n;

	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	*out = NULL;
	if ((n = snprintf(NULL, 0, body_fmt, (int)blen, base, token)) < 0)
		return API_INTERNAL;
	if ((*out = malloc((size_t)n + 1)) == NULL) {
		log_warnx("reset_body: out of memory");
		return API_ENOMEM;
	}
	(void)snprintf(*out, (size_t)n + 1, body_fmt, (int)blen, base, token);
	return API_OK;
}

static enum api_err
password_forgot(struct call *c)
{
	struct db_res	*res = NULL;
	cJSON		*out = NULL;
	const char	*params[4];
	char		 hash[CRYPTO_SHA256_HEX_SIZE];
	char		*token = NULL, *text = NULL;
	enum api_err	 er;

	if ((er = crypto_token(RESET_TOKEN_BYTES, &token)) != API_OK ||
	    (er = crypto_sha256_hex(token, strlen(token), hash)) != API_OK ||
	    (er = reset_body(token, &text)) != API_OK)
		goto out;
	params[0] = c->in[F_EMAIL].v.s;
	params[1] = hash;
	params[2] = RESET_SUBJECT;
	params[3] = text;
	if ((er = db_exec(c->db, sql_queue, 4, params, &res)) != API_OK)
		goto out;
	if (db_nrows(res) == 1)
		log_event(LOG_LVL_INFO, c->r->request_id,
		    "password_reset_queued", "user_id", db_get(res, 0, 1),
		    "outbox_id", db_get(res, 0, 0), NULL);
	if ((out = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(out, "status", "accepted") == NULL) {
		er = API_ENOMEM;
		goto out;
	}
	er = http_send(c->r, 202, out);
out:
	cJSON_Delete(out);
	db_res_free(res);
	crypto_wipe_free(token);
	crypto_wipe_free(text);
	return er;
}

ENDPOINT_MAIN(endpoint)

/*
 * lectern — mail: outbox rows and mailed tokens.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "mail.h"

static const char sql_queue[] =
    "INSERT INTO email_outbox (to_address, subject, body)"
    " VALUES ($1, $2, $3)";

/* Erased accounts keep an address nobody reads: they get no mail. */
static const char sql_queue_user[] =
    "INSERT INTO email_outbox (to_address, subject, body)"
    " SELECT u.email, $2, $3 FROM users u WHERE u.id = $1::bigint"
    " AND u.is_active";

enum api_err
mail_format(char **out, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	*out = NULL;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return API_INTERNAL;
	if ((*out = malloc((size_t)n + 1)) == NULL) {
		log_warnx("mail_format: out of memory");
		return API_ENOMEM;
	}
	va_start(ap, fmt);
	(void)vsnprintf(*out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return API_OK;
}

enum api_err
mail_token_new(const char *path, struct mail_token *t)
{
	const char	*base = config_get()->public_url;
	size_t		 blen = strlen(base);
	enum api_err	 er;

	memset(t, 0, sizeof(*t));
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if ((er = crypto_token(MAIL_TOKEN_BYTES, &t->token)) != API_OK ||
	    (er = crypto_sha256_hex(t->token, strlen(t->token),
	    t->hash)) != API_OK)
		return er;
	return mail_format(&t->link, "%.*s%s#token=%s", (int)blen, base,
	    path, t->token);
}

void
mail_token_free(struct mail_token *t)
{

	crypto_wipe_free(t->token);
	crypto_wipe_free(t->link);
	explicit_bzero(t->hash, sizeof(t->hash));
	memset(t, 0, sizeof(*t));
}

/* Queue one message by sql, whose $1 names the recipient. */
static enum api_err
queue(struct db *db, const char *sql, const char *to, const char *subject,
    const char *body)
{
	const char	*params[3];

	params[0] = to;
	params[1] = subject;
	params[2] = body;
	return db_exec(db, sql, 3, params, NULL);
}

enum api_err
mail_queue(struct db *db, const char *to, const char *subject,
    const char *body)
{
	return queue(db, sql_queue, to, subject, body);
}

enum api_err
mail_queue_user(struct db *db, const char *user_id, const char *subject,
    const char *body)
{
	return queue(db, sql_queue_user, user_id, subject, body);
}

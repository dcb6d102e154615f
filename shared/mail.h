/*
 * lectern — mail: queue a message in the outbox, in the caller's
 * transaction, and make the links mails carry (SPEC §10).
 *
 * A mail is written to email_outbox in the same transaction as the event
 * it tells of, so neither exists without the other; lectern-mailer
 * delivers it.  A link with a token keeps the token in the mail body
 * only: callers store its SHA-256 and wipe the clear text.
 */
#ifndef LECTERN_MAIL_H
#define LECTERN_MAIL_H

#include "crypto.h"
#include "err.h"

struct db;

#define MAIL_TOKEN_BYTES	32	/* 256 bits in every mailed token */

/* A single-use token for a mail: its text, the link and the hash. */
struct mail_token {
	char	*token;		/* base64url; wiped by mail_token_free */
	char	*link;		/* <public URL><path>#token=<token> (a fragment: it never reaches a server or its log) */
	char	 hash[CRYPTO_SHA256_HEX_SIZE];	/* what the database keeps */
};

/*
 * Make a new token and its link to path (which starts with '/') under
 * the configured public URL, a trailing slash of that dropped.  The
 * caller frees t with mail_token_free, even on failure.  Returns
 * API_OK, API_ENOMEM or API_INTERNAL.
 */
enum api_err	mail_token_new(const char *path, struct mail_token *t)
		    __attribute__((warn_unused_result));

/* Wipe and free what t holds.  Safe on a zeroed t. */
void		mail_token_free(struct mail_token *t);

/*
 * Queue a mail to to with subject and body in the open transaction of
 * db.  Returns API_OK or a database error.
 */
enum api_err	mail_queue(struct db *db, const char *to, const char *subject,
		    const char *body) __attribute__((warn_unused_result));

/*
 * Queue a mail to user user_id (their current address) with subject and
 * body.  Nothing is queued for an erased or unknown user.  Returns
 * API_OK or a database error.
 */
enum api_err	mail_queue_user(struct db *db, const char *user_id,
		    const char *subject, const char *body)
		    __attribute__((warn_unused_result));

/*
 * printf into a new string in *out (the caller frees it with free, or
 * crypto_wipe_free when it holds a token).  Returns API_OK or
 * API_ENOMEM.
 */
enum api_err	mail_format(char **out, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)))
		    __attribute__((warn_unused_result));

#endif /* LECTERN_MAIL_H */

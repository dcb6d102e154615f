/*
 * lectern — account: accounts made for someone by the office.
 *
 * A lead converted into a student (and, the same way, a payer recorded
 * by an admin) gets an account with an unusable password and a
 * single-use link to choose one, valid for 7 days: the owner did not
 * ask for the mail and may open it late.  The token goes only into the
 * mail; password_resets keeps its SHA-256.
 */
#ifndef LECTERN_ACCOUNT_H
#define LECTERN_ACCOUNT_H

#include "auth.h"
#include "err.h"

struct db;
struct req;

/*
 * The account with email, or a new student with email and name, in the
 * open transaction of db.  A new account's set-password mail is queued
 * with subject and a body made by PostgreSQL's format() from fmt with
 * two %s: the name and the link.  *u is the account, *created 1 when it
 * is new.  Returns API_OK or an error.
 */
enum api_err	account_student(struct req *r, struct db *db,
		    const char *email, const char *name, const char *subject,
		    const char *fmt, struct user *u, int *created)
		    __attribute__((warn_unused_result));

/*
 * Erase user uid's personal data in the open transaction, as actor (the
 * user, or the admin acting for them).  The row stays, for the payments
 * and certificates kept for accounting, but no longer says who the
 * person was: the name becomes "Deleted user", the email
 * "deleted-<id>@invalid.invalid", the password a marker nothing
 * verifies against, and the account is deactivated.  Every session is
 * revoked, pending resets are spent, Google and Firebase identities are
 * removed, submissions lose their text and enrollments end; audited as
 * user.erase.  Returns API_OK, API_ENOMEM or a database error.
 */
enum api_err	account_erase(struct req *r, struct db *db, const char *uid,
		    const char *actor)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_ACCOUNT_H */

/*
 * lectern — export: everything stored about a user, as one JSON
 * document (GDPR right of access), for GET /api/auth/me/export and an
 * admin's GET /api/admin/users/{id}/export.
 */
#ifndef LECTERN_EXPORT_H
#define LECTERN_EXPORT_H

#include <cjson/cJSON.h>

#include "auth.h"
#include "err.h"

struct db;
struct req;

/*
 * Everything stored about user u, as one document (GDPR right of
 * access), read in the open transaction of db into *out (a new object
 * the caller frees): the user, then one array per section (sessions,
 * audit entries, resets, courses authored, enrollments, progress,
 * submissions, payments, identities, ...).  A section is read only when
 * its table exists, so the list can name tables that later migrations
 * add.  Nothing in it is a secret: no password or token hash, no
 * session id, and of audit entries made by someone else about the user,
 * not that person's address.  sid, when not NULL, marks the caller's
 * own session as current.  Returns API_OK, API_ENOMEM, API_INTERNAL or
 * a database error.
 */
enum api_err	export_user(struct req *r, struct db *db,
		    const struct user *u, const char *sid, cJSON **out)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_EXPORT_H */

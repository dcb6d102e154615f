/*
 * lectern — audit: the append-only record of who did what (SPEC §8).
 *
 * Every admin action, manual payment, role change, ownership change,
 * revocation and refresh-token reuse is written here, in the same
 * transaction as the change it records.  Details never carry a secret:
 * members whose names look like one are dropped before the insert.
 */
#ifndef LECTERN_AUDIT_H
#define LECTERN_AUDIT_H

#include <cjson/cJSON.h>

#include "err.h"

struct db;
struct req;

/*
 * Record action ("user.update") by actor (a user id, or NULL for the
 * system or an anonymous caller) on target_type/target_id (either may be
 * NULL), with details (may be NULL; not freed), the client address and
 * the request id of r.  Returns API_OK or a database error.
 */
enum api_err	audit_log(struct req *r, struct db *db, const char *actor,
		    const char *action, const char *target_type,
		    const char *target_id, const cJSON *details)
		    __attribute__((warn_unused_result));

/*
 * The body field of an admin's optional note on a decision, which the
 * audit record keeps: one to 2,000 characters, lines allowed.
 */
#define AUDIT_NOTE_FIELD						\
	{ .name = "note", .fn = valid_string, .flags = VF_MULTILINE,	\
	    .min = 1, .max = 2000 }

#endif /* LECTERN_AUDIT_H */

/*
 * lectern — POST /api/auth/firebase: sign in with a Firebase Auth ID token.
 *
 * {id_token} → 200 with the token pair login gives, or 201 with
 * "created": true when a student account was made.  The handler is
 * shared with the other provider (shared/signin.c, SPEC §7).
 */
#include "config.h"

#include "endpoint.h"
#include "signin.h"

static const struct endpoint endpoint = {
	.method = "POST",
	.route = "/api/auth/firebase",
	.who = WHO_ANYONE,
	.fields = signin_fields,
	.nfields = SIGNIN_F__MAX,
	.rate = RL_AUTH,
	.tx = TX_NONE,
	.run = signin_firebase,
};

ENDPOINT_MAIN(endpoint)

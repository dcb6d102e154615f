/*
 * lectern — signin: sign-in with a Google or Firebase ID token (SPEC §7).
 *
 * POST /api/auth/google and POST /api/auth/firebase are two declarations
 * of one endpoint: they share the body table and the handler here, and
 * differ only in the provider.  The token is checked first (the key set
 * may have to be fetched, so no transaction is open during the call);
 * then, in one transaction, the identity (provider, sub) is looked up in
 * user_identities.  A known identity signs its user in.  An unknown one
 * with a verified email is linked to the account of that email, or
 * creates a student (201, "created": true); both are audited
 * (identity_linked, account_created).  A disabled account is 403
 * account_disabled.  The answer is the token pair that login gives.
 * The provider's token is never stored or logged.
 */
#ifndef LECTERN_SIGNIN_H
#define LECTERN_SIGNIN_H

#include "endpoint.h"

/* The body both endpoints take: {id_token}. */
enum signin_field { SIGNIN_F_ID_TOKEN, SIGNIN_F__MAX };
extern const struct vfield	signin_fields[SIGNIN_F__MAX];

/* The handlers (struct endpoint .run) of the two endpoints. */
enum api_err	signin_google(struct call *c);
enum api_err	signin_firebase(struct call *c);

#endif /* LECTERN_SIGNIN_H */

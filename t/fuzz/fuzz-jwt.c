/*
 * lectern — t/fuzz/fuzz-jwt: the access-token parser.  Any bytes as a
 * token against a fixed key: base64url segments, the header and claims
 * JSON, the signature check.  Nothing may crash or leak, and nothing
 * but a token signed with the key may verify.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jwt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[] =
	    "fuzz-key-fuzz-key-fuzz-key-fuzz-key-0123";
	struct jwt_claims	 c;
	char			*tok;

	if ((tok = malloc(size + 1)) == NULL)
		return 0;
	memcpy(tok, data, size);
	tok[size] = '\0';
	if (jwt_verify(tok, "lectern", "access", key, sizeof(key) - 1,
	    (long long)time(NULL), &c) == API_OK)
		abort();	/* a forged token verified */
	free(tok);
	return 0;
}

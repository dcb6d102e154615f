/*
 * lectern — t/fuzz/fuzz-jwks: libFuzzer entry points for the key-set
 * parser and the ID-token checks, which take bytes from the network.
 * Built and run by t/fuzz/run with the other targets.  The first input
 * byte picks the target: even, jwks_parse; odd, idtoken_verify of the
 * rest against a fixed one-key set.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "idtoken.h"
#include "jwks.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A 2048-bit key, so that tokens reach the signature check. */
static const char	 fixed_set[] = "{\"keys\":[{\"kty\":\"RSA\","
    "\"kid\":\"k1\",\"e\":\"AQAB\",\"n\":\""
    "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H"
    "95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLA"
    "t6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-"
    "Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL"
    "1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw\"}]}";

static const struct idtoken_rules	 rules = {
	{ "accounts.google.com", "https://accounts.google.com" },
	"client-1,client-2", IDT_EMAIL_VERIFIED
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jwks	*set;
	struct jwks		*out = NULL;
	struct idtoken		 t;
	const char		*why;
	char			*tok;

	if (size == 0)
		return 0;
	if (set == NULL &&
	    jwks_parse(fixed_set, sizeof(fixed_set) - 1, &set) != API_OK)
		abort();
	if ((data[0] & 1) == 0) {
		if (jwks_parse((const char *)data + 1, size - 1, &out) ==
		    API_OK && out->nkeys == 0)
			abort();
		jwks_free(out);
		return 0;
	}
	if ((tok = malloc(size)) == NULL)
		return 0;
	memcpy(tok, data + 1, size - 1);
	tok[size - 1] = '\0';
	(void)idtoken_verify(tok, set, &rules, 1700000000LL, &t, &why);
	idtoken_free(&t);
	free(tok);
	return 0;
}

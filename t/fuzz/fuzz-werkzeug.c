/*
 * lectern — t/fuzz/fuzz-werkzeug: the parser of imported Werkzeug
 * password hashes (pbkdf2:sha256:N$salt$hex, scrypt:N:r:p$salt$hex),
 * ceilings included, without deriving keys.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)password_imported_ok(s);
	free(s);
	return 0;
}

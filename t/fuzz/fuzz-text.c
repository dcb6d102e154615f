/*
 * lectern — t/fuzz/fuzz-text: the string parsers that read query and
 * path values: valid_text, valid_id_str, valid_rfc3339 and
 * valid_paging, each on the same NUL-terminated input.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "valid.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, ts[VALID_TIMESTAMP_MAX + 1];
	const char	*half;
	cJSON		*errs = NULL;
	long long	 id, p, pp;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	(void)valid_text(s, 0);
	(void)valid_text(s, 1);
	(void)valid_utf8_len(s);
	(void)valid_id_str(s, &id);
	(void)valid_rfc3339(s, ts, sizeof(ts));
	half = s + strlen(s) / 2;
	if (valid_paging(s, half, &p, &pp, &errs) != API_OK)
		cJSON_Delete(errs);
	free(s);
	return 0;
}

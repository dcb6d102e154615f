/*
 * lectern — t/fuzz/fuzz-json: the JSON reader and the field validators.
 *
 * Any bytes go through json_parse (size cap, UTF-8, depth) and, when they
 * make an object, through valid_object with a table that has every kind
 * of validator; whatever is stored is freed.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "valid.h"

enum field { F_S, F_M, F_E, F_I, F_ID, F_B, F_T, F_P, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_S] = { .name = "s", .fn = valid_string, .flags = VF_REQUIRED,
	    .min = 1, .max = 20 },
	[F_M] = { .name = "m", .fn = valid_string,
	    .flags = VF_MULTILINE | VF_NULLABLE, .max = 200 },
	[F_E] = { .name = "e", .fn = valid_email },
	[F_I] = { .name = "i", .fn = valid_int, .min = -5, .max = 1000 },
	[F_ID] = { .name = "id", .fn = valid_id },
	[F_B] = { .name = "b", .fn = valid_bool },
	[F_T] = { .name = "t", .fn = valid_timestamp },
	[F_P] = { .name = "p", .fn = valid_string, .flags = VF_NOTRIM,
	    .max = 128 },
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vout	 out[F__MAX];
	cJSON		*obj = NULL, *errs = NULL;
	char		*s;

	if (json_parse((const char *)data, size, &obj) != API_OK)
		return 0;
	if (cJSON_IsObject(obj) &&
	    valid_object(obj, fields, F__MAX, out, &errs) == API_OK)
		valid_out_free(out, fields, F__MAX);
	cJSON_Delete(errs);
	if ((s = json_emit(obj)) != NULL)
		cJSON_free(s);
	cJSON_Delete(obj);
	return 0;
}

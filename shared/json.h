/*
 * lectern — json: the cJSON wrapper.
 *
 * Parsing is capped in size and nesting depth before cJSON sees the
 * text, so hostile input is a 400 and never a crash.  Getters return
 * borrowed pointers into the parsed tree.
 */
#ifndef LECTERN_JSON_H
#define LECTERN_JSON_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

#define JSON_MAX_DEPTH	32

/*
 * Parse len bytes of buf into *out.  Returns API_INVALID_JSON when the
 * text is not well-formed JSON, is not UTF-8, holds a NUL byte, nests
 * deeper than JSON_MAX_DEPTH or has anything after the value;
 * API_INVALID when a string holds an escaped NUL (\u0000), which no
 * field accepts; API_ENOMEM.  On success the caller frees *out with
 * cJSON_Delete.
 */
enum api_err	 json_parse(const char *buf, size_t len, cJSON **out)
		    __attribute__((warn_unused_result));

/* Whether len bytes at s are well-formed UTF-8 (no overlongs, no
 * surrogates). */
int		 json_utf8_valid(const char *s, size_t len);

/* Borrowed string member key of obj, or NULL if absent or not a string. */
const char	*json_get_string(const cJSON *obj, const char *key);

/*
 * Store the integer value of item in *v.  Returns 1, or 0 when it is not
 * a number, not integral or outside +-2^53.
 */
int		 json_int(const cJSON *item, long long *v);

/*
 * Store the integer member key of obj in *v.  Returns 1, or 0 when it is
 * absent, not a number, not integral or outside +-2^53.
 */
int		 json_get_int(const cJSON *obj, const char *key, long long *v);

/*
 * The unformatted text of item; the caller frees it with cJSON_free.
 * NULL when out of memory.
 */
char		*json_emit(const cJSON *item);

#endif /* LECTERN_JSON_H */

/*
 * lectern — json: the cJSON wrapper.
 *
 * A single pass over the raw text checks what cJSON does not: UTF-8,
 * NUL bytes, escaped NULs and nesting depth.  cJSON's own nesting limit
 * is a compile-time constant of a thousand levels, deep enough to exhaust
 * a small stack in a recursive printer, so ours is applied first.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "log.h"

int
json_utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	uint32_t		 cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (i + n >= len)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * Scan the raw text: depth outside strings, escaped NULs inside them,
 * control characters anywhere (cJSON takes them as white space between
 * tokens and as text inside strings; JSON allows neither).  Returns
 * API_OK, API_INVALID_JSON (too deep, a control character) or
 * API_INVALID (\u0000).
 */
static enum api_err
scan(const char *buf, size_t len)
{
	size_t	 i, depth = 0;
	int	 instr = 0;

	for (i = 0; i < len; i++) {
		if ((unsigned char)buf[i] < 0x20 && (instr ||
		    (buf[i] != '\t' && buf[i] != '\n' && buf[i] != '\r')))
			return API_INVALID_JSON;
		if (instr) {
			if (buf[i] == '\\') {
				if (i + 5 < len && buf[i + 1] == 'u' &&
				    strncmp(buf + i + 2, "0000", 4) == 0)
					return API_INVALID;
				i++;
			} else if (buf[i] == '"')
				instr = 0;
			continue;
		}
		switch (buf[i]) {
		case '"':
			instr = 1;
			break;
		case '[':
		case '{':
			if (++depth > JSON_MAX_DEPTH)
				return API_INVALID_JSON;
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		default:
			break;
		}
	}
	return API_OK;
}

enum api_err
json_parse(const char *buf, size_t len, cJSON **out)
{
	cJSON		*root;
	const char	*end = NULL;
	enum api_err	 er;

	*out = NULL;
	if (len == 0 || memchr(buf, '\0', len) != NULL ||
	    !json_utf8_valid(buf, len))
		return API_INVALID_JSON;
	if ((er = scan(buf, len)) != API_OK)
		return er;
	root = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
	if (root == NULL)
		return API_INVALID_JSON;
	/* cJSON stops after the value; only white space may follow. */
	while (end != NULL && end < buf + len &&
	    (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (end == NULL || end != buf + len) {
		cJSON_Delete(root);
		return API_INVALID_JSON;
	}
	*out = root;
	return API_OK;
}

const char *
json_get_string(const cJSON *obj, const char *key)
{
	const cJSON	*it;

	it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

int
json_get_int(const cJSON *obj, const char *key, long long *v)
{

	return json_int(cJSON_GetObjectItemCaseSensitive(obj, key), v);
}

int
json_int(const cJSON *it, long long *v)
{
	double	 d;

	if (!cJSON_IsNumber(it))
		return 0;
	d = it->valuedouble;
	if (!isfinite(d) || d != floor(d) || d > 9007199254740992.0 ||
	    d < -9007199254740992.0)
		return 0;
	*v = (long long)d;
	return 1;
}

char *
json_emit(const cJSON *item)
{
	char	*s;

	if ((s = cJSON_PrintUnformatted(item)) == NULL)
		log_warnx("json_emit: out of memory");
	return s;
}

/*
 * lectern — valid: input validation by field tables.
 *
 * Messages are fixed strings: input is never echoed back in an error,
 * so a client cannot make the API reflect its own text.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "json.h"
#include "log.h"
#include "valid.h"

#define STRING_MAX_DEFAULT	255
#define EMAIL_MAX		254

size_t
valid_utf8_len(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/*
 * Decode the UTF-8 code point at *p (known to be well-formed) and step
 * past it.
 */
static unsigned long
next_cp(const unsigned char **p)
{
	const unsigned char	*s = *p;
	unsigned long		 c;
	int			 n, i;

	if (s[0] < 0x80) {
		*p = s + 1;
		return s[0];
	}
	if ((s[0] & 0xe0) == 0xc0) {
		c = s[0] & 0x1f;
		n = 1;
	} else if ((s[0] & 0xf0) == 0xe0) {
		c = s[0] & 0x0f;
		n = 2;
	} else {
		c = s[0] & 0x07;
		n = 3;
	}
	for (i = 1; i <= n && s[i] != '\0'; i++)
		c = (c << 6) | (s[i] & 0x3f);
	*p = s + i;
	return c;
}

/*
 * Whether code point c is text no one types: C0 and C1 controls and DEL,
 * the bidirectional overrides and isolates (which make text display in
 * another order than it reads), the line and paragraph separators, and
 * Unicode's noncharacters.
 */
static int
not_text(unsigned long c)
{

	if (c < 0x20 || (c >= 0x7f && c <= 0x9f))
		return 1;
	if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x2028 || c == 0x2029)
		return 1;
	if ((c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe)
		return 1;
	return 0;
}

/*
 * Whether code point c is white space or invisible: Unicode's
 * White_Space, the zero-width space and joiners, the word joiner and
 * the byte order mark.  Trimmed from both ends of a string.
 */
static int
blank_cp(unsigned long c)
{

	return c == ' ' || (c >= 0x09 && c <= 0x0d) || c == 0x85 ||
	    c == 0xa0 || c == 0x1680 || c == 0x180e ||
	    (c >= 0x2000 && c <= 0x200d) || c == 0x2028 || c == 0x2029 ||
	    c == 0x202f || c == 0x205f || c == 0x2060 || c == 0x3000 ||
	    c == 0xfeff;
}

int
valid_text(const char *s, int multiline)
{
	const unsigned char	*p;
	unsigned long		 c;

	if (!json_utf8_valid(s, strlen(s)))
		return 0;
	for (p = (const unsigned char *)s; *p != '\0';) {
		c = next_cp(&p);
		if (multiline && (c == '\n' || c == '\t'))
			continue;
		if (not_text(c))
			return 0;
	}
	return 1;
}

/*
 * The span of s without leading and trailing white space and invisible
 * characters (blank_cp): *start and *end.  Ill-formed UTF-8 is left to
 * valid_text: the trim stops at the first byte it cannot read.
 */
static void
trim_span(const char *s, const char **start, const char **end)
{
	const unsigned char	*p, *q, *last;

	p = (const unsigned char *)s;
	if (!json_utf8_valid(s, strlen(s))) {
		*start = s;
		*end = s + strlen(s);
		return;
	}
	while (*p != '\0') {
		q = p;
		if (!blank_cp(next_cp(&q)))
			break;
		p = q;
	}
	*start = (const char *)p;
	for (last = p; *p != '\0';)
		if (!blank_cp(next_cp(&p)))
			last = p;
	*end = (const char *)last;
}

/*
 * A copy of s without leading and trailing white space and invisible
 * characters; NULL when out of memory.
 */
static char *
trimmed(const char *s)
{
	const char	*b, *e;
	char		*r;

	trim_span(s, &b, &e);
	if ((r = strndup(b, (size_t)(e - b))) == NULL)
		log_warnx("valid: out of memory");
	return r;
}

int
valid_string(const cJSON *it, const struct vfield *f, union vval *v,
    const char **why)
{
	char		*s;
	size_t		 len;
	long long	 max;

	if (!cJSON_IsString(it) || it->valuestring == NULL) {
		*why = "must be a string";
		return 0;
	}
	s = (f->flags & VF_NOTRIM) ? strdup(it->valuestring) :
	    trimmed(it->valuestring);
	if (s == NULL) {
		*why = "could not be stored";
		return 0;
	}
	if (!valid_text(s, (f->flags & VF_MULTILINE) != 0)) {
		*why = "must not contain control characters";
		goto bad;
	}
	len = valid_utf8_len(s);
	max = f->max > 0 ? f->max : STRING_MAX_DEFAULT;
	if ((long long)len > max) {
		*why = "is too long";
		goto bad;
	}
	if ((long long)len < f->min) {
		*why = "is too short";
		goto bad;
	}
	v->s = s;
	return 1;
bad:
	explicit_bzero(s, strlen(s));
	free(s);
	return 0;
}

/*
 * Whether c may appear in the local part of an address: the RFC 5322
 * atext characters and the dot.
 */
static int
local_char(int c)
{

	return isalnum(c) || strchr("!#$%&'*+/=?^_`{|}~.-", c) != NULL;
}

int
valid_email(const cJSON *it, const struct vfield *f, union vval *v,
    const char **why)
{
	char		*s, *at, *p, *label;
	size_t		 len;

	(void)f;
	*why = "must be a valid email address";
	if (!cJSON_IsString(it) || it->valuestring == NULL)
		return 0;
	if ((s = trimmed(it->valuestring)) == NULL)
		return 0;
	len = strlen(s);
	if (len < 3 || len > EMAIL_MAX)
		goto bad;
	at = strchr(s, '@');
	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    at - s > 64)
		goto bad;
	for (p = s; p < at; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (((unsigned char)*p & 0x80) || !local_char(*p))
			goto bad;
	}
	if (s[0] == '.' || at[-1] == '.' || strstr(s, "..") != NULL)
		goto bad;
	/* Domain: dot-separated labels of letters, digits and hyphens. */
	label = at + 1;
	if (strchr(label, '.') == NULL)
		goto bad;
	for (p = label; ; p++) {
		*p = (char)tolower((unsigned char)*p);
		if (*p == '.' || *p == '\0') {
			if (p == label || label[0] == '-' || p[-1] == '-' ||
			    p - label > 63)
				goto bad;
			if (*p == '\0')
				break;
			label = p + 1;
			continue;
		}
		if (!isalnum((unsigned char)*p) && *p != '-')
			goto bad;
		if ((unsigned char)*p & 0x80)
			goto bad;
	}
	v->s = s;
	return 1;
bad:
	free(s);
	return 0;
}

int
valid_int(const cJSON *it, const struct vfield *f, union vval *v,
    const char **why)
{
	long long	 n;

	if (!json_int(it, &n)) {
		*why = "must be an integer";
		return 0;
	}
	if (n < f->min || n > f->max) {
		*why = "is out of range";
		return 0;
	}
	v->i = n;
	return 1;
}

int
valid_id(const cJSON *it, const struct vfield *f, union vval *v,
    const char **why)
{
	struct vfield	 g = *f;

	g.min = 1;
	g.max = VALID_ID_MAX;
	if (!valid_int(it, &g, v, why)) {
		*why = "must be a positive integer id";
		return 0;
	}
	return 1;
}

int
valid_bool(const cJSON *it, const struct vfield *f, union vval *v,
    const char **why)
{

	(void)f;
	if (!cJSON_IsBool(it)) {
		*why = "must be true or false";
		return 0;
	}
	v->b = cJSON_IsTrue(it) ? 1 : 0;
	return 1;
}

/* Whether the n bytes at s are ASCII digits. */
static int
digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* The value of the n digits at s (checked by digits). */
static int
num(const char *s, size_t n)
{
	int	 v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return v;
}

int
valid_rfc3339(const char *s, char *out, size_t size)
{
	static const int mdays[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	const char	*p;
	size_t		 len, i, nfrac = 0;
	long		 sod, off = 0;
	int		 y, m, d;

	if (s == NULL || (len = strlen(s)) < 20 || len > VALID_TIMESTAMP_MAX)
		return 0;
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
	    s[7] != '-' || !digits(s + 8, 2) ||
	    (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) ||
	    s[13] != ':' || !digits(s + 14, 2) || s[16] != ':' ||
	    !digits(s + 17, 2))
		return 0;
	y = num(s, 4);
	m = num(s + 5, 2);
	d = num(s + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] ||
	    (m == 2 && d == 29 && !(y % 4 == 0 &&
	    (y % 100 != 0 || y % 400 == 0))) ||
	    num(s + 11, 2) > 23 || num(s + 14, 2) > 59 || num(s + 17, 2) > 60)
		return 0;
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++)
			nfrac++;
		if (nfrac < 1 || nfrac > 9)
			return 0;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0')
		off = 0;
	else if ((*p == '+' || *p == '-') && digits(p + 1, 2) &&
	    p[3] == ':' && digits(p + 4, 2) && p[6] == '\0' &&
	    num(p + 1, 2) <= 15 && num(p + 4, 2) <= 59)
		off = (*p == '-' ? -60L : 60L) *
		    (num(p + 1, 2) * 60L + num(p + 4, 2));
	else
		return 0;

	/* The first and the last day: the instant in UTC stays in range. */
	sod = num(s + 11, 2) * 3600L + num(s + 14, 2) * 60L + num(s + 17, 2);
	if (y == 1 && m == 1 && d == 1 && sod - off < 0)
		return 0;
	if (y == 9999 && m == 12 && d == 31 && sod - off >= 86400L)
		return 0;

	if (out != NULL) {
		if (size <= len)
			return 0;
		for (i = 0; i <= len; i++)
			out[i] = s[i] == 't' ? 'T' : s[i] == 'z' ? 'Z' : s[i];
	}
	return 1;
}

int
valid_timestamp(const cJSON *it, const struct vfield *f, union vval *v,
    const char **why)
{
	char		*s;
	char		 buf[VALID_TIMESTAMP_MAX + 1];

	(void)f;
	*why = "must be an RFC 3339 timestamp such as 2026-11-23T10:00:00Z";
	if (!cJSON_IsString(it) || it->valuestring == NULL)
		return 0;
	if ((s = trimmed(it->valuestring)) == NULL) {
		*why = "could not be stored";
		return 0;
	}
	if (!valid_rfc3339(s, buf, sizeof(buf))) {
		free(s);
		return 0;
	}
	memcpy(s, buf, strlen(buf) + 1);
	v->s = s;
	return 1;
}

/*
 * Record "why" for field name in *errs, creating the object.  Returns 0,
 * or -1 when out of memory.
 */
static int
fail(cJSON **errs, const char *name, const char *why)
{

	if (*errs == NULL && (*errs = cJSON_CreateObject()) == NULL)
		return -1;
	if (cJSON_GetObjectItemCaseSensitive(*errs, name) != NULL)
		return 0;
	return cJSON_AddStringToObject(*errs, name, why) == NULL ? -1 : 0;
}

/*
 * Whether item is a string that is empty once trimmed: only white space
 * and invisible characters count as missing.
 */
static int
blank(const cJSON *it, unsigned int flags)
{
	const char	*b, *e;

	if (!cJSON_IsString(it) || it->valuestring == NULL)
		return 0;
	if (flags & VF_NOTRIM)
		return it->valuestring[0] == '\0';
	trim_span(it->valuestring, &b, &e);
	return b == e;
}

enum api_err
valid_object(const cJSON *obj, const struct vfield *f, size_t n,
    struct vout *out, cJSON **errs)
{
	const cJSON	*it, *other;
	const char	*why;
	size_t		 i;
	int		 known;

	*errs = NULL;
	memset(out, 0, n * sizeof(*out));
	if (!cJSON_IsObject(obj))
		return API_INVALID_JSON;

	/* Unknown and duplicate members. */
	cJSON_ArrayForEach(it, obj) {
		known = 0;
		for (i = 0; i < n; i++)
			if (it->string != NULL &&
			    strcmp(it->string, f[i].name) == 0)
				known = 1;
		if (it->string == NULL || !valid_text(it->string, 0) ||
		    strlen(it->string) > 64) {
			if (fail(errs, "body", "has an unreadable member name"))
				goto enomem;
			continue;
		}
		if (!known) {
			if (fail(errs, it->string, "is not a known field"))
				goto enomem;
			continue;
		}
		for (other = obj->child; other != it; other = other->next)
			if (strcmp(other->string, it->string) == 0 &&
			    fail(errs, it->string, "is given more than once"))
				goto enomem;
	}

	for (i = 0; i < n; i++) {
		it = cJSON_GetObjectItemCaseSensitive(obj, f[i].name);
		if (it == NULL || blank(it, f[i].flags)) {
			if ((f[i].flags & VF_REQUIRED) &&
			    fail(errs, f[i].name, "is required"))
				goto enomem;
			continue;
		}
		if (cJSON_IsNull(it)) {
			if (f[i].flags & VF_NULLABLE)
				out[i].is_null = 1;
			else if (fail(errs, f[i].name,
			    (f[i].flags & VF_REQUIRED) ? "is required" :
			    "must not be null"))
				goto enomem;
			continue;
		}
		why = "is not valid";
		if (!f[i].fn(it, &f[i], &out[i].v, &why)) {
			if (fail(errs, f[i].name, why))
				goto enomem;
			continue;
		}
		out[i].present = 1;
	}
	if (*errs != NULL) {
		valid_out_free(out, f, n);
		return API_INVALID;
	}
	return API_OK;
enomem:
	log_warnx("valid_object: out of memory");
	valid_out_free(out, f, n);
	cJSON_Delete(*errs);
	*errs = NULL;
	return API_ENOMEM;
}

void
valid_out_free(struct vout *out, const struct vfield *f, size_t n)
{
	size_t	 i;

	if (out == NULL)
		return;
	for (i = 0; i < n; i++) {
		if (!out[i].present)
			continue;
		if ((f[i].fn == valid_string || f[i].fn == valid_email ||
		    f[i].fn == valid_timestamp || (f[i].flags & VF_STRING)) &&
		    out[i].v.s != NULL) {
			if (f[i].flags & VF_NOTRIM)
				explicit_bzero(out[i].v.s, strlen(out[i].v.s));
			free(out[i].v.s);
		}
		out[i].v.s = NULL;
		out[i].present = 0;
	}
}

int
valid_visible(const char *s, size_t max)
{
	size_t	 i, len;

	if (s == NULL || (len = strlen(s)) == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if (s[i] < 0x21 || s[i] > 0x7e)
			return 0;
	return 1;
}

int
valid_one_of(const char *s, const char *const *list)
{

	for (; *list != NULL; list++)
		if (strcmp(s, *list) == 0)
			return 1;
	return 0;
}

int
valid_id_str(const char *s, long long *id)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s < '1' || *s > '9' || strlen(s) > 16)
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 1 || v > VALID_ID_MAX)
		return 0;
	*id = v;
	return 1;
}

enum api_err
valid_paging(const char *page, const char *per_page, long long *p,
    long long *pp, cJSON **errs)
{

	*errs = NULL;
	*p = 1;
	*pp = 20;
	if (page != NULL && (!valid_id_str(page, p) || *p > 1000000) &&
	    fail(errs, "page", "must be a whole number from 1"))
		goto enomem;
	if (per_page != NULL && (!valid_id_str(per_page, pp) ||
	    *pp > VALID_PER_PAGE_MAX) &&
	    fail(errs, "per_page", "must be a whole number from 1 to 100"))
		goto enomem;
	return *errs == NULL ? API_OK : API_INVALID;
enomem:
	cJSON_Delete(*errs);
	*errs = NULL;
	return API_ENOMEM;
}

/*
 * lectern — t/unit/003-valid: input validation by field tables.
 *
 * A sample endpoint table runs through valid_object: unknown, duplicate,
 * missing, blank, null and mistyped members, trimming, lengths counted
 * in code points, control characters, VF_NOTRIM and VF_NULLABLE.  Then
 * each validator at its boundaries (valid_email, valid_int, valid_id,
 * valid_bool, valid_timestamp), the query-string parsers valid_id_str
 * and valid_paging, the RFC 3339 parser valid_rfc3339 and the text
 * helpers, and VF_STRING for a validator of one's own.  Everything
 * allocated is freed, so the file runs clean under AddressSanitizer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "valid.h"

#include "../tap.h"

enum field {
	FIELD_TITLE,
	FIELD_BODY,
	FIELD_EMAIL,
	FIELD_COUNT,
	FIELD_ID,
	FIELD_PUBLIC,
	FIELD_PASSWORD,
	FIELD_NOTE,
	FIELD__MAX
};

static const struct vfield fields[FIELD__MAX] = {
	{ "title", valid_string, VF_REQUIRED, 0, 0 },	 /* FIELD_TITLE */
	{ "body", valid_string, VF_MULTILINE, 0, 2000 }, /* FIELD_BODY */
	{ "email", valid_email, 0, 0, 0 },		 /* FIELD_EMAIL */
	{ "count", valid_int, 0, 1, 10 },		 /* FIELD_COUNT */
	{ "id", valid_id, 0, 0, 0 },			 /* FIELD_ID */
	{ "public", valid_bool, 0, 0, 0 },		 /* FIELD_PUBLIC */
	{ "password", valid_string, VF_NOTRIM, 8, 72 },	 /* FIELD_PASSWORD */
	{ "note", valid_string, VF_NULLABLE, 0, 0 },	 /* FIELD_NOTE */
};

/*
 * Parse text (which must be JSON) and check it against the sample table
 * into out.  The parsed tree is freed before returning: what valid_object
 * stores must not borrow from it.
 */
static enum api_err
check(const char *text, struct vout *out, cJSON **errs)
{
	cJSON		*obj;
	enum api_err	 er;

	if (json_parse(text, strlen(text), &obj) != API_OK)
		bail("test JSON does not parse: %s", text);
	er = valid_object(obj, fields, FIELD__MAX, out, errs);
	cJSON_Delete(obj);
	return er;
}

/* The message for name in errs, or NULL. */
static const char *
why(const cJSON *errs, const char *name)
{

	return json_get_string(errs, name);
}

/*
 * Check text, expect API_INVALID with exactly one error, for name, and
 * return a copy of its message in a static buffer (NULL when the outcome
 * was anything else).
 */
static const char *
one_error(const char *text, const char *name)
{
	static char	 buf[128];
	struct vout	 out[FIELD__MAX];
	cJSON		*errs;
	const char	*msg = NULL;
	enum api_err	 er;
	int		 i, leaked = 0;

	er = check(text, out, &errs);
	if (er != API_INVALID)
		diag("%s: wanted API_INVALID, got %d", text, (int)er);
	else if (cJSON_GetArraySize(errs) != 1)
		diag("%s: %d errors", text, cJSON_GetArraySize(errs));
	else if (why(errs, name) != NULL) {
		snprintf(buf, sizeof(buf), "%s", why(errs, name));
		msg = buf;
	}
	for (i = 0; i < FIELD__MAX; i++)
		if (out[i].present || out[i].v.s != NULL)
			leaked++;
	if (leaked)
		diag("%s: out[] not cleared after an error", text);
	if (er == API_OK)
		valid_out_free(out, fields, FIELD__MAX);
	cJSON_Delete(errs);
	return leaked ? "(out[] not cleared)" : msg;
}

/*
 * The JSON text of an object whose member name has the JSON text value,
 * plus the required title when name is not "title".  The caller frees
 * the result.
 */
static char *
with_field(const char *name, const char *value)
{
	char	*text;
	size_t	 len;

	len = strlen(name) + strlen(value) + 32;
	if ((text = malloc(len)) == NULL)
		bail("out of memory");
	if (strcmp(name, "title") == 0)
		snprintf(text, len, "{\"title\":%s}", value);
	else
		snprintf(text, len, "{\"title\":\"t\",\"%s\":%s}", name,
		    value);
	return text;
}

/*
 * Check with_field(name, value), expecting success; the string the
 * field stored is copied into buf (or buf is emptied).  Returns the
 * api_err.
 */
static enum api_err
accepted(const char *name, const char *value, char *buf, size_t size)
{
	struct vout	 out[FIELD__MAX];
	cJSON		*errs;
	enum api_err	 er;
	char		*text;
	size_t		 i;

	text = with_field(name, value);
	er = check(text, out, &errs);
	free(text);
	buf[0] = '\0';
	if (er == API_OK) {
		for (i = 0; i < FIELD__MAX; i++)
			if (strcmp(fields[i].name, name) == 0 &&
			    out[i].present && (fields[i].fn == valid_string ||
			    fields[i].fn == valid_email))
				snprintf(buf, size, "%s", out[i].v.s);
		valid_out_free(out, fields, FIELD__MAX);
	} else if (errs != NULL)
		diag("%s rejected: %s", name, why(errs, name) ?
		    why(errs, name) : "(another field)");
	cJSON_Delete(errs);
	return er;
}

/*
 * The JSON text of a string: pad, n copies of unit, pad, in quotes.  The
 * caller frees the result.
 */
static char *
repeat(const char *unit, size_t n, const char *pad)
{
	char	*s, *p;
	size_t	 ulen = strlen(unit), plen = strlen(pad), i;

	if ((s = malloc(ulen * n + 2 * plen + 3)) == NULL)
		bail("out of memory");
	p = s;
	*p++ = '"';
	memcpy(p, pad, plen);
	p += plen;
	for (i = 0; i < n; i++, p += ulen)
		memcpy(p, unit, ulen);
	memcpy(p, pad, plen);
	p += plen;
	*p++ = '"';
	*p = '\0';
	return s;
}

/* A full, valid object: every member stored and converted. */
/* valid_out_free on no output at all. */
static void
free_null(void *arg)
{

	(void)arg;
	valid_out_free(NULL, fields, FIELD__MAX);
}

static void
test_object_ok(void)
{
	struct vout	 out[FIELD__MAX];
	cJSON		*errs = (cJSON *)1;
	enum api_err	 er;
	int		 i;

	er = check("{\"title\":\"  Hello  \","
	    "\"body\":\"line one\\n\\tline two\","
	    "\"email\":\" Alice@Example.COM \",\"count\":5,\"id\":7,"
	    "\"public\":true,\"password\":\"  pass word  \",\"note\":null}",
	    out, &errs);
	is_int(API_OK, er, "valid_object accepts a full, valid object");
	ok(errs == NULL, "...and leaves *errs NULL");
	if (er != API_OK)
		bail("cannot go on without a valid object");
	ok(out[FIELD_TITLE].present, "...and marks title present");
	is_string("Hello", out[FIELD_TITLE].v.s, "...and trims it");
	is_string("line one\n\tline two", out[FIELD_BODY].v.s,
	    "...and keeps \\n and \\t in a VF_MULTILINE field");
	is_string("alice@example.com", out[FIELD_EMAIL].v.s,
	    "...and trims and lower-cases the email address");
	is_int(5, out[FIELD_COUNT].v.i, "...and stores the integer");
	is_int(7, out[FIELD_ID].v.i, "...and the id");
	ok(out[FIELD_PUBLIC].present && out[FIELD_PUBLIC].v.b == 1,
	    "...and the boolean");
	is_string("  pass word  ", out[FIELD_PASSWORD].v.s,
	    "...and keeps the spaces of a VF_NOTRIM field");
	ok(out[FIELD_NOTE].is_null && !out[FIELD_NOTE].present,
	    "...and marks a null VF_NULLABLE field is_null, not present");
	ok(!out[FIELD_TITLE].is_null, "...and leaves is_null 0 elsewhere");

	valid_out_free(out, fields, FIELD__MAX);
	for (i = 0; i < FIELD__MAX; i++)
		if (out[i].present || (i != FIELD_COUNT && i != FIELD_ID &&
		    i != FIELD_PUBLIC && out[i].v.s != NULL))
			break;
	is_int(FIELD__MAX, i,
	    "valid_out_free frees the strings and clears present");
	valid_out_free(out, fields, FIELD__MAX);
	for (i = 0; i < FIELD__MAX; i++)
		if (out[i].present || (i != FIELD_COUNT &&
		    i != FIELD_ID && i != FIELD_PUBLIC && out[i].v.s != NULL))
			break;
	is_int(FIELD__MAX, i,
	    "...and a second valid_out_free leaves it cleared, freeing nothing");
	survives(free_null, NULL, "...and valid_out_free(NULL) returns");

	er = check("{\"title\":\"x\"}", out, &errs);
	is_int(API_OK, er, "valid_object accepts only the required field");
	for (i = 0; i < FIELD__MAX; i++)
		if (i != FIELD_TITLE && (out[i].present || out[i].is_null))
			break;
	is_int(FIELD__MAX, i, "...and marks nothing else present or null");
	valid_out_free(out, fields, FIELD__MAX);
	cJSON_Delete(errs);

	er = valid_object(NULL, fields, 0, out, &errs);
	is_int(API_INVALID_JSON, er, "valid_object rejects a NULL object");
}

/* Shapes of the object: unknown, duplicate, missing, null, not object. */
static void
test_object_errors(void)
{
	struct vout	 out[FIELD__MAX];
	cJSON		*errs, *arr;
	enum api_err	 er;
	char		*s, name[80];

	is_string("is not a known field",
	    one_error("{\"title\":\"x\",\"bogus\":1}", "bogus"),
	    "an unknown member is rejected as fields.bogus");
	is_string("is not a known field",
	    one_error("{\"title\":\"x\",\"Title\":\"y\"}", "Title"),
	    "...and names match by case");
	is_string("is given more than once",
	    one_error("{\"title\":\"a\",\"title\":\"b\"}", "title"),
	    "a duplicate member is rejected");
	is_string("is given more than once",
	    one_error("{\"title\":\"a\",\"count\":1,\"count\":1}", "count"),
	    "...even with the same value twice");
	is_string("is required", one_error("{}", "title"),
	    "a missing required member is \"is required\"");
	is_string("is required", one_error("{\"title\":\"\"}", "title"),
	    "...and so is an empty string");
	is_string("is required",
	    one_error("{\"title\":\" \\t\\n\\r \"}", "title"),
	    "...and a string of white space");
	is_string("is required", one_error("{\"title\":null}", "title"),
	    "...and null");
	is_string("must not be null",
	    one_error("{\"title\":\"x\",\"count\":null}", "count"),
	    "null for an optional field without VF_NULLABLE is refused");
	is_string("must be a string", one_error("{\"title\":5}", "title"),
	    "a number for a string field is refused");
	is_string("must be a string", one_error("{\"title\":[\"x\"]}",
	    "title"), "...and an array");
	is_string("has an unreadable member name",
	    one_error("{\"title\":\"x\",\"a\\u0001\":1}", "body"),
	    "a member name with a control character is refused as body");
	memset(name, 'k', 65);
	name[65] = '\0';
	if ((s = malloc(128)) == NULL)
		bail("out of memory");
	snprintf(s, 128, "{\"title\":\"x\",\"%s\":1}", name);
	is_string("has an unreadable member name", one_error(s, "body"),
	    "...and so is a 65-byte member name");
	free(s);

	er = check("{\"bogus\":1,\"count\":0,\"public\":\"yes\"}", out, &errs);
	is_int(API_INVALID, er, "valid_object reports several errors");
	is_int(4, cJSON_GetArraySize(errs), "...all of them at once");
	is_string("is required", why(errs, "title"), "...title");
	is_string("is out of range", why(errs, "count"), "...count");
	is_string("must be true or false", why(errs, "public"), "...public");
	is_string("is not a known field", why(errs, "bogus"), "...bogus");
	cJSON_Delete(errs);

	er = check("[1]", out, &errs);
	is_int(API_INVALID_JSON, er, "valid_object rejects an array");
	ok(errs == NULL, "...and leaves *errs NULL");
	if ((arr = cJSON_CreateString("x")) == NULL)
		bail("out of memory");
	is_int(API_INVALID_JSON, valid_object(arr, fields, FIELD__MAX, out,
	    &errs), "...and a string");
	cJSON_Delete(arr);
}

/* Strings: trimming, lengths in code points, control characters. */
static void
test_strings(void)
{
	char		 buf[2048];
	char		*s;

	is_int(API_OK, accepted("title", "\"\\n\\t  x y  \\r\\n\"", buf,
	    sizeof(buf)), "white space around a string is accepted");
	is_string("x y", buf, "...and trimmed, inner space kept");
	is_int(API_OK, accepted("title", "\"x\\n\"", buf, sizeof(buf)),
	    "a trailing newline is trimmed, not refused");

	s = repeat("a", 255, "");
	is_int(API_OK, accepted("title", s, buf, sizeof(buf)),
	    "255 ASCII characters are accepted");
	free(s);
	s = repeat("\xc3\xa9", 255, "");
	is_int(API_OK, accepted("title", s, buf, sizeof(buf)),
	    "255 two-byte characters (510 bytes) are accepted");
	is_int(510, (long long)strlen(buf), "...and stored whole");
	free(s);
	s = repeat("\xf0\x9f\x98\x80", 255, "");
	is_int(API_OK, accepted("title", s, buf, sizeof(buf)),
	    "255 four-byte characters (1020 bytes) are accepted");
	free(s);
	s = repeat("\xc3\xa9", 255, "   ");
	is_int(API_OK, accepted("title", s, buf, sizeof(buf)),
	    "255 characters with spaces around are measured after trimming");
	free(s);
	s = repeat("b", 2000, "");
	is_int(API_OK, accepted("body", s, buf, sizeof(buf)),
	    "a field's own max (2000) replaces the default");
	free(s);

	is_int(API_OK, accepted("password", "\"12345678\"", buf, sizeof(buf)),
	    "a string at its min length (8) is accepted");
	is_int(API_OK, accepted("password", "\"        \"", buf, sizeof(buf)),
	    "...and VF_NOTRIM keeps eight spaces as eight characters");
	is_string("        ", buf, "...untrimmed");
	is_int(API_OK, accepted("password", "\" \\u00e9\\u00e9\\u00e9\\u00e9"
	    "\\u00e9\\u00e9 \"", buf, sizeof(buf)),
	    "...and counts code points, not bytes, for the minimum");

	is_int(API_OK, accepted("note", "\"n\"", buf, sizeof(buf)),
	    "a VF_NULLABLE field takes a string too");
	is_int(API_OK, accepted("note", "\"  \"", buf, sizeof(buf)),
	    "...and a blank optional field is simply absent");
	is_string("", buf, "...and stores nothing");
	is_int(API_OK, accepted("body", "\"a\\tb\\nc\"", buf, sizeof(buf)),
	    "VF_MULTILINE accepts \\t and \\n inside");
}

/*
 * Check with_field(name, value), which must fail for name alone with
 * message want; one test, described by what.
 */
static void
refused(const char *name, const char *value, const char *want,
    const char *what)
{
	char	*text;

	text = with_field(name, value);
	is_string(want, one_error(text, name), "%s", what);
	free(text);
}

/* The refusals of valid_string through valid_object. */
static void
test_strings_refused(void)
{
	struct vout	 out[FIELD__MAX];
	cJSON		*obj, *errs;
	char		*s;

	s = repeat("a", 256, "");
	refused("title", s, "is too long", "256 ASCII characters are too long");
	free(s);
	s = repeat("\xc3\xa9", 256, "");
	refused("title", s, "is too long",
	    "...and so are 256 two-byte characters");
	free(s);
	s = repeat("\xf0\x9f\x98\x80", 256, "");
	refused("title", s, "is too long",
	    "...and 256 four-byte characters");
	free(s);
	s = repeat("b", 2001, "");
	refused("body", s, "is too long", "...and 2001 for a max of 2000");
	free(s);
	refused("password", "\"1234567\"", "is too short",
	    "a string under its min (8) is too short");
	refused("password", "\" 12345 \"", "is too short",
	    "...untrimmed, seven characters with spaces");

	refused("title", "\"a\\nb\"", "must not contain control characters",
	    "\\n inside a single-line string is refused");
	refused("title", "\"a\\tb\"", "must not contain control characters",
	    "...and \\t");
	refused("title", "\"a\\u0001b\"",
	    "must not contain control characters", "...and \\u0001");
	refused("title", "\"a\\u001fb\"",
	    "must not contain control characters", "...and \\u001f");
	refused("title", "\"a\\u007fb\"",
	    "must not contain control characters", "...and DEL");
	refused("body", "\"a\\rb\"", "must not contain control characters",
	    "VF_MULTILINE still refuses \\r");
	refused("body", "\"a\\u0001b\"",
	    "must not contain control characters", "...and \\u0001");
	refused("body", "\"a\\u000bb\"",
	    "must not contain control characters", "...and \\v");
	refused("password", "\"abcdefgh\\n\"",
	    "must not contain control characters",
	    "VF_NOTRIM keeps, and so refuses, a trailing newline");

	/* Bytes that json_parse would never let through. */
	if ((obj = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(obj, "title", "caf\xc3") == NULL)
		bail("out of memory");
	is_int(API_INVALID, valid_object(obj, fields, FIELD__MAX, out, &errs),
	    "valid_object refuses a string that is not UTF-8");
	is_string("must not contain control characters", why(errs, "title"),
	    "...as unreadable text");
	cJSON_Delete(errs);
	cJSON_Delete(obj);
}

/* Run valid_email on the string in, returning the stored copy. */
static int
email(const char *in, char *buf, size_t size)
{
	cJSON		*it;
	union vval	 v;
	const char	*msg = NULL;
	int		 rc;

	if ((it = cJSON_CreateString(in)) == NULL)
		bail("out of memory");
	v.s = NULL;
	rc = valid_email(it, &fields[FIELD_EMAIL], &v, &msg);
	buf[0] = '\0';
	if (rc) {
		snprintf(buf, size, "%s", v.s);
		free(v.s);
	} else if (msg == NULL || strcmp(msg,
	    "must be a valid email address") != 0) {
		diag("%s: unexpected message %s", in, msg ? msg : "(null)");
		rc = -1;
	} else if (v.s != NULL) {
		diag("%s: stored a value on failure", in);
		rc = -1;
	}
	cJSON_Delete(it);
	return rc;
}

/* valid_email: normalising and the long list of refusals. */
static void
test_email(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} good[] = {
		{ "a@b.co", "a@b.co" },
		{ "Alice@Example.COM", "alice@example.com" },
		{ "  bob@example.org\t", "bob@example.org" },
		{ "first.last+tag@sub.example.org",
		    "first.last+tag@sub.example.org" },
		{ "O'Brien@example.ie", "o'brien@example.ie" },
		{ "x_y-z@a-b.example.com", "x_y-z@a-b.example.com" },
		{ "1@2.3", "1@2.3" },
	};
	static const struct {
		const char	*in;
		const char	*what;
	} bad[] = {
		{ "alice", "no @" },
		{ "a@b@example.com", "two @" },
		{ "alice@example", "no dot in the domain" },
		{ "@example.com", "an empty local part" },
		{ "alice@", "an empty domain" },
		{ ".alice@example.com", "a leading dot in the local part" },
		{ "alice.@example.com", "a trailing dot in the local part" },
		{ "al..ice@example.com", "a double dot in the local part" },
		{ "alice@.example.com", "a leading dot in the domain" },
		{ "alice@example.com.", "a trailing dot in the domain" },
		{ "alice@example..com", "a double dot in the domain" },
		{ "al ice@example.com", "a space in the local part" },
		{ "alice@exa mple.com", "a space in the domain" },
		{ "alice@-example.com", "a label starting with a hyphen" },
		{ "alice@example-.com", "a label ending with a hyphen" },
		{ "alice@example.-com", "a last label starting with a hyphen" },
		{ "alice@exa_mple.com", "an underscore in the domain" },
		{ "\"al\"@example.com", "a quoted local part" },
		{ "al(ice)@example.com", "a comment" },
		{ "<alice@example.com>", "angle brackets" },
		{ "alice\n@example.com", "a newline inside" },
		{ "ali\x01" "ce@example.com", "a control character" },
		{ "\xc3\xa9@example.com", "a non-ASCII local part" },
		{ "alice@ex\xc3\xa4mple.com", "a non-ASCII domain" },
		{ "", "the empty string" },
		{ "   ", "white space only" },
		{ "a@", "two characters" },
	};
	char		 buf[512], addr[300];
	size_t		 i;
	cJSON		*n;
	union vval	 v;
	const char	*msg;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		is_int(1, email(good[i].in, buf, sizeof(buf)),
		    "valid_email accepts %s", good[i].in);
		is_string(good[i].out, buf, "...as %s", good[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(0, email(bad[i].in, buf, sizeof(buf)),
		    "valid_email refuses %s", bad[i].what);

	/* 64 + 1 + 189 = 254 characters, labels of 63, 63 and 61. */
	memset(addr, 'a', 64);
	addr[64] = '@';
	memset(addr + 65, 'b', 63);
	addr[128] = '.';
	memset(addr + 129, 'c', 63);
	addr[192] = '.';
	memset(addr + 193, 'd', 61);
	addr[254] = '\0';
	is_int(1, email(addr, buf, sizeof(buf)),
	    "valid_email accepts 254 characters, local part 64");
	addr[253] = '\0';
	memmove(addr + 1, addr, 253);
	addr[0] = 'a';
	addr[254] = '\0';
	is_int(0, email(addr, buf, sizeof(buf)),
	    "...but refuses a local part of 65");
	memset(addr, 'a', 64);
	addr[64] = '@';
	memset(addr + 65, 'b', 63);
	addr[128] = '.';
	memset(addr + 129, 'c', 63);
	addr[192] = '.';
	memset(addr + 193, 'd', 62);
	addr[255] = '\0';
	is_int(0, email(addr, buf, sizeof(buf)),
	    "...and 255 characters");
	memset(addr, 'a', 10);
	addr[10] = '@';
	memset(addr + 11, 'b', 64);
	memcpy(addr + 75, ".com", 5);
	is_int(0, email(addr, buf, sizeof(buf)),
	    "...and a domain label of 64");
	addr[74] = '\0';
	memcpy(addr + 74, ".com", 5);
	is_int(1, email(addr, buf, sizeof(buf)),
	    "...but takes a label of 63");

	if ((n = cJSON_CreateNumber(1)) == NULL)
		bail("out of memory");
	msg = NULL;
	ok(!valid_email(n, &fields[FIELD_EMAIL], &v, &msg),
	    "valid_email refuses a number");
	is_string("must be a valid email address", msg, "...with its message");
	cJSON_Delete(n);
}

/*
 * Run validator fn of field f on the JSON text value, storing the number
 * in *v.  Returns what fn returned.
 */
static int
number(vfn fn, const struct vfield *f, const char *value, long long *v,
    const char **msg)
{
	cJSON		*it;
	union vval	 u;
	int		 rc;

	if (json_parse(value, strlen(value), &it) != API_OK)
		bail("test JSON does not parse: %s", value);
	u.i = -12345;
	*msg = NULL;
	rc = fn(it, f, &u, msg);
	*v = fn == valid_bool ? u.b : u.i;
	cJSON_Delete(it);
	return rc;
}

/* valid_int, valid_id and valid_bool at their edges. */
static void
test_numbers(void)
{
	static const struct vfield	 neg = { "n", valid_int, 0, -5, 5 };
	long long			 v;
	const char			*msg;
	const struct vfield		*cnt = &fields[FIELD_COUNT];
	const struct vfield		*id = &fields[FIELD_ID];
	const struct vfield		*pub = &fields[FIELD_PUBLIC];

	ok(number(valid_int, cnt, "1", &v, &msg) && v == 1,
	    "valid_int accepts its min (1)");
	ok(number(valid_int, cnt, "10", &v, &msg) && v == 10,
	    "...and its max (10)");
	ok(!number(valid_int, cnt, "0", &v, &msg), "...but not min - 1");
	is_string("is out of range", msg, "...which is out of range");
	ok(!number(valid_int, cnt, "11", &v, &msg), "...nor max + 1");
	ok(!number(valid_int, cnt, "1.5", &v, &msg),
	    "valid_int refuses 1.5");
	is_string("must be an integer", msg, "...which is not an integer");
	ok(!number(valid_int, cnt, "\"5\"", &v, &msg),
	    "...and the string \"5\"");
	ok(!number(valid_int, cnt, "true", &v, &msg), "...and true");
	ok(number(valid_int, cnt, "5.0", &v, &msg) && v == 5,
	    "valid_int accepts 5.0 as integral");
	ok(number(valid_int, &neg, "-5", &v, &msg) && v == -5,
	    "valid_int accepts a negative min");
	ok(!number(valid_int, &neg, "-6", &v, &msg), "...but not below it");

	ok(number(valid_id, id, "1", &v, &msg) && v == 1,
	    "valid_id accepts 1");
	ok(number(valid_id, id, "9007199254740991", &v, &msg) &&
	    v == 9007199254740991LL, "...and 2^53 - 1");
	ok(number(valid_id, id, "1.0", &v, &msg) && v == 1,
	    "...and 1.0, which is integral");
	ok(number(valid_id, id, "1e2", &v, &msg) && v == 100,
	    "...and 1e2");
	ok(!number(valid_id, id, "0", &v, &msg), "valid_id refuses 0");
	is_string("must be a positive integer id", msg, "...with its message");
	ok(!number(valid_id, id, "-1", &v, &msg), "...and -1");
	ok(!number(valid_id, id, "9007199254740992", &v, &msg),
	    "...and 2^53");
	ok(!number(valid_id, id, "1e300", &v, &msg), "...and 1e300");
	ok(!number(valid_id, id, "1.5", &v, &msg), "...and 1.5");
	ok(!number(valid_id, id, "\"1\"", &v, &msg), "...and the string \"1\"");
	ok(!number(valid_id, id, "null", &v, &msg), "...and null");
	is_int(VALID_ID_MAX, 9007199254740991LL, "VALID_ID_MAX is 2^53 - 1");

	ok(number(valid_bool, pub, "true", &v, &msg) && v == 1,
	    "valid_bool accepts true");
	ok(number(valid_bool, pub, "false", &v, &msg) && v == 0,
	    "...and false");
	ok(!number(valid_bool, pub, "1", &v, &msg), "valid_bool refuses 1");
	is_string("must be true or false", msg, "...with its message");
	ok(!number(valid_bool, pub, "0", &v, &msg), "...and 0");
	ok(!number(valid_bool, pub, "\"true\"", &v, &msg),
	    "...and the string \"true\"");
	ok(!number(valid_bool, pub, "null", &v, &msg), "...and null");
}

/* valid_id_str: decimal digits, no sign, no leading zero, <= 2^53 - 1. */
static void
test_id_str(void)
{
	static const char *const bad[] = {
		"0", "01", "-1", "+1", "1a", "a1", "", " 1", "1 ", "1.0",
		"1e3", "0x10", "9007199254740992", "99999999999999999",
		"18446744073709551617", "\xd9\xa1",
	};
	long long	 id;
	size_t		 i;

	ok(valid_id_str("1", &id) && id == 1, "valid_id_str reads \"1\"");
	ok(valid_id_str("42", &id) && id == 42, "...and \"42\"");
	ok(valid_id_str("9007199254740991", &id) && id == VALID_ID_MAX,
	    "...and 2^53 - 1");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		id = -7;
		ok(!valid_id_str(bad[i], &id) && id == -7,
		    "valid_id_str refuses \"%s\" and leaves *id alone",
		    bad[i]);
	}
	ok(!valid_id_str(NULL, &id), "...and NULL");
}

/*
 * Run valid_paging and describe the outcome: the api_err, the two
 * numbers and the error fields, for one is_string each.
 */
static enum api_err
paging(const char *page, const char *per_page, long long *p, long long *pp,
    char *fieldsbuf, size_t size)
{
	cJSON		*errs = (cJSON *)1, *it, *list;
	enum api_err	 er;

	er = valid_paging(page, per_page, p, pp, &errs);
	fieldsbuf[0] = '\0';
	if (er == API_OK && errs != NULL)
		snprintf(fieldsbuf, size, "(errs set on success)");
	list = er == API_OK ? NULL : errs;
	cJSON_ArrayForEach(it, list) {
		strncat(fieldsbuf, it->string, size - strlen(fieldsbuf) - 1);
		strncat(fieldsbuf, " ", size - strlen(fieldsbuf) - 1);
	}
	if (er != API_OK)
		cJSON_Delete(errs);
	return er;
}

/* valid_paging: defaults, bounds and the field named in errors. */
static void
test_paging(void)
{
	static const struct {
		const char	*page, *per_page, *field;
	} bad[] = {
		{ "0", NULL, "page " },
		{ "abc", NULL, "page " },
		{ "", NULL, "page " },
		{ "-1", NULL, "page " },
		{ "1000001", NULL, "page " },
		{ NULL, "0", "per_page " },
		{ NULL, "101", "per_page " },
		{ NULL, "abc", "per_page " },
		{ NULL, "", "per_page " },
		{ NULL, "20x", "per_page " },
		{ "0", "0", "page per_page " },
	};
	long long	 p, pp;
	char		 f[64];
	size_t		 i;

	is_int(API_OK, paging(NULL, NULL, &p, &pp, f, sizeof(f)),
	    "valid_paging accepts no parameters");
	ok(p == 1 && pp == 20, "...and defaults to page 1 of 20");
	is_string("", f, "...and leaves *errs NULL");
	is_int(API_OK, paging("3", "100", &p, &pp, f, sizeof(f)),
	    "valid_paging accepts page 3, per_page 100");
	ok(p == 3 && pp == 100, "...and stores them");
	is_int(API_OK, paging("1000000", "1", &p, &pp, f, sizeof(f)),
	    "...and page 1000000, per_page 1");
	ok(p == 1000000 && pp == 1, "...and stores them");
	is_int(API_OK, paging(NULL, "5", &p, &pp, f, sizeof(f)),
	    "...and per_page alone");
	ok(p == 1 && pp == 5, "...with the default page");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		is_int(API_INVALID, paging(bad[i].page, bad[i].per_page, &p,
		    &pp, f, sizeof(f)), "valid_paging refuses page %s%s%s, "
		    "per_page %s%s%s", bad[i].page ? "\"" : "",
		    bad[i].page ? bad[i].page : "NULL",
		    bad[i].page ? "\"" : "", bad[i].per_page ? "\"" : "",
		    bad[i].per_page ? bad[i].per_page : "NULL",
		    bad[i].per_page ? "\"" : "");
		is_string(bad[i].field, f, "...naming %s", bad[i].field);
	}
}

/* valid_text and valid_utf8_len. */
static void
test_text(void)
{

	is_int(0, (long long)valid_utf8_len(""), "valid_utf8_len(\"\") is 0");
	is_int(3, (long long)valid_utf8_len("abc"), "...of abc is 3");
	is_int(3, (long long)valid_utf8_len("\xc3\xa9\xe2\x82\xac"
	    "\xf0\x9f\x98\x80"), "...of three multi-byte characters is 3");
	ok(valid_text("plain text", 0), "valid_text accepts plain text");
	ok(valid_text("caf\xc3\xa9", 0), "...and UTF-8");
	ok(valid_text("", 0), "...and the empty string");
	ok(!valid_text("a\tb", 0), "...but not \\t on one line");
	ok(valid_text("a\tb\nc", 1), "...which multiline allows with \\n");
	ok(!valid_text("a\rb", 1), "...but never \\r");
	ok(!valid_text("\x7f", 1), "...nor DEL");
	ok(!valid_text("\x1b[31m", 1), "...nor ESC");
	ok(!valid_text("\xff", 0), "...nor bytes that are not UTF-8");
	ok(!valid_text("\xc3", 0), "...nor a cut sequence");
	ok(!valid_text("\xed\xa0\x80", 0), "...nor a surrogate");
}

/* Run valid_timestamp on the string in, storing the normalised copy. */
static int
timestamp(const char *in, char *buf, size_t size)
{
	static const struct vfield	 f = { "due_at", valid_timestamp, 0,
					    0, 0 };
	cJSON				*it;
	union vval			 v;
	const char			*msg = NULL;
	int				 rc;

	if ((it = cJSON_CreateString(in)) == NULL)
		bail("out of memory");
	v.s = NULL;
	rc = valid_timestamp(it, &f, &v, &msg);
	buf[0] = '\0';
	if (rc) {
		snprintf(buf, size, "%s", v.s);
		free(v.s);
	} else if (msg == NULL || strncmp(msg,
	    "must be an RFC 3339 timestamp", 29) != 0) {
		diag("%s: unexpected message %s", in, msg ? msg : "(null)");
		rc = -1;
	} else if (v.s != NULL) {
		diag("%s: stored a value on failure", in);
		rc = -1;
	}
	cJSON_Delete(it);
	return rc;
}

/* valid_timestamp and valid_rfc3339: RFC 3339 section 5.6, strictly. */
static void
test_timestamp(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} good[] = {
		{ "2026-11-23T10:00:00Z", "2026-11-23T10:00:00Z" },
		{ "2026-11-23t10:00:00z", "2026-11-23T10:00:00Z" },
		{ " 2026-11-23T10:00:00Z\n", "2026-11-23T10:00:00Z" },
		{ "2026-11-23T10:00:00.5Z", "2026-11-23T10:00:00.5Z" },
		{ "2026-11-23T10:00:00.123456789+05:30",
		    "2026-11-23T10:00:00.123456789+05:30" },
		{ "2026-11-23T10:00:00-00:00", "2026-11-23T10:00:00-00:00" },
		{ "2026-01-01T00:00:00-15:59", "2026-01-01T00:00:00-15:59" },
		{ "2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z" },
		{ "2000-02-29T12:00:00Z", "2000-02-29T12:00:00Z" },
		{ "2016-12-31T23:59:60Z", "2016-12-31T23:59:60Z" },
		{ "0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z" },
		{ "0001-01-01T10:00:00+10:00", "0001-01-01T10:00:00+10:00" },
		{ "9999-12-31T23:59:59Z", "9999-12-31T23:59:59Z" },
		{ "9999-12-31T10:00:00-13:59", "9999-12-31T10:00:00-13:59" },
	};
	static const struct {
		const char	*in;
		const char	*what;
	} bad[] = {
		{ "", "the empty string" },
		{ "2026-11-23", "a date alone" },
		{ "10:00:00Z", "a time alone" },
		{ "2026-11-23 10:00:00Z", "a space for T" },
		{ "2026-11-23T10:00Z", "no seconds" },
		{ "2026-11-23T10:00:00", "no offset" },
		{ "2026-1-23T10:00:00Z", "a one-digit month" },
		{ "20260-01-01T00:00:00Z", "a five-digit year" },
		{ "+2026-01-01T00:00:00Z", "a signed year" },
		{ "0000-01-01T00:00:00Z", "year 0" },
		{ "2026-02-29T00:00:00Z", "29 February of a common year" },
		{ "1900-02-29T00:00:00Z", "...and of 1900" },
		{ "2026-04-31T00:00:00Z", "31 April" },
		{ "2026-00-10T00:00:00Z", "month 00" },
		{ "2026-13-01T00:00:00Z", "month 13" },
		{ "2026-01-00T00:00:00Z", "day 00" },
		{ "2026-01-32T00:00:00Z", "day 32" },
		{ "2026-01-01T24:00:00Z", "hour 24" },
		{ "2026-01-01T23:60:00Z", "minute 60" },
		{ "2026-01-01T23:59:61Z", "second 61" },
		{ "2026-01-01T00:00:00.Z", "an empty fraction" },
		{ "2026-01-01T00:00:00.1234567890Z", "a fraction of 10 digits" },
		{ "2026-01-01T00:00:00,5Z", "a decimal comma" },
		{ "2026-01-01T00:00:00+16:00", "an offset of 16 hours" },
		{ "2026-01-01T00:00:00+05:60", "an offset minute of 60" },
		{ "2026-01-01T00:00:00+0530", "an offset without a colon" },
		{ "2026-01-01T00:00:00+5:30", "a one-digit offset hour" },
		{ "2026-01-01T00:00:00+05", "an offset without minutes" },
		{ "2026-01-01T00:00:00ZZ", "two Zs" },
		{ "2026-01-01T00:00:00Z junk", "text after the offset" },
		{ "2026-01-01T00:00:00 Z", "a space before Z" },
		{ "0001-01-01T00:00:00+00:01", "an instant before year 1" },
		{ "9999-12-31T23:59:59-00:01", "an instant after year 9999" },
		{ "9999-12-31T23:59:60Z", "...also by a leap second" },
		{ "\xef\xbc\x92" "026-01-01T00:00:00Z", "a full-width digit" },
		{ "2026-01-01T00:00:00\x01Z", "a control character" },
	};
	static const struct vfield	 tf[1] = {
		{ "due_at", valid_timestamp, VF_NULLABLE, 0, 0 },
	};
	struct vout			 out[1];
	char				 buf[64];
	cJSON				*obj, *errs, *n;
	union vval			 v;
	const char			*msg, *text;
	size_t				 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		is_int(1, timestamp(good[i].in, buf, sizeof(buf)),
		    "valid_timestamp accepts %s", good[i].in);
		is_string(good[i].out, buf, "...as %s", good[i].out);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(0, timestamp(bad[i].in, buf, sizeof(buf)),
		    "valid_timestamp refuses %s", bad[i].what);

	if ((n = cJSON_CreateNumber(1700000000)) == NULL)
		bail("out of memory");
	msg = NULL;
	v.s = NULL;
	ok(!valid_timestamp(n, &tf[0], &v, &msg) && v.s == NULL,
	    "valid_timestamp refuses a number (epoch seconds)");
	cJSON_Delete(n);

	ok(valid_rfc3339("2026-11-23T10:00:00Z", NULL, 0),
	    "valid_rfc3339 checks without storing when out is NULL");
	ok(!valid_rfc3339("2026-11-23T10:00:00Z", buf, 20),
	    "...and refuses an out buffer too small for the text");
	ok(!valid_rfc3339(NULL, buf, sizeof(buf)), "...and NULL");
	ok(!valid_rfc3339(" 2026-11-23T10:00:00Z", NULL, 0),
	    "...and white space, which only valid_timestamp trims");

	text = "{\"due_at\":\"2026-11-23T10:00:00z\"}";
	if (json_parse(text, strlen(text), &obj) != API_OK)
		bail("test JSON does not parse");
	is_int(API_OK, valid_object(obj, tf, 1, out, &errs),
	    "valid_object takes a valid_timestamp field");
	ok(out[0].present && strcmp(out[0].v.s, "2026-11-23T10:00:00Z") == 0,
	    "...and stores the normalised text");
	valid_out_free(out, tf, 1);
	ok(!out[0].present && out[0].v.s == NULL,
	    "...which valid_out_free frees");
	cJSON_Delete(obj);
	text = "{\"due_at\":null}";
	if (json_parse(text, strlen(text), &obj) != API_OK)
		bail("test JSON does not parse");
	is_int(API_OK, valid_object(obj, tf, 1, out, &errs),
	    "valid_object takes null for a VF_NULLABLE timestamp");
	ok(out[0].is_null && !out[0].present, "...as is_null");
	cJSON_Delete(obj);
	text = "{\"due_at\":\"tomorrow\"}";
	if (json_parse(text, strlen(text), &obj) != API_OK)
		bail("test JSON does not parse");
	is_int(API_INVALID, valid_object(obj, tf, 1, out, &errs),
	    "valid_object refuses a bad timestamp");
	ok(why(errs, "due_at") != NULL && strncmp(why(errs, "due_at"),
	    "must be an RFC 3339 timestamp", 29) == 0,
	    "...as fields.due_at \"must be an RFC 3339 timestamp ...\"");
	cJSON_Delete(errs);
	cJSON_Delete(obj);
}

/*
 * A validator of one's own that wraps valid_string: the trimmed string
 * in upper case, or "must be upper case".
 */
static int
upper(const cJSON *it, const struct vfield *f, union vval *v,
    const char **why_)
{
	const char	*p;

	if (!valid_string(it, f, v, why_))
		return 0;
	for (p = v->s; *p != '\0'; p++)
		if (*p >= 'a' && *p <= 'z') {
			free(v->s);
			v->s = NULL;
			*why_ = "must be upper case";
			return 0;
		}
	return 1;
}

/* VF_STRING: valid_out_free frees what such a validator stored. */
static void
test_own_string(void)
{
	static const struct vfield own[] = {
		{ "code", upper, VF_STRING, 1, 8 },
	};
	const char	*good = "{\"code\":\" INR \"}";
	const char	*bad = "{\"code\":\"inr\"}";
	struct vout	 out[1];
	cJSON		*obj, *errs = NULL;
	enum api_err	 er;

	if (json_parse(good, strlen(good), &obj) != API_OK)
		bail("test JSON does not parse");
	er = valid_object(obj, own, 1, out, &errs);
	cJSON_Delete(obj);
	is_int(API_OK, er, "a VF_STRING field of one's own validator");
	is_string("INR", out[0].present ? out[0].v.s : NULL,
	    "...stores its string");
	valid_out_free(out, own, 1);
	ok(!out[0].present && out[0].v.s == NULL,
	    "...which valid_out_free frees (no leak under ASan)");
	if (json_parse(bad, strlen(bad), &obj) != API_OK)
		bail("test JSON does not parse");
	er = valid_object(obj, own, 1, out, &errs);
	cJSON_Delete(obj);
	is_int(API_INVALID, er, "...and refused when the validator says so");
	is_string("must be upper case", why(errs, "code"),
	    "...with its message");
	cJSON_Delete(errs);
}

/* Visible ASCII (a token's claims and key ids) and a choice of strings. */
static void
test_visible_one_of(void)
{
	static const char *const colours[] = { "red", "green", NULL };
	char	 big[130];

	ok(valid_visible("kid-1.A~", 8), "visible ASCII of the most length is");
	ok(!valid_visible("kid-1.A~x", 8), "...one byte more is not");
	ok(!valid_visible("", 8), "...nor the empty string");
	ok(!valid_visible(NULL, 8), "...nor NULL");
	ok(!valid_visible("a b", 8), "...nor a space");
	ok(!valid_visible("a\x7f", 8), "...nor DEL");
	ok(!valid_visible("caf\xc3\xa9", 8), "...nor UTF-8 beyond ASCII");
	ok(!valid_visible("a\tb", 8), "...nor a control character");
	memset(big, 'k', 128);
	big[128] = '\0';
	ok(valid_visible(big, 128), "128 bytes where 128 may be");
	ok(valid_one_of("green", colours), "one of the list is");
	ok(!valid_one_of("Green", colours), "...compared exactly");
	ok(!valid_one_of("", colours), "...and the empty string is none");
}

int
main(void)
{

	plan(18 + 22 + 17 + 17 + 48 + 32 + 20 + 31 + 14 + 76 + 5 + 12);
	test_object_ok();
	test_object_errors();
	test_strings();
	test_strings_refused();
	test_email();
	test_numbers();
	test_id_str();
	test_paging();
	test_text();
	test_timestamp();
	test_own_string();
	test_visible_one_of();
	return tap_status();
}

/*
 * lectern — t/unit/002-json: the cJSON wrapper.
 *
 * json_parse is the gate every request body passes, so most of this
 * file is hostile input: empty and trailing text, NUL bytes, every kind
 * of malformed UTF-8, nesting at and past JSON_MAX_DEPTH and far past
 * it, and the escaped NUL that no field accepts.  Then the boundaries of
 * json_utf8_valid, the integer getters at 2^53, and json_emit round
 * trips.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"

#include "../tap.h"

/*
 * Parse the len bytes of s and return the result, freeing any tree; the
 * check that *out is NULL on failure is counted in *leftover.
 */
static enum api_err
parse_len(const char *s, size_t len, int *leftover)
{
	cJSON		*root = (cJSON *)1;
	enum api_err	 er;

	er = json_parse(s, len, &root);
	if (er != API_OK && root != NULL)
		(*leftover)++;
	if (er == API_OK && root == NULL)
		(*leftover)++;
	if (er == API_OK)
		cJSON_Delete(root);
	return er;
}

/* As parse_len for a NUL-terminated string. */
static enum api_err
parse_str(const char *s, int *leftover)
{

	return parse_len(s, strlen(s), leftover);
}

/*
 * Open arrays (or objects, when obj) depth deep and close them again.
 * The caller frees the result.
 */
static char *
nested(size_t depth, int obj)
{
	char	*s, *p;
	size_t	 i;

	if ((s = malloc(depth * 6 + 8)) == NULL)
		bail("out of memory");
	p = s;
	for (i = 0; i < depth; i++) {
		if (obj) {
			memcpy(p, "{\"a\":", 5);
			p += 5;
		} else
			*p++ = '[';
	}
	*p++ = '1';
	for (i = 0; i < depth; i++)
		*p++ = obj ? '}' : ']';
	*p = '\0';
	return s;
}

/*
 * An array holding two arrays each nested depth deep.  The caller frees
 * the result.
 */
static char *
siblings(size_t depth)
{
	char	*a, *s;
	size_t	 len;

	a = nested(depth, 0);
	len = strlen(a);
	if ((s = malloc(2 * len + 4)) == NULL)
		bail("out of memory");
	s[0] = '[';
	memcpy(s + 1, a, len);
	s[len + 1] = ',';
	memcpy(s + len + 2, a, len);
	s[2 * len + 2] = ']';
	s[2 * len + 3] = '\0';
	free(a);
	return s;
}

/* Well-formed documents, with white space around them. */
static void
test_accept(void)
{
	static const char *const good[] = {
		"{}",
		"[]",
		"{\"a\":1}",
		"{\"a\":1}  \n\t\r",
		" \n\t\r{\"a\":1}",
		"[1,2,3]\n",
		"{\"a\":[1,2,{\"b\":null}],\"c\":\"d\",\"e\":true}",
		"\"text\"",
		"0",
		"{\"k\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
		"{\"k\":\"\\u00e9\\ud83d\\ude00\"}",
		"{\"k\":\"\\u0001\"}",
		"{\"k\":\"\\\\u0000\"}",
		"{\"k\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}",
		"{\"k\":\"\\\"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\"}",
	};
	size_t		 i;
	int		 leftover = 0;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		is_int(API_OK, parse_str(good[i], &leftover),
		    "json_parse accepts document %zu", i);
	is_int(0, leftover, "...and sets *out exactly when it succeeds");
}

/* Empty input, trailing garbage and NUL bytes. */
static void
test_reject_shape(void)
{
	static const char *const bad[] = {
		"   ",
		"\n",
		"{}x",
		"{} {}",
		"{},",
		"[1,2,]",
		"{\"a\":1,}",
		"{\"a\"}",
		"{'a':1}",
		"{\"a\":1",
		"[1,2",
		"\"open",
		"{\"a\":tru}",
		"nul",
		"}",
		"{}}",
		"{}]",
	};
	size_t		 i;
	int		 leftover = 0;
	cJSON		*root = (cJSON *)1;

	is_int(API_INVALID_JSON, json_parse("", 0, &root),
	    "json_parse rejects empty input");
	ok(root == NULL, "...and sets *out to NULL");
	is_int(API_INVALID_JSON, json_parse("{}", 0, &root),
	    "json_parse honours len 0 even when the buffer is not empty");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(API_INVALID_JSON, parse_str(bad[i], &leftover),
		    "json_parse rejects \"%s\"", bad[i][0] == '\n' ? "\\n" :
		    bad[i]);
	is_int(API_INVALID_JSON, parse_len("{}\0", 3, &leftover),
	    "json_parse rejects a NUL byte after the value");
	is_int(API_INVALID_JSON, parse_len("{\"a\":\"b\0c\"}", 11, &leftover),
	    "json_parse rejects a NUL byte inside a string");
	is_int(API_INVALID_JSON, parse_len("\0{}", 3, &leftover),
	    "json_parse rejects a NUL byte before the value");
	is_int(API_OK, parse_len("{\"a\":1}xyz", 7, &leftover),
	    "json_parse reads only len bytes");
	is_int(API_INVALID_JSON, parse_len("{\"a\":1}", 6, &leftover),
	    "...and a value cut short by len is rejected");
	is_int(0, leftover, "...and *out is NULL after every failure");
}

/* Malformed UTF-8 inside and outside strings. */
static void
test_reject_utf8(void)
{
	static const struct {
		const char	*what;
		const char	*text;
	} bad[] = {
		{ "an overlong slash", "{\"a\":\"\xc0\xaf\"}" },
		{ "an overlong 3-byte NUL", "{\"a\":\"\xe0\x80\x80\"}" },
		{ "an overlong 4-byte form", "{\"a\":\"\xf0\x8f\xbf\xbf\"}" },
		{ "a high surrogate", "{\"a\":\"\xed\xa0\x80\"}" },
		{ "a low surrogate", "{\"a\":\"\xed\xbf\xbf\"}" },
		{ "a truncated 3-byte sequence", "{\"a\":\"\xe2\x82\"}" },
		{ "a truncated 2-byte sequence", "{\"a\":\"\xc3\"}" },
		{ "a truncated 4-byte sequence", "{\"a\":\"\xf0\x9f\x98\"}" },
		{ "byte 0xFF", "{\"a\":\"\xff\"}" },
		{ "byte 0xFE", "{\"a\":\"\xfe\"}" },
		{ "a lone continuation byte", "{\"a\":\"\x80\"}" },
		{ "code point U+110000", "{\"a\":\"\xf4\x90\x80\x80\"}" },
		{ "lead byte 0xF5", "{\"a\":\"\xf5\x80\x80\x80\"}" },
		{ "a 5-byte form", "{\"a\":\"\xf8\x88\x80\x80\x80\"}" },
		{ "invalid UTF-8 in a key", "{\"\xff\":1}" },
		{ "invalid UTF-8 outside strings", "{\"a\":1}\xff" },
		{ "a UTF-8 sequence cut by the end", "{\"a\":1} \xe2\x82" },
	};
	size_t		 i;
	int		 leftover = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(API_INVALID_JSON, parse_str(bad[i].text, &leftover),
		    "json_parse rejects %s", bad[i].what);
	is_int(API_OK, parse_str("{\"a\":\"\xf4\x8f\xbf\xbf\"}", &leftover),
	    "json_parse accepts U+10FFFF");
	is_int(0, leftover, "...and *out is NULL after every failure");
}

/* Raw control characters, which JSON does not allow. */
static void
test_reject_control(void)
{
	static const struct {
		const char	*what;
		const char	*text;
	} bad[] = {
		{ "a raw newline in a string", "{\"a\":\"x\ny\"}" },
		{ "a raw tab in a string", "{\"a\":\"x\ty\"}" },
		{ "a raw 0x01 in a string", "{\"a\":\"\x01\"}" },
		{ "a raw 0x1f in a key", "{\"\x1f\":1}" },
		{ "0x01 before the value", "\x01{}" },
		{ "0x0b between tokens", "{\"a\":\x0b" "1}" },
		{ "0x0c after the value", "{}\x0c" },
	};
	size_t		 i;
	int		 leftover = 0;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		is_int(API_INVALID_JSON, parse_str(bad[i].text, &leftover),
		    "json_parse rejects %s", bad[i].what);
	is_int(API_OK, parse_str("{\"a\":\"x\\n\\ty\\u001f\x7f\"}",
	    &leftover), "json_parse accepts escaped controls and raw DEL");
	is_int(0, leftover, "...and *out is NULL after every failure");
}

/* Nesting at, just past and far past JSON_MAX_DEPTH. */
static void
test_depth(void)
{
	char	*s;
	size_t	 big = 100000;
	int	 leftover = 0;

	is_int(32, JSON_MAX_DEPTH, "the nesting limit is 32");
	s = nested(JSON_MAX_DEPTH, 0);
	is_int(API_OK, parse_str(s, &leftover),
	    "json_parse accepts arrays nested 32 deep");
	free(s);
	s = nested(JSON_MAX_DEPTH + 1, 0);
	is_int(API_INVALID_JSON, parse_str(s, &leftover),
	    "json_parse rejects arrays nested 33 deep");
	free(s);
	s = nested(JSON_MAX_DEPTH, 1);
	is_int(API_OK, parse_str(s, &leftover),
	    "json_parse accepts objects nested 32 deep");
	free(s);
	s = nested(JSON_MAX_DEPTH + 1, 1);
	is_int(API_INVALID_JSON, parse_str(s, &leftover),
	    "json_parse rejects objects nested 33 deep");
	free(s);
	s = siblings(JSON_MAX_DEPTH - 1);
	is_int(API_OK, parse_str(s, &leftover),
	    "json_parse counts depth, not brackets: [31-deep, 31-deep]");
	free(s);
	s = siblings(JSON_MAX_DEPTH);
	is_int(API_INVALID_JSON, parse_str(s, &leftover),
	    "...and [32-deep, 32-deep] is 33 deep");
	free(s);
	s = nested(big, 0);
	is_int(API_INVALID_JSON, parse_str(s, &leftover),
	    "json_parse rejects arrays nested 100000 deep without a crash");
	free(s);
	s = nested(big, 1);
	is_int(API_INVALID_JSON, parse_str(s, &leftover),
	    "...and objects nested 100000 deep");
	free(s);
	if ((s = malloc(big + 1)) == NULL)
		bail("out of memory");
	memset(s, '[', big);
	s[big] = '\0';
	is_int(API_INVALID_JSON, parse_str(s, &leftover),
	    "...and 100000 unclosed brackets");
	free(s);
	is_int(0, leftover, "...and *out is NULL after every failure");
}

/* The escaped NUL, which parses but is refused. */
static void
test_escaped_nul(void)
{
	cJSON	*root = (cJSON *)1;
	int	 leftover = 0;

	is_int(API_INVALID, json_parse("{\"a\":\"x\\u0000y\"}", 16, &root),
	    "json_parse answers API_INVALID for \\u0000 in a value");
	ok(root == NULL, "...and sets *out to NULL");
	is_int(API_INVALID, parse_str("{\"\\u0000\":1}", &leftover),
	    "...and for \\u0000 in a key");
	is_int(API_INVALID, parse_str("[\"\\u0000\"]", &leftover),
	    "...and in an array");
	is_int(API_OK, parse_str("{\"a\":\"\\\\u0000\"}", &leftover),
	    "an escaped backslash before u0000 is not an escaped NUL");
	is_int(API_OK, parse_str("{\"a\":\"\\u0100\"}", &leftover),
	    "...and \\u0100 is not one either");
	is_int(0, leftover, "...and *out is set exactly on success");
}

/* The boundaries of each UTF-8 sequence length. */
static void
test_utf8_valid(void)
{
	static const struct {
		const char	*what;
		const char	*s;
		size_t		 len;
		int		 want;
	} cases[] = {
		{ "the empty string", "", 0, 1 },
		{ "ASCII", "abc", 3, 1 },
		{ "U+007F", "\x7f", 1, 1 },
		{ "U+0080", "\xc2\x80", 2, 1 },
		{ "overlong U+007F", "\xc1\xbf", 2, 0 },
		{ "overlong NUL", "\xc0\x80", 2, 0 },
		{ "U+07FF", "\xdf\xbf", 2, 1 },
		{ "U+0800", "\xe0\xa0\x80", 3, 1 },
		{ "overlong U+07FF", "\xe0\x9f\xbf", 3, 0 },
		{ "U+D7FF", "\xed\x9f\xbf", 3, 1 },
		{ "U+D800", "\xed\xa0\x80", 3, 0 },
		{ "U+DFFF", "\xed\xbf\xbf", 3, 0 },
		{ "U+E000", "\xee\x80\x80", 3, 1 },
		{ "U+FFFF", "\xef\xbf\xbf", 3, 1 },
		{ "U+10000", "\xf0\x90\x80\x80", 4, 1 },
		{ "overlong U+FFFF", "\xf0\x8f\xbf\xbf", 4, 0 },
		{ "U+10FFFF", "\xf4\x8f\xbf\xbf", 4, 1 },
		{ "U+110000", "\xf4\x90\x80\x80", 4, 0 },
		{ "lead byte 0xF5", "\xf5\x80\x80\x80", 4, 0 },
		{ "byte 0xFF", "\xff", 1, 0 },
		{ "byte 0xFE", "\xfe", 1, 0 },
		{ "a lone continuation byte", "\x80", 1, 0 },
		{ "a bad continuation byte", "\xc3\x41", 2, 0 },
		{ "a 2-byte sequence cut by len", "\xc3\xa9", 1, 0 },
		{ "a 3-byte sequence cut by len", "\xe2\x82\xac", 2, 0 },
		{ "a 4-byte sequence cut by len", "\xf0\x9f\x98\x80", 3, 0 },
		{ "a sequence ending exactly at len", "a\xe2\x82\xac", 4, 1 },
		{ "bytes past len", "a\xff", 1, 1 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(cases[i].want, json_utf8_valid(cases[i].s, cases[i].len),
		    "json_utf8_valid %s %s", cases[i].want ? "accepts" :
		    "rejects", cases[i].what);
}

/*
 * Parse text, which must succeed, into a tree the caller frees.
 */
static cJSON *
must_parse(const char *text)
{
	cJSON	*root;

	if (json_parse(text, strlen(text), &root) != API_OK)
		bail("cannot parse %s", text);
	return root;
}

/* json_int and json_get_int: integral, in range, numbers only. */
static void
test_int(void)
{
	cJSON		*root, *it;
	long long	 v;

	root = must_parse("{\"zero\":0,\"neg\":-1,\"n\":42,\"exp\":1e3,"
	    "\"one\":1.0,\"max\":9007199254740992,\"min\":-9007199254740992,"
	    "\"over\":9007199254740994,\"under\":-9007199254740994,"
	    "\"half\":1.5,\"nhalf\":-0.5,\"tiny\":1e-300,\"huge\":1e400,"
	    "\"str\":\"1\",\"t\":true,\"nul\":null,\"arr\":[1],\"obj\":{}}");

	v = -7;
	ok(json_get_int(root, "zero", &v) && v == 0, "json_get_int reads 0");
	ok(json_get_int(root, "neg", &v) && v == -1, "...and -1");
	ok(json_get_int(root, "n", &v) && v == 42, "...and 42");
	ok(json_get_int(root, "exp", &v) && v == 1000, "...and 1e3");
	ok(json_get_int(root, "one", &v) && v == 1,
	    "...and 1.0, which is integral");
	ok(json_get_int(root, "max", &v) && v == 9007199254740992LL,
	    "...and 2^53");
	ok(json_get_int(root, "min", &v) && v == -9007199254740992LL,
	    "...and -2^53");
	ok(!json_get_int(root, "over", &v), "json_get_int rejects 2^53 + 2");
	ok(!json_get_int(root, "under", &v), "...and -(2^53 + 2)");
	ok(!json_get_int(root, "half", &v), "...and 1.5");
	ok(!json_get_int(root, "nhalf", &v), "...and -0.5");
	ok(!json_get_int(root, "tiny", &v), "...and 1e-300");
	ok(!json_get_int(root, "huge", &v), "...and 1e400 (infinity)");
	ok(!json_get_int(root, "str", &v), "...and the string \"1\"");
	ok(!json_get_int(root, "t", &v), "...and true");
	ok(!json_get_int(root, "nul", &v), "...and null");
	ok(!json_get_int(root, "arr", &v), "...and an array");
	ok(!json_get_int(root, "obj", &v), "...and an object");
	ok(!json_get_int(root, "absent", &v), "...and an absent member");
	ok(!json_get_int(root, "ZERO", &v), "...and looks keys up by case");

	it = cJSON_GetObjectItemCaseSensitive(root, "n");
	ok(json_int(it, &v) && v == 42, "json_int reads a number item");
	ok(!json_int(NULL, &v), "json_int rejects a NULL item");
	ok(!json_int(cJSON_GetObjectItemCaseSensitive(root, "half"), &v),
	    "...and 1.5");
	cJSON_Delete(root);
}

/* json_get_string: strings only, borrowed. */
static void
test_get_string(void)
{
	cJSON	*root;

	root = must_parse("{\"s\":\"hello\",\"e\":\"\",\"n\":1,\"z\":null}");
	is_string("hello", json_get_string(root, "s"),
	    "json_get_string reads a string member");
	ok(json_get_string(root, "s") ==
	    cJSON_GetObjectItemCaseSensitive(root, "s")->valuestring,
	    "...and returns a pointer into the tree");
	is_string("", json_get_string(root, "e"), "...and an empty string");
	ok(json_get_string(root, "n") == NULL, "...but not a number");
	ok(json_get_string(root, "z") == NULL, "...nor null");
	ok(json_get_string(root, "x") == NULL, "...nor an absent member");
	ok(json_get_string(root, "S") == NULL, "...and keys match by case");
	ok(json_get_string(NULL, "s") == NULL, "...and a NULL object is fine");
	cJSON_Delete(root);
}

/*
 * Check that text survives parse and emit unchanged and that emitting
 * the re-parsed text gives the same again.
 */
static void
round_trip(const char *text, const char *what)
{
	cJSON	*root, *again;
	char	*s, *t;

	root = must_parse(text);
	if ((s = json_emit(root)) == NULL)
		bail("json_emit: out of memory");
	is_string(text, s, "json_emit round-trips %s", what);
	again = must_parse(s);
	if ((t = json_emit(again)) == NULL)
		bail("json_emit: out of memory");
	is_string(s, t, "...and again");
	cJSON_free(s);
	cJSON_free(t);
	cJSON_Delete(root);
	cJSON_Delete(again);
}

/* json_emit of parsed and built trees. */
static void
test_emit(void)
{
	cJSON	*o;
	char	*s;

	round_trip("{\"a\":[1,2.5,-3,\"x\\\"y\",true,false,null],"
	    "\"b\":{\"c\":\"caf\xc3\xa9\"},\"d\":{}}", "a mixed document");
	/*
	 * XXX: cJSON 1.7.15 prints with "%1.15g" when the result compares
	 * equal within DBL_EPSILON, so integers from 2^52 up can come out
	 * changed (9007199254740991 as 9.00719925474099e+15).  2^52 - 1 is
	 * the largest integer json_emit is sure to keep.
	 */
	round_trip("{\"id\":4503599627370495}", "2^52 - 1");
	round_trip("[\"a\\\\b\",\"\\n\\t\\r\",\"\\u0001\"]", "escapes");

	if ((o = cJSON_CreateObject()) == NULL ||
	    cJSON_AddStringToObject(o, "k", "line\nbreak\x01") == NULL ||
	    cJSON_AddNumberToObject(o, "n", 7) == NULL)
		bail("cJSON: out of memory");
	s = json_emit(o);
	is_string("{\"k\":\"line\\nbreak\\u0001\",\"n\":7}", s,
	    "json_emit escapes control characters and writes no spaces");
	cJSON_free(s);
	cJSON_Delete(o);
}

int
main(void)
{

	plan(16 + 26 + 19 + 9 + 11 + 7 + 28 + 23 + 8 + 7);
	test_accept();
	test_reject_shape();
	test_reject_utf8();
	test_reject_control();
	test_depth();
	test_escaped_nul();
	test_utf8_valid();
	test_int();
	test_get_string();
	test_emit();
	return tap_status();
}

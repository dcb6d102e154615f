/*
 * lectern — t/unit/005-log: one JSON line per event on standard error.
 *
 * log_key_is_secret and log_escape are checked directly.  For log_event
 * and log_warn, standard error is pointed at a temporary file while the
 * call runs, and what was written must be exactly one line that
 * json_parse accepts, with secrets redacted and control characters
 * escaped, whatever the length of the values: a line cut to fit the
 * buffer must still be whole JSON and whole UTF-8.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "log.h"

#include "../tap.h"

#define LINE_MAX_BYTES	4096	/* LOG_LINE_MAX in log.c */

static FILE	*capture_file;
static int	 saved_stderr = -1;

/* Point standard error at a fresh temporary file. */
static void
capture_begin(void)
{

	fflush(stderr);
	if ((capture_file = tmpfile()) == NULL)
		bail("tmpfile: %s", strerror(errno));
	if ((saved_stderr = dup(STDERR_FILENO)) == -1 ||
	    dup2(fileno(capture_file), STDERR_FILENO) == -1)
		bail("dup: %s", strerror(errno));
}

/*
 * Put standard error back and return what was written to it, which the
 * caller frees; *len is its length (it may hold NUL bytes).
 */
static char *
capture_end(size_t *len)
{
	char	*buf;
	long	 size;

	fflush(stderr);
	if (dup2(saved_stderr, STDERR_FILENO) == -1)
		bail("dup2: %s", strerror(errno));
	close(saved_stderr);
	saved_stderr = -1;
	if (fseek(capture_file, 0, SEEK_END) == -1 ||
	    (size = ftell(capture_file)) == -1 ||
	    fseek(capture_file, 0, SEEK_SET) == -1)
		bail("cannot measure the captured output");
	if ((buf = malloc((size_t)size + 1)) == NULL)
		bail("out of memory");
	if (size > 0 && fread(buf, 1, (size_t)size, capture_file) !=
	    (size_t)size)
		bail("cannot read the captured output");
	buf[size] = '\0';
	fclose(capture_file);
	capture_file = NULL;
	*len = (size_t)size;
	return buf;
}

/*
 * Whether buf (len bytes) is exactly one line: one newline, at the end,
 * and no other byte below 0x20.
 */
static int
one_line(const char *buf, size_t len)
{
	size_t	 i;

	if (len == 0 || buf[len - 1] != '\n')
		return 0;
	for (i = 0; i + 1 < len; i++)
		if ((unsigned char)buf[i] < 0x20)
			return 0;
	return 1;
}

/*
 * Parse one captured line (without its newline) into a tree the caller
 * frees; NULL when it is not one line of a JSON object.
 */
static cJSON *
parse_line(const char *buf, size_t len)
{
	cJSON	*root;

	if (!one_line(buf, len) ||
	    json_parse(buf, len - 1, &root) != API_OK)
		return NULL;
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* log_key_is_secret. */
static void
test_secret(void)
{
	static const char *const yes[] = {
		"password", "new_password", "PASSWORD", "token",
		"refresh_token", "Authorization", "HTTP_AUTHORIZATION",
		"api_key", "key", "secret", "client_secret", "signature",
		"cookie", "Set-Cookie", "jwt_secret",
	};
	static const char *const no[] = {
		"name", "email", "event", "message", "request_id", "path",
		"method", "code", "",
	};
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		ok(log_key_is_secret(yes[i]), "%s names a secret", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		ok(!log_key_is_secret(no[i]), "\"%s\" does not", no[i]);
	ok(!log_key_is_secret(NULL), "...nor does NULL");
}

/* Escape s into a fresh buffer of size bytes; returns log_escape's rc. */
static int
esc(char *buf, size_t size, const char *s)
{

	buf[0] = '\0';
	return log_escape(buf, size, s);
}

/* log_escape. */
static void
test_escape(void)
{
	char	 buf[64];
	int	 rc;

	is_int(0, esc(buf, sizeof(buf), "plain"), "log_escape copies text");
	is_string("plain", buf, "...unchanged");
	is_int(0, esc(buf, sizeof(buf), "a\"b"), "log_escape takes a quote");
	is_string("a\\\"b", buf, "...and escapes it");
	esc(buf, sizeof(buf), "a\\b");
	is_string("a\\\\b", buf, "...and a backslash");
	esc(buf, sizeof(buf), "a\nb\tc\rd");
	is_string("a\\nb\\tc\\rd", buf, "...and \\n, \\t and \\r");
	esc(buf, sizeof(buf), "\x01");
	is_string("\\u0001", buf, "...and 0x01 as \\u0001");
	esc(buf, sizeof(buf), "\x1f\x1b");
	is_string("\\u001f\\u001b", buf, "...and 0x1f and ESC");
	esc(buf, sizeof(buf), "\x7f");
	is_string("\\u007f", buf, "...and DEL");
	esc(buf, sizeof(buf), "caf\xc3\xa9");
	is_string("caf\xc3\xa9", buf, "...and leaves UTF-8 alone");

	strcpy(buf, "pre:");
	is_int(0, log_escape(buf, sizeof(buf), "x\"y"),
	    "log_escape appends to what is there");
	is_string("pre:x\\\"y", buf, "...after it");

	is_int(0, esc(buf, 4, "abc"), "log_escape fills size exactly");
	is_string("abc", buf, "...with the NUL in the last byte");
	is_int(-1, esc(buf, 3, "abc"), "one byte fewer reports truncation");
	is_string("ab", buf, "...keeps what fits, NUL-terminated");
	is_int(-1, esc(buf, 3, "a\""),
	    "an escape that does not fit is left out whole");
	is_string("a", buf, "...with no lone backslash");
	is_int(-1, esc(buf, 8, "\x01\x02"), "...and so is a \\u escape");
	is_string("\\u0001", buf, "...keeping the one that fits");
	is_int(-1, esc(buf, 5, "abc\xc3\xa9"),
	    "a UTF-8 character that does not fit");
	is_string("abc", buf, "...is left out whole");
	is_int(-1, esc(buf, 7, "ab\xf0\x9f\x98\x80z"),
	    "...a four-byte one too");
	is_string("ab\xf0\x9f\x98\x80", buf, "...and kept when it fits");
	buf[0] = 'q';
	rc = log_escape(buf, 0, "abc");
	is_int(-1, rc, "size 0 reports truncation");
	is_int('q', buf[0], "...and writes nothing");
}

/* log_event: shape, fields, redaction, escaping. */
static void
test_event(void)
{
	char		*out;
	size_t		 len;
	cJSON		*root;
	const char	*t;

	capture_begin();
	log_event(LOG_LVL_WARN, "rid-1", "login_failed", "email",
	    "a@example.com", "password", "hunter2", "refresh_token", "rt",
	    "Authorization", "Bearer x", "api_key", "k", "name", "Alice",
	    "reason", NULL, "token", NULL, NULL);
	out = capture_end(&len);
	ok(one_line(out, len), "log_event writes exactly one line");
	root = parse_line(out, len);
	ok(root != NULL, "...of valid JSON");
	if (root == NULL)
		diag("line: %s", out);
	t = json_get_string(root, "time");
	ok(t != NULL && strlen(t) == 24 && t[10] == 'T' && t[23] == 'Z',
	    "...with a UTC time to the millisecond");
	is_string("warn", json_get_string(root, "level"), "...the level");
	is_string("login_failed", json_get_string(root, "event"),
	    "...the event");
	is_string("rid-1", json_get_string(root, "request_id"),
	    "...the request id");
	is_string("a@example.com", json_get_string(root, "email"),
	    "...and the fields");
	is_string("Alice", json_get_string(root, "name"),
	    "...with \"name\" in clear");
	is_string("[redacted]", json_get_string(root, "password"),
	    "...and password redacted");
	is_string("[redacted]", json_get_string(root, "refresh_token"),
	    "...and refresh_token");
	is_string("[redacted]", json_get_string(root, "Authorization"),
	    "...and Authorization");
	is_string("[redacted]", json_get_string(root, "api_key"),
	    "...and api_key");
	ok(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root, "reason")),
	    "...and a NULL value as null");
	ok(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(root, "token")),
	    "...even under a secret name");
	ok(strstr(out, "hunter2") == NULL && strstr(out, "Bearer") == NULL,
	    "...and no secret appears anywhere in the line");
	cJSON_Delete(root);
	free(out);

	capture_begin();
	log_event(LOG_LVL_INFO, NULL, "ev\"il\n", "path",
	    "/x\n{\"level\":\"error\"}\r\x01\x7f\\", "we\"ird\tname", "v",
	    NULL);
	out = capture_end(&len);
	ok(one_line(out, len),
	    "control characters in values cannot start a new line");
	root = parse_line(out, len);
	ok(root != NULL, "...and the line is valid JSON");
	is_string("/x\n{\"level\":\"error\"}\r\x01\x7f\\",
	    json_get_string(root, "path"), "...that decodes to the value");
	is_string("ev\"il\n", json_get_string(root, "event"),
	    "...and to the event name");
	is_string("v", json_get_string(root, "we\"ird\tname"),
	    "...and keys are escaped too");
	ok(cJSON_GetObjectItemCaseSensitive(root, "request_id") == NULL,
	    "...and there is no request_id when rid is NULL");
	is_string("info", json_get_string(root, "level"), "...level info");
	cJSON_Delete(root);
	free(out);

	capture_begin();
	log_event(LOG_LVL_DEBUG, NULL, "d", NULL);
	log_event(LOG_LVL_ERROR, NULL, "e", NULL);
	log_event((enum log_level)42, NULL, "x", NULL);
	out = capture_end(&len);
	ok(len > 0 && strstr(out, "\"level\":\"debug\"") != NULL &&
	    strstr(out, "\"level\":\"error\",\"event\":\"e\"") != NULL,
	    "levels debug and error are named");
	ok(strstr(out, "\"level\":\"error\",\"event\":\"x\"") != NULL,
	    "...and a level out of range is logged as error");
	free(out);
}

/* log_warn and log_warnx. */
static void
test_warn(void)
{
	char	*out;
	size_t	 len;
	cJSON	*root;

	capture_begin();
	errno = ENOENT;
	log_warn("open %s", "/nonexistent\n");
	out = capture_end(&len);
	root = parse_line(out, len);
	ok(root != NULL, "log_warn writes one line of JSON");
	is_string("warning", json_get_string(root, "event"),
	    "...as event warning");
	is_string("open /nonexistent\n", json_get_string(root, "message"),
	    "...with the formatted message");
	is_string(strerror(ENOENT), json_get_string(root, "errno"),
	    "...and errno's text");
	cJSON_Delete(root);
	free(out);

	capture_begin();
	errno = ENOENT;
	log_warnx("%d things", 3);
	out = capture_end(&len);
	root = parse_line(out, len);
	is_string("3 things", json_get_string(root, "message"),
	    "log_warnx writes the message");
	ok(root != NULL &&
	    cJSON_GetObjectItemCaseSensitive(root, "errno") == NULL,
	    "...without errno");
	cJSON_Delete(root);
	free(out);
}

/*
 * A string of n copies of unit (filling whole units only) followed by
 * tail; the caller frees it.
 */
static char *
fill(const char *unit, size_t n, const char *tail)
{
	char	*s;
	size_t	 ulen = strlen(unit), i;

	if ((s = malloc(ulen * n + strlen(tail) + 1)) == NULL)
		bail("out of memory");
	for (i = 0; i < n; i++)
		memcpy(s + i * ulen, unit, ulen);
	strcpy(s + ulen * n, tail);
	return s;
}

/*
 * Log event with the given pairs and check the line; returns 1 when it
 * is one line of valid JSON within the line limit, else 0 with a
 * diagnostic.
 */
static int
line_ok(const char *what, const char *k1, const char *v1, const char *k2,
    const char *v2)
{
	char	*out;
	size_t	 len;
	cJSON	*root;
	int	 rc;

	capture_begin();
	log_event(LOG_LVL_INFO, "rid", "long", k1, v1, k2, v2, NULL);
	out = capture_end(&len);
	root = parse_line(out, len);
	rc = root != NULL && len <= LINE_MAX_BYTES;
	if (!rc)
		diag("%s: %zu bytes, %s", what, len,
		    root == NULL ? "not one line of JSON" : "too long");
	cJSON_Delete(root);
	free(out);
	return rc;
}

/* Values longer than a line: cut, but the line stays whole. */
static void
test_long(void)
{
	static const char *const keys[] = { "v", "vv", "vvv", "vvvv" };
	char		*big, *out;
	size_t		 len, n, bad;
	cJSON		*root;
	const char	*v;

	big = fill("a", 10000, "");
	capture_begin();
	log_event(LOG_LVL_INFO, "rid", "long", "value", big, "after", "x",
	    NULL);
	out = capture_end(&len);
	root = parse_line(out, len);
	ok(root != NULL, "a 10000-byte value gives one line of valid JSON");
	ok(len <= LINE_MAX_BYTES, "...no longer than %d bytes",
	    LINE_MAX_BYTES);
	v = json_get_string(root, "value");
	ok(v != NULL && strlen(v) > 3 &&
	    strcmp(v + strlen(v) - 3, "...") == 0,
	    "...and the value is cut with \"...\"");
	cJSON_Delete(root);
	free(out);
	free(big);

	/* Keys of 1 to 4 bytes move the cut through each position. */
	for (bad = 0, n = 0; n < 4; n++) {
		big = fill("\xc3\xa9", 3000, "");
		bad += !line_ok("two-byte", keys[n], big, "w", "x");
		free(big);
		big = fill("\xe2\x82\xac", 2000, "");
		bad += !line_ok("three-byte", keys[n], big, "w", "x");
		free(big);
		big = fill("\xf0\x9f\x98\x80", 1500, "");
		bad += !line_ok("four-byte", keys[n], big, "w", "x");
		free(big);
	}
	is_int(0, bad, "a value of multi-byte characters is cut between "
	    "characters, at every alignment");

	big = fill("\"", 3000, "");
	ok(line_ok("quotes", "v", big, "w", "x"),
	    "a value of quotes is cut between escapes");
	free(big);
	big = fill("\x01", 1000, "");
	ok(line_ok("controls", "v", big, "w", "x"),
	    "...and so is one of \\u escapes");
	free(big);

	/*
	 * Every length near the limit, so that the second pair's key, its
	 * quote or its value is what runs out of room.
	 */
	for (bad = 0, n = 3900; n <= 4100; n++) {
		big = fill("a", n, "");
		bad += !line_ok("sweep", "value", big,
		    "a_second_rather_long_key_name", "and its value");
		bad += !line_ok("sweep null", "value", big,
		    "a_second_rather_long_key_name", NULL);
		free(big);
	}
	is_int(0, bad, "for every value length from 3900 to 4100 the line "
	    "is valid JSON");

	big = fill("k", 5000, "");
	ok(line_ok("long key", big, "v", "w", "x"),
	    "...and a 5000-byte key leaves it valid too");
	free(big);
}

/*
 * Bytes that are not UTF-8 become U+FFFD, whole sequences are kept, and
 * the result parses as a JSON string.
 */
static void
test_utf8(void)
{
	char	 buf[64];

	buf[0] = '\0';
	ok(log_escape(buf, sizeof(buf), "a\xff" "b") == 0 &&
	    strcmp(buf, "a\\ufffdb") == 0, "a stray 0xFF is escaped as U+FFFD");
	buf[0] = '\0';
	ok(log_escape(buf, sizeof(buf), "\xc0\x80") == 0 &&
	    strcmp(buf, "\\ufffd\\ufffd") == 0,
	    "...and so is an overlong NUL, byte by byte");
	buf[0] = '\0';
	ok(log_escape(buf, sizeof(buf), "\x80x") == 0 &&
	    strcmp(buf, "\\ufffdx") == 0, "...and a lone continuation byte");
	buf[0] = '\0';
	ok(log_escape(buf, sizeof(buf), "\xe2\x82\xac\xf0\x9f\x98\x80") == 0 &&
	    strcmp(buf, "\xe2\x82\xac\xf0\x9f\x98\x80") == 0,
	    "...while well-formed sequences pass through whole");
	buf[0] = '\0';
	ok(log_escape(buf, sizeof(buf), "\xed\xa0\x80") == 0 &&
	    strcmp(buf, "\\ufffd\\ufffd\\ufffd") == 0,
	    "...and a UTF-16 surrogate is not well-formed");
}

int
main(void)
{

	plan(25 + 25 + 24 + 6 + 9 + 5);
	test_secret();
	test_escape();
	test_event();
	test_warn();
	test_long();
	test_utf8();
	return tap_status();
}

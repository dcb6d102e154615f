/*
 * lectern — log: one JSON line per event on standard error.
 *
 * Lines are assembled in a fixed buffer and written with one write(2),
 * so lines of concurrent CGI processes do not interleave in Apache's
 * error log.  Overlong values are cut, never the line's JSON shape.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE_MAX	4096

static const char *const levels[LOG_LVL__MAX] = {
	"debug", "info", "warn", "error"
};

static const char *const secret_words[] = {
	"password", "secret", "token", "signature", "authorization",
	"cookie", "key", NULL
};

int
log_key_is_secret(const char *key)
{
	size_t	 i;

	if (key == NULL)
		return 0;
	for (i = 0; secret_words[i] != NULL; i++)
		if (strcasestr(key, secret_words[i]) != NULL)
			return 1;
	return 0;
}

/*
 * The length of the well-formed UTF-8 sequence at s (lead byte >= 0x80),
 * or 0 when it is not one.
 */
static size_t
utf8_seq(const unsigned char *s)
{
	size_t		 n, i;
	unsigned int	 cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	cp = s[0] & (0xff >> (n + 1));
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int
log_escape(char *buf, size_t size, const char *s)
{
	size_t		 len, addlen, n;
	unsigned char	 c;
	char		 esc[8];
	const char	*add;

	if (size == 0)
		return -1;
	len = strlen(buf);
	for (; *s != '\0'; s += n) {
		c = (unsigned char)*s;
		n = 1;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			esc[2] = '\0';
			add = esc;
		} else if (c == '\n')
			add = "\\n";
		else if (c == '\t')
			add = "\\t";
		else if (c == '\r')
			add = "\\r";
		else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			add = esc;
		} else if (c >= 0x80) {
			/* Whole sequences only; what is not UTF-8 is U+FFFD,
			 * so the line stays valid JSON. */
			if ((n = utf8_seq((const unsigned char *)s)) == 0) {
				n = 1;
				add = "\\ufffd";
			} else {
				memcpy(esc, s, n);
				esc[n] = '\0';
				add = esc;
			}
		} else {
			esc[0] = (char)c;
			esc[1] = '\0';
			add = esc;
		}
		addlen = strlen(add);
		if (len + addlen + 1 > size) {
			buf[len] = '\0';
			return -1;
		}
		memcpy(buf + len, add, addlen);
		len += addlen;
	}
	buf[len] = '\0';
	return 0;
}

/*
 * Append a raw (already valid JSON) fragment to buf.  Returns -1 when it
 * does not fit.
 */
static int
append(char *buf, size_t size, const char *s)
{
	size_t	 len, slen;

	len = strlen(buf);
	slen = strlen(s);
	if (len + slen + 1 > size)
		return -1;
	memcpy(buf + len, s, slen + 1);
	return 0;
}

/*
 * Append ,"key":"val" to buf.  A pair that does not fit is left out
 * whole, except that a value is cut with "..." once its key is in.
 */
static void
append_pair(char *buf, size_t size, const char *key, const char *val)
{
	size_t	 start;

	/* Leave room for the closing brace and newline. */
	size -= 3;
	start = strlen(buf);
	if (append(buf, size, ",\"") == -1 ||
	    log_escape(buf, size, key) == -1 ||
	    append(buf, size, "\":") == -1)
		goto drop;
	if (val == NULL) {
		if (append(buf, size, "null") == -1)
			goto drop;
		return;
	}
	/* The opening quote must leave room for "..." and the closing one. */
	if (append(buf, size - 4, "\"") == -1)
		goto drop;
	if (log_escape(buf, size - 4, val) == -1)
		(void)append(buf, size, "...");
	(void)append(buf, size, "\"");
	return;
drop:
	buf[start] = '\0';
}

static void
emit(char *buf)
{
	size_t	 len;
	ssize_t	 w;

	/* append_pair always leaves room for these three bytes. */
	len = strlen(buf);
	buf[len++] = '}';
	buf[len++] = '\n';
	buf[len] = '\0';
	while (len > 0) {
		w = write(STDERR_FILENO, buf, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		len -= (size_t)w;
	}
}

static void
begin(char *buf, size_t size, enum log_level lvl, const char *rid,
    const char *event)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 t[64];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(t, sizeof(t), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
	if ((unsigned)lvl >= LOG_LVL__MAX)
		lvl = LOG_LVL_ERROR;
	snprintf(buf, size, "{\"time\":\"%s\",\"level\":\"%s\"", t,
	    levels[lvl]);
	append_pair(buf, size, "event", event);
	if (rid != NULL)
		append_pair(buf, size, "request_id", rid);
}

void
log_event(enum log_level lvl, const char *rid, const char *event, ...)
{
	char		 buf[LOG_LINE_MAX];
	va_list		 ap;
	const char	*key, *val;

	begin(buf, sizeof(buf), lvl, rid, event);
	va_start(ap, event);
	while ((key = va_arg(ap, const char *)) != NULL) {
		val = va_arg(ap, const char *);
		if (val != NULL && log_key_is_secret(key))
			val = "[redacted]";
		append_pair(buf, sizeof(buf), key, val);
	}
	va_end(ap);
	emit(buf);
}

static void
vwarn(int with_errno, int saved, const char *fmt, va_list ap)
{
	char	 msg[1024], buf[LOG_LINE_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	begin(buf, sizeof(buf), LOG_LVL_WARN, NULL, "warning");
	append_pair(buf, sizeof(buf), "message", msg);
	if (with_errno)
		append_pair(buf, sizeof(buf), "errno", strerror(saved));
	emit(buf);
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vwarn(1, saved, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vwarn(0, 0, fmt, ap);
	va_end(ap);
}

/*
 * lectern — lectern-mailer: deliver the email outbox over SMTP (SPEC §6).
 *
 * Endpoints queue mail in email_outbox in the same transaction as the
 * event that sends it; this program delivers it with libcurl.  Each pass
 * claims up to MAILER_BATCH due rows with SELECT ... FOR UPDATE SKIP
 * LOCKED and, in the same statement, leases them by moving their
 * next_attempt_at 30 minutes ahead, then commits: the mail goes out
 * with no transaction open, and a second mailer never picks up a row
 * that the first is sending.  Each outcome is recorded at once: sent, or
 * one more attempt with the error and an exponential back-off, or failed
 * after MAILER_ATTEMPTS attempts.  A mailer killed mid-pass leaves its
 * rows leased; they are sent again when the lease ends, so delivery is
 * at least once.
 *
 * Mail bodies carry reset tokens and the SMTP password is a secret:
 * neither is ever printed.  Plain smtp:// is allowed to loopback hosts
 * only; anywhere else the connection must be TLS (smtps://, or STARTTLS
 * required) with the peer and host verified.
 */
#include "config.h"

#include <sys/types.h>

#include <arpa/inet.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "conf.h"
#include "db.h"

#define MAILER_BATCH		20	/* rows claimed per batch (sql_claim) */
#define MAILER_ATTEMPTS		8	/* then the row is 'failed' */
#define MAILER_INTERVAL		30	/* seconds between passes */
#define MAILER_CONNECT_TIMEOUT	10L
#define MAILER_TIMEOUT		30L
#define MAILER_LINE_MAX		998	/* RFC 5322 2.1.1, without CRLF */
#define MAILER_SUBJECT_CHUNK	39	/* bytes per RFC 2047 encoded-word */

#define EXIT_DB			1	/* database unusable */
#define EXIT_CONFIG		2	/* usage or configuration */

struct mailer {
	const char	*dburl;		/* LECTERN_DATABASE_URL, DATABASE_URL */
	const char	*smtp_url;	/* LECTERN_SMTP_URL, checked */
	const char	*user;		/* LECTERN_SMTP_USER, may be NULL */
	const char	*password;	/* LECTERN_SMTP_PASSWORD, may be NULL */
	const char	*from;		/* LECTERN_MAIL_FROM, a bare address */
	const char	*domain;	/* of from, for Message-ID */
	long		 use_ssl;	/* CURLUSESSL_NONE only to loopback */
	long long	 interval;	/* LECTERN_MAILER_INTERVAL */
	int		 once;
};

struct counts {
	int		 claimed;
	int		 sent;
	int		 deferred;
	int		 failed;
};

/* A growing byte buffer; wiped when freed (it holds mail bodies). */
struct sbuf {
	char		*p;
	size_t		 len;
	size_t		 cap;
};

/* What the upload callback reads from. */
struct upload {
	const char	*p;
	size_t		 len;
	size_t		 off;
};

/*
 * Due rows (MAILER_BATCH of them at most), leased for 30 minutes.  The
 * claim commits before anything is sent, so the lease, not the row
 * lock, keeps other mailers away while the mail goes out.  The lease
 * outlasts a whole batch of transfers at MAILER_TIMEOUT each.
 */
static const char sql_claim[] =
    "WITH due AS (SELECT id FROM email_outbox"
    "  WHERE status = 'pending' AND next_attempt_at <= now()"
    "  ORDER BY next_attempt_at, id LIMIT 20 FOR UPDATE SKIP LOCKED)"
    " UPDATE email_outbox o"
    " SET next_attempt_at = now() + interval '30 minutes'"
    " FROM due WHERE o.id = due.id"
    " RETURNING o.id, o.to_address, o.subject, o.body, o.attempts";

/*
 * What a delivered or abandoned message keeps of its body: mail may
 * carry one-time links (password resets, verifications), and the outbox
 * must never hold a usable secret once it is done with a message.
 */
#define BODY_GONE	"'(not kept after delivery)'"

static const char sql_sent[] =
    "UPDATE email_outbox SET status = 'sent', sent_at = now(),"
    " body = " BODY_GONE ","
    " last_error = NULL WHERE id = $1::bigint AND status = 'pending'";

/*
 * One more failed attempt: 60 s * 2^(attempts before this one) until the
 * next, at most 6 hours; 'failed' once there were MAILER_ATTEMPTS.
 */
static const char sql_retry[] =
    "UPDATE email_outbox SET attempts = attempts + 1,"
    " last_error = left($2, 1000),"
    " status = CASE WHEN attempts + 1 >= 8 THEN 'failed' ELSE 'pending' END,"
    " body = CASE WHEN attempts + 1 >= 8 THEN " BODY_GONE " ELSE body END,"
    " next_attempt_at = now() + make_interval(secs =>"
    "  least(60 * power(2, least(attempts, 20)), 21600))"
    " WHERE id = $1::bigint AND status = 'pending'";

/* A row that can never be sent (a malformed address). */
static const char sql_give_up[] =
    "UPDATE email_outbox SET attempts = attempts + 1, status = 'failed',"
    " body = " BODY_GONE ", last_error = left($2, 1000)"
    " WHERE id = $1::bigint AND status = 'pending'";

/* A claimed row that was not tried (the mailer is stopping). */
static const char sql_release[] =
    "UPDATE email_outbox SET next_attempt_at = now()"
    " WHERE id = $1::bigint AND status = 'pending'";

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static volatile sig_atomic_t	 stopping;

static void
usage(FILE *fp)
{

	fputs("usage: lectern-mailer [--once] [--help]\n"
	    "\n"
	    "Deliver the email outbox over SMTP.  Without --once, run a pass\n"
	    "every LECTERN_MAILER_INTERVAL seconds (default 30) until SIGTERM\n"
	    "or SIGINT; with --once, send what is due and exit.\n"
	    "\n"
	    "Environment:\n"
	    "  LECTERN_DATABASE_URL   the database (else DATABASE_URL)\n"
	    "  LECTERN_SMTP_URL       smtps://host[:port] or\n"
	    "                         smtp://host[:port] (STARTTLS is\n"
	    "                         required unless host is loopback)\n"
	    "  LECTERN_SMTP_USER      SMTP login, if the relay wants one\n"
	    "  LECTERN_SMTP_PASSWORD  its password\n"
	    "  LECTERN_MAIL_FROM      sender address (noreply@example.com)\n"
	    "  LECTERN_MAILER_INTERVAL  seconds between passes (30)\n"
	    "\n"
	    "Exit status: 0 when every due message was handled (sent, or\n"
	    "rescheduled after a failed attempt), 1 when the database is\n"
	    "unusable, 2 on a usage or configuration error.\n", fp);
}

/* Print an error of the mailer itself (no secret is ever passed here). */
static void
warnx_plain(const char *what, const char *detail)
{

	if (detail != NULL)
		fprintf(stderr, "lectern-mailer: %s: %s\n", what, detail);
	else
		fprintf(stderr, "lectern-mailer: %s\n", what);
}

static void
on_signal(int sig)
{

	(void)sig;
	stopping = 1;
}

/* The value of environment variable name, NULL when unset or empty. */
static const char *
env(const char *name)
{
	const char	*v = getenv(name);

	return (v == NULL || *v == '\0') ? NULL : v;
}

/*
 * Whether s is a plain mail address we are willing to put in a header
 * and an SMTP command: printable ASCII without spaces, angle brackets,
 * quotes, commas or other specials (so no CR or LF can smuggle in a
 * header or a command), one '@' with something on each side.  Returns
 * a pointer to the domain part, or NULL.
 */
static const char *
address_ok(const char *s)
{
	const char	*at = NULL, *p;

	if (s == NULL || strlen(s) < 3 || strlen(s) > 254)
		return NULL;
	for (p = s; *p != '\0'; p++) {
		if (*p <= ' ' || *p >= 0x7f || strchr("<>()[]\\,;:\"", *p))
			return NULL;
		if (*p == '@') {
			if (at != NULL)
				return NULL;
			at = p;
		}
	}
	if (at == NULL || at == s || at[1] == '\0')
		return NULL;
	return at + 1;
}

/* Whether host (as curl_url gives it: "[::1]" for IPv6) is loopback. */
static int
host_is_loopback(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;
	char		 buf[64];
	size_t		 len = strlen(host);

	if (strcasecmp(host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (len > 2 && len < sizeof(buf) && host[0] == '[' &&
	    host[len - 1] == ']') {
		memcpy(buf, host + 1, len - 2);
		buf[len - 2] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) == 1)
			return memcmp(&a6, &in6addr_loopback,
			    sizeof(a6)) == 0;
	}
	return 0;
}

/*
 * Check LECTERN_SMTP_URL: smtp or smtps, a host, no credentials (those
 * come from LECTERN_SMTP_USER and LECTERN_SMTP_PASSWORD, so they never
 * show up in an error about the URL).  Sets m->use_ssl.  Returns 0, or
 * -1 after printing why (never the URL itself).
 */
static int
check_smtp_url(struct mailer *m)
{
	CURLU		*u;
	char		*scheme = NULL, *host = NULL, *user = NULL;
	int		 rc = -1;

	if ((u = curl_url()) == NULL) {
		warnx_plain("out of memory", NULL);
		return -1;
	}
	if (curl_url_set(u, CURLUPART_URL, m->smtp_url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		warnx_plain("LECTERN_SMTP_URL", "is not a valid URL");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		warnx_plain("LECTERN_SMTP_URL", "must not carry credentials; "
		    "use LECTERN_SMTP_USER and LECTERN_SMTP_PASSWORD");
		goto out;
	}
	if (strcmp(scheme, "smtps") == 0)
		m->use_ssl = (long)CURLUSESSL_ALL;
	else if (strcmp(scheme, "smtp") == 0)
		m->use_ssl = host_is_loopback(host) ?
		    (long)CURLUSESSL_NONE : (long)CURLUSESSL_ALL;
	else {
		warnx_plain("LECTERN_SMTP_URL", "must be smtp:// or smtps://");
		goto out;
	}
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return rc;
}

/*
 * Read the configuration from the environment into m.  Returns 0, or -1
 * after printing every problem found.
 */
static int
read_config(struct mailer *m)
{
	int	 rc = 0;

	m->dburl = env("LECTERN_DATABASE_URL");
	if (m->dburl == NULL)
		m->dburl = env("DATABASE_URL");
	m->smtp_url = env("LECTERN_SMTP_URL");
	m->user = env("LECTERN_SMTP_USER");
	m->password = env("LECTERN_SMTP_PASSWORD");
	m->from = env("LECTERN_MAIL_FROM");
	m->interval = config_number(getenv("LECTERN_MAILER_INTERVAL"),
	    MAILER_INTERVAL, 86400);
	if (m->dburl == NULL) {
		warnx_plain("LECTERN_DATABASE_URL and DATABASE_URL are unset",
		    NULL);
		rc = -1;
	}
	if (m->smtp_url == NULL) {
		warnx_plain("LECTERN_SMTP_URL is unset", NULL);
		rc = -1;
	} else if (check_smtp_url(m) != 0)
		rc = -1;
	if (m->password != NULL && m->user == NULL) {
		warnx_plain("LECTERN_SMTP_PASSWORD is set without "
		    "LECTERN_SMTP_USER", NULL);
		rc = -1;
	}
	if (m->from == NULL) {
		warnx_plain("LECTERN_MAIL_FROM is unset", NULL);
		rc = -1;
	} else if ((m->domain = address_ok(m->from)) == NULL) {
		warnx_plain("LECTERN_MAIL_FROM",
		    "must be a plain address such as noreply@example.com");
		rc = -1;
	}
	return rc;
}

/* Free b, wiping what it held.  NULL contents are fine. */
static void
sbuf_free(struct sbuf *b)
{

	if (b->p != NULL)
		explicit_bzero(b->p, b->cap);
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* Append len bytes of s to b.  Returns 0, or -1 when out of memory. */
static int
sbuf_add(struct sbuf *b, const char *s, size_t len)
{
	char	*np;
	size_t	 ncap;

	if (b->len + len + 1 > b->cap) {
		ncap = b->cap ? b->cap : 1024;
		while (ncap < b->len + len + 1)
			ncap *= 2;
		/* Not realloc: the old buffer is wiped before it goes. */
		if ((np = malloc(ncap)) == NULL)
			return -1;
		if (b->p != NULL) {
			memcpy(np, b->p, b->len);
			explicit_bzero(b->p, b->cap);
			free(b->p);
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

/* Append the NUL-terminated strings of the list, up to a NULL. */
static int
sbuf_cat(struct sbuf *b, const char *s, ...)
	__attribute__((sentinel));

static int
sbuf_cat(struct sbuf *b, const char *s, ...)
{
	va_list	 ap;
	int	 rc = 0;

	va_start(ap, s);
	for (; s != NULL && rc == 0; s = va_arg(ap, const char *))
		rc = sbuf_add(b, s, strlen(s));
	va_end(ap);
	return rc;
}

/* Append len bytes of data as base64 (with padding). */
static int
sbuf_b64(struct sbuf *b, const unsigned char *d, size_t len)
{
	char	 q[4];
	size_t	 i;

	for (i = 0; i < len; i += 3) {
		unsigned long	 v = (unsigned long)d[i] << 16;

		if (i + 1 < len)
			v |= (unsigned long)d[i + 1] << 8;
		if (i + 2 < len)
			v |= d[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? b64[v & 63] : '=';
		if (sbuf_add(b, q, 4) != 0)
			return -1;
	}
	return 0;
}

/*
 * Append the Subject header for subject: control characters (CR and LF
 * among them, so no header can be injected) become spaces; plain ASCII
 * goes as it is, anything else as RFC 2047 "B" encoded-words of whole
 * UTF-8 characters, folded so that no line passes 76 characters.
 */
static int
sbuf_subject(struct sbuf *b, const char *subject)
{
	unsigned char	*s;
	size_t		 len, i, n;
	int		 ascii = 1, rc = -1;

	if ((s = (unsigned char *)strdup(subject)) == NULL)
		return -1;
	len = strlen((char *)s);
	for (i = 0; i < len; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			s[i] = ' ';
		else if (s[i] >= 0x80)
			ascii = 0;
	}
	if (ascii) {
		rc = sbuf_cat(b, "Subject: ", (char *)s, "\r\n", NULL);
		goto out;
	}
	if (sbuf_cat(b, "Subject:", NULL) != 0)
		goto out;
	for (i = 0; i < len; i += n) {
		n = len - i < MAILER_SUBJECT_CHUNK ? len - i :
		    MAILER_SUBJECT_CHUNK;
		/* Never split a UTF-8 character between two words. */
		while (n > 1 && i + n < len && (s[i + n] & 0xc0) == 0x80)
			n--;
		if (sbuf_cat(b, i == 0 ? " " : "\r\n ", "=?UTF-8?B?",
		    NULL) != 0 || sbuf_b64(b, s + i, n) != 0 ||
		    sbuf_cat(b, "?=", NULL) != 0)
			goto out;
	}
	rc = sbuf_cat(b, "\r\n", NULL);
out:
	free(s);
	return rc;
}

/*
 * Append body with every line ending made CRLF (LF, CRLF and a lone CR
 * alike) and no line longer than MAILER_LINE_MAX bytes (a longer one is
 * broken), ending with CRLF.  Dot-stuffing is libcurl's.
 */
static int
sbuf_body(struct sbuf *b, const char *body)
{
	const char	*p;
	size_t		 col = 0;

	for (p = body; *p != '\0'; p++) {
		if (*p == '\r' || *p == '\n') {
			if (*p == '\r' && p[1] == '\n')
				p++;
			if (sbuf_add(b, "\r\n", 2) != 0)
				return -1;
			col = 0;
			continue;
		}
		if (col == MAILER_LINE_MAX) {
			if (sbuf_add(b, "\r\n", 2) != 0)
				return -1;
			col = 0;
		}
		if (sbuf_add(b, p, 1) != 0)
			return -1;
		col++;
	}
	return col == 0 && b->len >= 2 ? 0 : sbuf_add(b, "\r\n", 2);
}

/*
 * Build the whole message for outbox row id into b: RFC 5322 headers
 * and the body as text/plain UTF-8.  to has passed address_ok.  Returns
 * 0, or -1 when out of memory.
 */
static int
build_message(struct sbuf *b, const struct mailer *m, const char *id,
    const char *to, const char *subject, const char *body)
{
	unsigned char	 rnd[12];
	char		 date[64], hex[sizeof(rnd) * 2 + 1];
	struct tm	 tm;
	time_t		 now = time(NULL);
	size_t		 i;

	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000",
	    &tm) == 0)
		return -1;
	if (getentropy(rnd, sizeof(rnd)) != 0) {
		/* Unique enough for a Message-ID without the kernel's help. */
		memset(rnd, 0, sizeof(rnd));
		memcpy(rnd, &now, sizeof(now) < sizeof(rnd) ? sizeof(now) :
		    sizeof(rnd));
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	if (sbuf_cat(b, "Date: ", date, "\r\n",
	    "From: ", m->from, "\r\n",
	    "To: ", to, "\r\n", NULL) != 0 ||
	    sbuf_subject(b, subject) != 0 ||
	    sbuf_cat(b, "Message-ID: <lectern.", id, ".", hex, "@", m->domain,
	    ">\r\n",
	    "MIME-Version: 1.0\r\n",
	    "Content-Type: text/plain; charset=utf-8\r\n",
	    "Content-Transfer-Encoding: 8bit\r\n",
	    "Auto-Submitted: auto-generated\r\n",
	    "\r\n", NULL) != 0 ||
	    sbuf_body(b, body) != 0)
		return -1;
	return 0;
}

/* libcurl's upload callback: the next bytes of the message. */
static size_t
upload_read(char *dst, size_t size, size_t nmemb, void *arg)
{
	struct upload	*u = arg;
	size_t		 n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	memcpy(dst, u->p + u->off, n);
	u->off += n;
	return n;
}

/*
 * A handle with the options every message shares: the relay,
 * credentials, TLS, timeouts, no proxy, no signals, and errbuf
 * (CURL_ERROR_SIZE bytes) for libcurl's error text.  It lives as long
 * as the process, so a pass reuses the connection of the last one when
 * the relay kept it open.  Returns NULL when libcurl refuses an option
 * (printed); the caller frees the handle with curl_easy_cleanup.
 */
static CURL *
smtp_handle(const struct mailer *m, char *errbuf)
{
	CURL	*c;
	char	 from[300];

	if ((c = curl_easy_init()) == NULL) {
		warnx_plain("curl_easy_init failed", NULL);
		return NULL;
	}
	snprintf(from, sizeof(from), "<%s>", m->from);
	if (curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_URL, m->smtp_url) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps") !=
	    CURLE_OK ||
#else
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS)) != CURLE_OK ||
#endif
	    curl_easy_setopt(c, CURLOPT_USE_SSL, m->use_ssl) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROXY, "") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    MAILER_CONNECT_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT, MAILER_TIMEOUT) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read) !=
	    CURLE_OK ||
	    (m->user != NULL &&
	    curl_easy_setopt(c, CURLOPT_USERNAME, m->user) != CURLE_OK) ||
	    (m->password != NULL &&
	    curl_easy_setopt(c, CURLOPT_PASSWORD, m->password) != CURLE_OK)) {
		warnx_plain("libcurl refused an SMTP option", NULL);
		curl_easy_cleanup(c);
		return NULL;
	}
	return c;
}

/*
 * Replace control characters of s with spaces, so that an error text
 * stays one line in the database and on stderr.
 */
static void
one_line(char *s)
{

	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/*
 * Send one message of row id.  Returns 0 when the relay took it, -1
 * with err (errlen bytes) saying why not: libcurl's text, which never
 * holds the password (the URL has no credentials in it).
 */
static int
send_one(CURL *c, const struct mailer *m, const char *errbuf,
    const char *id, const char *to, const char *subject, const char *body,
    char *err, size_t errlen)
{
	struct sbuf		 msg = { NULL, 0, 0 };
	struct upload		 up;
	struct curl_slist	*rcpt = NULL;
	char			 addr[300];
	CURLcode		 cc;
	int			 rc = -1;

	snprintf(addr, sizeof(addr), "<%s>", to);
	if (build_message(&msg, m, id, to, subject, body) != 0 ||
	    (rcpt = curl_slist_append(NULL, addr)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	up.p = msg.p;
	up.len = msg.len;
	up.off = 0;
	if (curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_READDATA, &up) != CURLE_OK) {
		snprintf(err, errlen, "libcurl refused the recipient");
		goto out;
	}
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		snprintf(err, errlen, "%s", errbuf[0] != '\0' ? errbuf :
		    curl_easy_strerror(cc));
		one_line(err);
		goto out;
	}
	rc = 0;
out:
	(void)curl_easy_setopt(c, CURLOPT_MAIL_RCPT, NULL);
	curl_slist_free_all(rcpt);
	sbuf_free(&msg);
	return rc;
}

/*
 * Run sql with params in a transaction of its own (which pins
 * search_path).  Returns 0, or -1 when the database failed (logged).
 */
static int
record(struct db *db, const char *sql, int n, const char *const *params)
{

	if (db_begin(db, NULL, NULL) != API_OK)
		return -1;
	if (db_exec(db, sql, n, params, NULL) != API_OK) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db) == API_OK ? 0 : -1;
}

/*
 * Deliver row i of the claimed batch res and record the outcome.
 * Returns 0, or -1 when the outcome could not be recorded.
 */
static int
deliver(struct db *db, CURL *c, const struct mailer *m, char *errbuf,
    const struct db_res *res, int i, struct counts *n)
{
	const char	*id, *to, *subject, *body, *attempts, *params[2];
	char		 err[CURL_ERROR_SIZE + 64];
	long		 tried;

	id = db_get(res, i, 0);
	to = db_get(res, i, 1);
	subject = db_get(res, i, 2);
	body = db_get(res, i, 3);
	attempts = db_get(res, i, 4);
	if (id == NULL || subject == NULL || body == NULL || attempts == NULL)
		return -1;
	tried = strtol(attempts, NULL, 10) + 1;
	err[0] = '\0';
	params[0] = id;
	params[1] = err;
	if (address_ok(to) == NULL) {
		snprintf(err, sizeof(err), "invalid recipient address");
		fprintf(stderr, "lectern-mailer: message %s: %s; giving up\n",
		    id, err);
		n->failed++;
		return record(db, sql_give_up, 2, params);
	}
	errbuf[0] = '\0';
	if (send_one(c, m, errbuf, id, to, subject, body, err,
	    sizeof(err)) == 0) {
		fprintf(stderr, "lectern-mailer: message %s: sent\n", id);
		n->sent++;
		return record(db, sql_sent, 1, params);
	}
	if (tried >= MAILER_ATTEMPTS) {
		fprintf(stderr, "lectern-mailer: message %s: attempt %ld "
		    "failed: %s; giving up\n", id, tried, err);
		n->failed++;
	} else {
		fprintf(stderr, "lectern-mailer: message %s: attempt %ld "
		    "failed: %s; will retry\n", id, tried, err);
		n->deferred++;
	}
	return record(db, sql_retry, 2, params);
}

/*
 * One batch: claim due rows, deliver each, record each outcome.  When
 * asked to stop, the rows not yet tried are released.  Returns 0 (with
 * n counting what happened), or -1 when the database failed.
 */
static int
run_batch(struct db *db, CURL *c, const struct mailer *m, char *errbuf,
    struct counts *n)
{
	struct db_res	*res = NULL;
	const char	*id;
	int		 i, rows, rc = -1;

	memset(n, 0, sizeof(*n));
	if (db_begin(db, NULL, NULL) != API_OK)
		return -1;
	if (db_exec(db, sql_claim, 0, NULL, &res) != API_OK ||
	    db_commit(db) != API_OK) {
		db_rollback(db);
		goto out;
	}
	n->claimed = rows = db_nrows(res);
	for (i = 0; i < rows; i++) {
		if (stopping) {
			id = db_get(res, i, 0);
			if (id != NULL && record(db, sql_release, 1, &id) != 0)
				goto out;
			continue;
		}
		if (deliver(db, c, m, errbuf, res, i, n) != 0)
			goto out;
	}
	rc = 0;
out:
	db_res_free(res);
	return rc;
}

/*
 * One pass: batches until fewer than a full one was due.  Connects
 * first when *dbp is NULL; drops the connection when it failed, so the
 * next pass connects afresh.  Returns 0 or -1 (database unusable).
 */
static int
run_pass(struct db **dbp, CURL *c, const struct mailer *m, char *errbuf)
{
	struct counts	 n;

	if (*dbp == NULL && db_connect(m->dburl, NULL, dbp) != API_OK) {
		warnx_plain("cannot connect to the database", NULL);
		return -1;
	}
	do {
		if (run_batch(*dbp, c, m, errbuf, &n) != 0) {
			warnx_plain("database error; see the log line above",
			    NULL);
			db_close(*dbp);
			*dbp = NULL;
			return -1;
		}
		if (n.claimed > 0)
			fprintf(stderr, "lectern-mailer: %d sent, %d to retry, "
			    "%d failed\n", n.sent, n.deferred, n.failed);
	} while (n.claimed == MAILER_BATCH && !stopping);
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct mailer		 m;
	struct sigaction	 sa;
	struct db		*db = NULL;
	CURL			*c;
	char			 errbuf[CURL_ERROR_SIZE];
	long long		 t;
	int			 ch, rc = 0;

	memset(&m, 0, sizeof(m));
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
		switch (ch) {
		case 'o':
			m.once = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_CONFIG;
		}
	if (optind != argc) {
		usage(stderr);
		return EXIT_CONFIG;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		warnx_plain("curl_global_init failed", NULL);
		return EXIT_CONFIG;
	}
	if (read_config(&m) != 0 || (c = smtp_handle(&m, errbuf)) == NULL) {
		curl_global_cleanup();
		return EXIT_CONFIG;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)signal(SIGPIPE, SIG_IGN);

	while (!stopping) {
		if (run_pass(&db, c, &m, errbuf) != 0 && m.once) {
			rc = EXIT_DB;
			break;
		}
		if (m.once)
			break;
		for (t = 0; t < m.interval && !stopping; t++)
			sleep(1);
	}
	db_close(db);
	curl_easy_cleanup(c);
	curl_global_cleanup();
	return rc;
}

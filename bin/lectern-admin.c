/*
 * lectern — lectern-admin: the operator's command line (SPEC §3, §8).
 *
 * create-admin makes the first admin (there is never a default account),
 * import-users moves accounts over from the Flask app lectern replaces,
 * keeping their Werkzeug password hashes (they are upgraded to Argon2id
 * at the next sign-in), cleanup deletes rows that have expired, and
 * remind queues the mail that reminds learners of live sessions.  The
 * program connects as the owner role named by DATABASE_URL (scripts/run
 * writes it to var/lectern.env); the application role could not delete.
 * Passwords are read from the terminal without echo, or as one line of
 * standard input; neither they nor DATABASE_URL are ever printed.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "auth.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "httpc.h"
#include "json.h"
#include "password.h"
#include "ratelimit.h"
#include "upload.h"
#include "valid.h"

#define EXIT_FAIL	1	/* the command failed */
#define EXIT_USAGE	2	/* bad usage */

#define IMPORT_LINE_MAX	65536	/* bytes of one JSON line */

typedef int (*cmd_fn)(int argc, char *argv[]);

struct cmd {
	const char	*name;
	cmd_fn		 fn;
	const char	*args;
	const char	*what;
};

/* One valid line of an import file; the strings are owned. */
struct import_row {
	long		 line;
	char		*email;
	char		*name;
	char		*role;
	char		*hash;
	int		 active;
};

struct import_set {
	struct import_row *rows;
	size_t		 n;
	size_t		 cap;
	long		 rejected;
};

enum ifield { IF_EMAIL, IF_NAME, IF_ROLE, IF_HASH, IF_ACTIVE, IF__MAX };

static const struct vfield import_fields[IF__MAX] = {
	{ "email", valid_email, VF_REQUIRED, 0, 0 },
	{ "name", valid_string, VF_REQUIRED, 1, 200 },
	{ "role", valid_string, VF_REQUIRED, 1, 16 },
	{ "password_hash", valid_string, VF_REQUIRED | VF_NOTRIM, 1, 1024 },
	{ "is_active", valid_bool, 0, 0, 0 },
};

static const struct vfield email_field =
	{ "email", valid_email, VF_REQUIRED, 0, 0 };
static const struct vfield name_field =
	{ "name", valid_string, VF_REQUIRED, 1, 200 };

static const char sql_user_exists[] =
    "SELECT 1 FROM users WHERE lower(email) = lower($1)";

static const char sql_insert_admin[] =
    "INSERT INTO users (email, name, password_hash, role)"
    " VALUES ($1, $2, $3, 'admin')"
    " ON CONFLICT (lower(email)) DO NOTHING RETURNING id";

static const char sql_insert_user[] =
    "INSERT INTO users (email, name, password_hash, role, is_active)"
    " VALUES ($1, $2, $3, $4, $5::boolean)"
    " ON CONFLICT (lower(email)) DO NOTHING RETURNING id";

static const char sql_audit[] =
    "INSERT INTO audit_logs (actor_user_id, action, target_type, target_id,"
    " details) VALUES (NULL, $1, $2, $3, $4::jsonb)";

/* Each imported account, by address and role. */
static const char sql_audit_import[] =
    "INSERT INTO audit_logs (actor_user_id, action, target_type, target_id,"
    " details) VALUES (NULL, 'user.import', 'user', $1,"
    " jsonb_build_object('via', 'lectern-admin', 'email', $2::text,"
    " 'role', $3::text))";

static const char sql_clean_revoked[] =
    "WITH d AS (DELETE FROM revoked_tokens WHERE expires_at < now()"
    " RETURNING 1) SELECT count(*) FROM d";

/* Their refresh tokens go with them (ON DELETE CASCADE). */
static const char sql_clean_sessions[] =
    "WITH d AS (DELETE FROM sessions WHERE expires_at < now()"
    " RETURNING 1) SELECT count(*) FROM d";

static const char sql_clean_resets[] =
    "WITH d AS (DELETE FROM password_resets WHERE expires_at < now()"
    " OR used_at < now() - interval '1 day' RETURNING 1)"
    " SELECT count(*) FROM d";

/* Uploads never finished within a day are given up. */
static const char sql_clean_uploads[] =
    "WITH d AS (UPDATE uploads SET status = 'deleted'"
    " WHERE status IN ('pending', 'uploading')"
    " AND created_at < now() - interval '1 day' RETURNING 1)"
    " SELECT count(*) FROM d";

static const char sql_deleted_uploads[] =
    "SELECT id, backend, storage_key FROM uploads WHERE status = 'deleted'"
    " ORDER BY id";

static const char sql_forget_upload[] =
    "DELETE FROM uploads WHERE id = $1::bigint AND status = 'deleted'";

static const char sql_upload_named[] =
    "SELECT 1 FROM uploads WHERE storage_key = $1";

/* $1: the longest configured window, in seconds. */
static const char sql_clean_limits[] =
    "WITH d AS (DELETE FROM rate_limits WHERE window_start"
    " + make_interval(secs => $1::int) < now() - interval '1 day'"
    " RETURNING 1) SELECT count(*) FROM d";

/*
 * Reminders of the scheduled sessions that start within 24 hours, to
 * every active learner of the course: "24h" while the start is more
 * than an hour away, "1h" within the hour.  session_reminders' key lets
 * each (session, learner, kind, start) through once: of two runs at
 * once the second waits on the first's rows and then inserts nothing,
 * and only the rows inserted here queue a mail.
 */
static const char sql_remind[] =
    "WITH due AS (SELECT s.id AS session_id, e.user_id, k.kind,"
    "  s.starts_at, s.title, s.duration_minutes, c.title AS course_title,"
    "  u.email, u.name"
    "  FROM live_sessions s JOIN courses c ON c.id = s.course_id"
    "  CROSS JOIN (VALUES ('24h'), ('1h')) AS k(kind)"
    "  JOIN enrollments e ON e.course_id = s.course_id"
    "   AND e.status = 'active'"
    "  JOIN users u ON u.id = e.user_id AND u.is_active"
    "  WHERE s.status = 'scheduled' AND s.starts_at > now()"
    "  AND s.starts_at <= now() + interval '24 hours'"
    "  AND CASE k.kind WHEN '1h' THEN s.starts_at <= now()"
    "   + interval '1 hour' ELSE s.starts_at > now() + interval '1 hour'"
    "   END),"
    " ins AS (INSERT INTO session_reminders (session_id, user_id, kind,"
    "  starts_at) SELECT session_id, user_id, kind, starts_at FROM due"
    "  ON CONFLICT DO NOTHING RETURNING session_id, user_id, kind),"
    " mail AS (INSERT INTO email_outbox (to_address, subject, body)"
    "  SELECT d.email, left(CASE d.kind WHEN '1h' THEN 'Starting soon: '"
    "   ELSE 'Reminder: ' END || d.title, 200),"
    "   'Hello ' || d.name || E',\\n\\nThe live session \"' || d.title"
    "   || '\" of the course \"' || d.course_title || '\" starts at '"
    "   || to_char(d.starts_at AT TIME ZONE 'UTC',"
    "   'YYYY-MM-DD HH24:MI \"UTC\"') || ' and lasts '"
    "   || d.duration_minutes || E' minutes.\\nJoin it from the course'"
    "   || E' page, from 15 minutes before the start.\\n'"
    "  FROM ins JOIN due d ON d.session_id = ins.session_id"
    "   AND d.user_id = ins.user_id AND d.kind = ins.kind RETURNING 1)"
    " SELECT count(*) FROM mail";

static int	cmd_create_admin(int, char *[]);
static int	cmd_import_users(int, char *[]);
static int	cmd_cleanup(int, char *[]);
static int	cmd_remind(int, char *[]);

static const struct cmd cmds[] = {
	{ "create-admin", cmd_create_admin, "--email EMAIL --name NAME",
	  "Create an active admin.  The password is read from the terminal\n"
	  "    (twice, without echo) or, when standard input is not a\n"
	  "    terminal, as its first line.  LECTERN_PASSWORD_MIN applies." },
	{ "import-users", cmd_import_users, "FILE | -",
	  "Import users from JSON lines {email, name, role, password_hash,\n"
	  "    is_active?}: Argon2id, pbkdf2:sha256 or scrypt hashes as the\n"
	  "    Flask app stored them.  One transaction: any rejected line\n"
	  "    and nothing is imported.  Existing emails are skipped." },
	{ "cleanup", cmd_cleanup, "",
	  "Delete expired revoked tokens, sessions (with their refresh\n"
	  "    tokens), password resets and old rate-limit windows; uploads\n"
	  "    still pending after a day, the files of deleted uploads (local\n"
	  "    or S3), and files in LECTERN_UPLOAD_DIR that no upload names." },
	{ "remind", cmd_remind, "",
	  "Queue reminders of live sessions 24 hours and 1 hour before\n"
	  "    they start, each once, to every enrolled learner (for cron;\n"
	  "    runs may overlap)." },
	{ NULL, NULL, NULL, NULL }
};

/* The terminal state to restore when a password prompt is cut short. */
static struct termios	 saved_tty;
static volatile sig_atomic_t tty_changed;

/* Print the usage, with every command, to fp. */
static void
usage(FILE *fp)
{
	const struct cmd	*c;

	fputs("usage: lectern-admin COMMAND [ARGS]\n"
	    "       lectern-admin --help\n\nCommands:\n", fp);
	for (c = cmds; c->name != NULL; c++)
		fprintf(fp, "  %s%s%s\n    %s\n", c->name,
		    *c->args != '\0' ? " " : "", c->args, c->what);
	fputs("\nEnvironment:\n"
	    "  DATABASE_URL          the database, as its owner role\n"
	    "                        (scripts/run writes var/lectern.env)\n"
	    "  LECTERN_PASSWORD_MIN  shortest password (default 12)\n"
	    "\nExit status: 0 on success, 1 when the command failed, 2 on a\n"
	    "usage error.\n", fp);
}

/* Whether s asks for help. */
static int
is_help(const char *s)
{

	return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0 ||
	    strcmp(s, "help") == 0;
}

/*
 * Connect to DATABASE_URL into *db.  Returns 0, or -1 after saying why
 * (never the URL: it may hold a password).
 */
static int
open_db(struct db **db)
{
	const char	*url = getenv("DATABASE_URL");

	*db = NULL;
	if (url == NULL || *url == '\0') {
		fputs("lectern-admin: DATABASE_URL is not set (scripts/run "
		    "writes it to var/lectern.env)\n", stderr);
		return -1;
	}
	if (db_connect(url, NULL, db) != API_OK) {
		fputs("lectern-admin: cannot connect to the database named "
		    "by DATABASE_URL\n", stderr);
		return -1;
	}
	return 0;
}

/*
 * Say that what failed in the database; the server's message is in the
 * JSON log line db_exec wrote just before.
 */
static void
db_failed(const char *what)
{

	fprintf(stderr, "lectern-admin: %s failed in the database\n", what);
}

/*
 * Check s with validator field f into *out (a new string the caller
 * frees).  Returns 1, or 0 with *why set.
 */
static int
check_arg(const struct vfield *f, const char *s, char **out,
    const char **why)
{
	cJSON		*it;
	union vval	 v;
	int		 ok;

	*out = NULL;
	*why = "could not be stored";
	if ((it = cJSON_CreateString(s)) == NULL)
		return 0;
	v.s = NULL;
	if ((ok = f->fn(it, f, &v, why)) != 0)
		*out = v.s;
	cJSON_Delete(it);
	return ok;
}

/*
 * On SIGINT or SIGTERM during a prompt: give the terminal its echo back,
 * then die of the signal as if it had not been caught.
 */
static void
restore_tty(int sig)
{

	if (tty_changed)
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Read one line of standard input into buf (size bytes) and strip the
 * line end.  Returns 0, or -1 at end of input or when the line does not
 * fit (the rest of it is read and thrown away).
 */
static int
read_line(char *buf, size_t size)
{
	size_t	 len;
	int	 c;

	if (fgets(buf, (int)size, stdin) == NULL)
		return -1;
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	else if (len == size - 1) {
		while ((c = getchar()) != EOF && c != '\n')
			continue;
		explicit_bzero(buf, size);
		return -1;
	}
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return 0;
}

/*
 * Prompt on the terminal with echo off and read a line into buf.
 * Returns 0 or -1.
 */
static int
prompt(const char *what, char *buf, size_t size)
{
	struct termios	 t;
	int		 rc;

	if (tcgetattr(STDIN_FILENO, &saved_tty) != 0)
		return -1;
	t = saved_tty;
	t.c_lflag &= ~(tcflag_t)ECHO;
	t.c_lflag |= ECHONL;
	fputs(what, stderr);
	fflush(stderr);
	tty_changed = 1;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) != 0) {
		tty_changed = 0;
		return -1;
	}
	rc = read_line(buf, size);
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	tty_changed = 0;
	return rc;
}

/*
 * The new password, from the terminal (asked twice) or from the first
 * line of standard input.  Returns a new string the caller wipes and
 * frees with crypto_wipe_free, or NULL after saying why.
 */
static char *
read_password(void)
{
	size_t	 size = PASSWORD_MAX_BYTES + 2;
	char	*pw, *again = NULL;
	int	 ok = 0;

	if ((pw = calloc(1, size)) == NULL) {
		fputs("lectern-admin: out of memory\n", stderr);
		return NULL;
	}
	if (!isatty(STDIN_FILENO)) {
		if (read_line(pw, size) == 0 && *pw != '\0')
			ok = 1;
		else
			fputs("lectern-admin: no password on standard input "
			    "(one line expected)\n", stderr);
	} else if ((again = calloc(1, size)) == NULL)
		fputs("lectern-admin: out of memory\n", stderr);
	else {
		signal(SIGINT, restore_tty);
		signal(SIGTERM, restore_tty);
		if (prompt("Password: ", pw, size) != 0 ||
		    prompt("Password again: ", again, size) != 0)
			fputs("lectern-admin: no password read\n", stderr);
		else if (!crypto_streq(pw, again))
			fputs("lectern-admin: the passwords differ\n", stderr);
		else
			ok = 1;
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
	}
	if (again != NULL) {
		explicit_bzero(again, size);
		free(again);
	}
	if (!ok) {
		explicit_bzero(pw, size);
		free(pw);
		return NULL;
	}
	return pw;
}

/*
 * Check pw against the password policy for email.  Returns 0, or -1
 * after saying why.
 */
static int
policy_ok(const char *pw, const char *email)
{
	size_t		 min = config_get()->password_min;
	const char	*why;
	enum api_err	 er;

	er = password_check_policy(pw, email, min, &why);
	if (er == API_OK)
		return 0;
	if (er == API_INVALID)
		fprintf(stderr, "lectern-admin: the password %s (it needs "
		    "%zu to %d characters, must not be a common or "
		    "dictionary password, nor based on the email)\n", why,
		    min, PASSWORD_MAX_CHARS);
	else
		fputs("lectern-admin: the password could not be checked "
		    "(is the cracklib dictionary installed?)\n", stderr);
	return -1;
}

/*
 * Insert the admin email/name/hash and its audit row in one
 * transaction.  Returns 0, 1 when the email is taken, -1 on a database
 * error (said).
 */
static int
insert_admin(struct db *db, const char *email, const char *name,
    const char *hash)
{
	struct db_res	*res = NULL;
	const char	*params[4], *id;
	int		 rc = -1;

	params[0] = email;
	params[1] = name;
	params[2] = hash;
	if (db_begin(db, NULL, NULL) != API_OK ||
	    db_exec(db, sql_insert_admin, 3, params, &res) != API_OK)
		goto out;
	if ((id = db_get(res, 0, 0)) == NULL) {
		rc = 1;
		goto out;
	}
	params[0] = "user.create_admin";
	params[1] = "user";
	params[2] = id;
	params[3] = "{\"via\": \"lectern-admin\"}";
	if (db_exec(db, sql_audit, 4, params, NULL) != API_OK ||
	    db_commit(db) != API_OK)
		goto out;
	printf("created admin %s (id %s)\n", email, id);
	rc = 0;
out:
	if (rc == -1)
		db_failed("creating the admin");
	db_rollback(db);
	db_res_free(res);
	return rc;
}

/*
 * Whether the email is taken.  Returns 1 or 0, or -1 on a database
 * error (said).
 */
static int
email_taken(struct db *db, const char *email)
{
	struct db_res	*res = NULL;
	int		 rc = -1;

	if (db_begin(db, NULL, NULL) != API_OK ||
	    db_exec(db, sql_user_exists, 1, &email, &res) != API_OK)
		db_failed("looking up the email");
	else
		rc = db_nrows(res) > 0;
	db_rollback(db);
	db_res_free(res);
	return rc;
}

/* create-admin --email EMAIL --name NAME */
static int
cmd_create_admin(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct db	*db = NULL;
	const char	*email_arg = NULL, *name_arg = NULL, *why;
	char		*email = NULL, *name = NULL, *pw = NULL, *hash = NULL;
	int		 ch, rc = EXIT_USAGE, taken;

	while ((ch = getopt_long(argc, argv, "e:n:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'e':
			email_arg = optarg;
			break;
		case 'n':
			name_arg = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || email_arg == NULL || name_arg == NULL) {
		fputs("usage: lectern-admin create-admin --email EMAIL "
		    "--name NAME\n", stderr);
		return EXIT_USAGE;
	}
	if (!check_arg(&email_field, email_arg, &email, &why)) {
		fprintf(stderr, "lectern-admin: --email %s\n", why);
		goto out;
	}
	if (!check_arg(&name_field, name_arg, &name, &why)) {
		fprintf(stderr, "lectern-admin: --name %s\n", why);
		goto out;
	}
	rc = EXIT_FAIL;
	if (open_db(&db) != 0 || (taken = email_taken(db, email)) == -1)
		goto out;
	if (taken) {
		fprintf(stderr, "lectern-admin: an account with the email %s "
		    "already exists; nothing was changed\n", email);
		goto out;
	}
	if ((pw = read_password()) == NULL || policy_ok(pw, email) != 0)
		goto out;
	if (password_hash(pw, &hash) != API_OK) {
		fputs("lectern-admin: the password could not be hashed\n",
		    stderr);
		goto out;
	}
	switch (insert_admin(db, email, name, hash)) {
	case 0:
		rc = 0;
		break;
	case 1:
		fprintf(stderr, "lectern-admin: an account with the email %s "
		    "already exists; nothing was changed\n", email);
		break;
	default:
		break;
	}
out:
	db_close(db);
	crypto_wipe_free(hash);
	crypto_wipe_free(pw);
	free(email);
	free(name);
	return rc;
}

/*
 * Whether the n bytes at s are all lower-case hex digits.
 */
static int
lower_hex(const char *s, size_t n)
{

	for (; n > 0; n--, s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

/*
 * Whether h has the shape of a hash password_verify understands:
 * "$argon2id$v=..$m=..,t=..,p=..$salt$hash", "pbkdf2:sha256:N$salt$hex"
 * (64 hex digits) or "scrypt:N:r:p$salt$hex" (128 hex digits).  The
 * numbers themselves are password_verify's to judge; a hash it refuses
 * simply never verifies.
 */
static int
hash_known(const char *h)
{
	const char	*salt, *hex, *p;
	size_t		 hexlen, n;

	if (strncmp(h, "$argon2id$v=", 12) == 0) {
		for (n = 0, p = h; *p != '\0'; p++)
			n += *p == '$';
		return n == 5 && strstr(h, "$m=") != NULL &&
		    h[strlen(h) - 1] != '$' && strstr(h, "$$") == NULL;
	}
	if (strncmp(h, "pbkdf2:sha256:", 14) == 0) {
		p = h + 14;
		hexlen = 64;
	} else if (strncmp(h, "scrypt:", 7) == 0) {
		p = h + 7;
		hexlen = 128;
	} else
		return 0;
	for (; *p != '$'; p++)
		if (!((*p >= '0' && *p <= '9') || *p == ':'))
			return 0;
	salt = p + 1;
	if ((hex = strchr(salt, '$')) == NULL || hex == salt)
		return 0;
	hex++;
	return strlen(hex) == hexlen && lower_hex(hex, hexlen);
}

/* Free the rows of s. */
static void
import_free(struct import_set *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		free(s->rows[i].email);
		free(s->rows[i].name);
		free(s->rows[i].role);
		crypto_wipe_free(s->rows[i].hash);
	}
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

/* Print why line lno was rejected: each field of errs, or msg. */
static void
reject(struct import_set *s, long lno, const cJSON *errs, const char *msg)
{
	const cJSON	*it;
	const char	*sep = " ";

	s->rejected++;
	fprintf(stderr, "lectern-admin: line %ld rejected:", lno);
	if (errs == NULL)
		fprintf(stderr, " %s", msg != NULL ? msg : "is not valid");
	else
		cJSON_ArrayForEach(it, errs) {
			fprintf(stderr, "%s%s %s", sep, it->string,
			    cJSON_IsString(it) ? it->valuestring :
			    "is not valid");
			sep = "; ";
		}
	fputc('\n', stderr);
}

/*
 * Add a row for line lno to s, taking the strings of in (which are then
 * cleared).  Returns 0, or -1 when out of memory (in is left as it was).
 */
static int
import_add(struct import_set *s, long lno, struct vout *in)
{
	struct import_row	*rows, *row;
	size_t			 cap;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 64;
		if ((rows = reallocarray(s->rows, cap, sizeof(*rows))) == NULL)
			return -1;
		s->rows = rows;
		s->cap = cap;
	}
	row = &s->rows[s->n++];
	row->line = lno;
	row->email = in[IF_EMAIL].v.s;
	row->name = in[IF_NAME].v.s;
	row->role = in[IF_ROLE].v.s;
	row->hash = in[IF_HASH].v.s;
	row->active = in[IF_ACTIVE].present ? in[IF_ACTIVE].v.b : 1;
	memset(in, 0, IF__MAX * sizeof(*in));
	return 0;
}

/*
 * Check one line (len bytes, NUL-terminated) and add it to s, or count
 * it as rejected.  Returns 0, or -1 when out of memory.
 */
static int
import_line(struct import_set *s, long lno, const char *line, size_t len)
{
	struct vout	 in[IF__MAX];
	cJSON		*obj = NULL, *errs = NULL;
	enum api_err	 er;
	int		 rc = 0;

	if (json_parse(line, len, &obj) != API_OK || !cJSON_IsObject(obj)) {
		reject(s, lno, NULL, "not a JSON object");
		goto out;
	}
	if ((er = valid_object(obj, import_fields, IF__MAX, in,
	    &errs)) != API_OK) {
		if (er == API_ENOMEM)
			rc = -1;
		else
			reject(s, lno, errs, NULL);
		goto out;
	}
	if (auth_role_bit(in[IF_ROLE].v.s) == 0)
		reject(s, lno, NULL, "role must be student, teacher, "
		    "instructor or admin");
	else if (!hash_known(in[IF_HASH].v.s))
		reject(s, lno, NULL, "password_hash is not an Argon2id, "
		    "pbkdf2:sha256 or scrypt hash");
	else
		rc = import_add(s, lno, in);
	valid_out_free(in, import_fields, IF__MAX);
out:
	cJSON_Delete(errs);
	cJSON_Delete(obj);
	return rc;
}

/*
 * Read every line of fp into s.  Blank lines are skipped.  Returns 0, or
 * -1 after saying why (a read error, out of memory).
 */
static int
import_read(FILE *fp, struct import_set *s)
{
	char		*line = NULL;
	size_t		 cap = 0, len, i;
	ssize_t		 n;
	long		 lno = 0;
	int		 rc = -1;

	while ((n = getline(&line, &cap, fp)) != -1) {
		lno++;
		len = (size_t)n;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t');)
			i++;
		if (i == len)
			continue;
		if (len > IMPORT_LINE_MAX) {
			reject(s, lno, NULL, "the line is too long");
			continue;
		}
		if (import_line(s, lno, line, len) != 0) {
			fputs("lectern-admin: out of memory\n", stderr);
			goto out;
		}
	}
	if (ferror(fp)) {
		fputs("lectern-admin: cannot read the import file\n", stderr);
		goto out;
	}
	rc = 0;
out:
	if (line != NULL) {
		explicit_bzero(line, cap);
		free(line);
	}
	return rc;
}

/*
 * Insert the rows of s in one transaction, counting the imported ones
 * in *imported and those whose email exists in *skipped, and audit each
 * imported account (its email and role) and the import as a whole.  Returns 0, or -1 on a database error (said; nothing is then
 * imported).
 */
static int
import_write(struct db *db, const struct import_set *s, long *imported,
    long *skipped)
{
	struct db_res	*res = NULL;
	const char	*params[5];
	char		 details[128];
	size_t		 i;
	int		 rc = -1;

	*imported = *skipped = 0;
	if (db_begin(db, NULL, NULL) != API_OK)
		goto out;
	for (i = 0; i < s->n; i++) {
		params[0] = s->rows[i].email;
		params[1] = s->rows[i].name;
		params[2] = s->rows[i].hash;
		params[3] = s->rows[i].role;
		params[4] = s->rows[i].active ? "true" : "false";
		if (db_exec(db, sql_insert_user, 5, params, &res) != API_OK) {
			fprintf(stderr, "lectern-admin: line %ld could not be "
			    "inserted\n", s->rows[i].line);
			goto out;
		}
		if (db_nrows(res) == 1) {
			(*imported)++;
			params[0] = db_get(res, 0, 0);
			params[1] = s->rows[i].email;
			params[2] = s->rows[i].role;
			if (db_exec(db, sql_audit_import, 3, params, NULL) !=
			    API_OK)
				goto out;
		} else
			(*skipped)++;
		db_res_free(res);
		res = NULL;
	}
	snprintf(details, sizeof(details), "{\"via\": \"lectern-admin\","
	    " \"imported\": %ld, \"skipped\": %ld}", *imported, *skipped);
	params[0] = "user.import";
	params[1] = NULL;
	params[2] = NULL;
	params[3] = details;
	if (db_exec(db, sql_audit, 4, params, NULL) != API_OK ||
	    db_commit(db) != API_OK)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		db_failed("the import");
		*imported = *skipped = 0;
	}
	db_rollback(db);
	db_res_free(res);
	return rc;
}

/* import-users FILE|- */
static int
cmd_import_users(int argc, char *argv[])
{
	struct import_set	 s;
	struct db		*db = NULL;
	FILE			*fp;
	long			 imported = 0, skipped = 0;
	int			 rc = EXIT_FAIL;

	if (argc == 2 && is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (argc != 2) {
		fputs("usage: lectern-admin import-users FILE|-\n", stderr);
		return EXIT_USAGE;
	}
	memset(&s, 0, sizeof(s));
	if (strcmp(argv[1], "-") == 0)
		fp = stdin;
	else if ((fp = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "lectern-admin: cannot open %s\n", argv[1]);
		return EXIT_FAIL;
	}
	if (import_read(fp, &s) != 0)
		goto out;
	if (s.rejected > 0)
		fputs("lectern-admin: nothing imported: fix the rejected "
		    "lines and run the import again\n", stderr);
	else if (open_db(&db) != 0 ||
	    import_write(db, &s, &imported, &skipped) != 0)
		goto out;
	printf("imported %ld, skipped %ld (exists), rejected %ld\n",
	    imported, skipped, s.rejected);
	if (s.rejected == 0)
		rc = 0;
out:
	if (fp != stdin)
		fclose(fp);
	db_close(db);
	import_free(&s);
	return rc;
}

/*
 * Run one counting DELETE and print "what: N".  Returns 0 or -1 (said).
 */
static int
clean(struct db *db, const char *what, const char *sql, int n,
    const char *const *params)
{
	struct db_res	*res = NULL;
	const char	*v;

	if (db_exec(db, sql, n, params, &res) != API_OK ||
	    (v = db_get(res, 0, 0)) == NULL) {
		db_res_free(res);
		db_failed(what);
		return -1;
	}
	printf("%s: %s deleted\n", what, v);
	db_res_free(res);
	return 0;
}

/*
 * Remove the stored object of a deleted upload: the local file, or the
 * S3 object with a presigned DELETE.  Returns 0 (gone, or never there)
 * or -1 (said on stderr; the row stays for the next run).
 */
static int
remove_object(const struct upload_conf *uc, const char *backend,
    const char *key)
{
	struct httpc_req	 q;
	struct httpc_resp	 resp;
	char			 path[1024], url[UPLOAD_URL_MAX];
	int			 rc = -1;

	if (strcmp(backend, "local") == 0) {
		if (upload_path(uc, key, path, sizeof(path)) != 0)
			return -1;
		if (unlink(path) == -1 && errno != ENOENT) {
			fprintf(stderr, "lectern-admin: unlink %s: %s\n", path,
			    strerror(errno));
			return -1;
		}
		return 0;
	}
	if (uc->backend != UPLOAD_S3 || upload_s3_url(uc, "DELETE", key,
	    time(NULL), url, sizeof(url)) != API_OK) {
		fputs("lectern-admin: S3 objects to delete, but the S3 "
		    "backend is not configured\n", stderr);
		return -1;
	}
	memset(&q, 0, sizeof(q));
	q.method = "DELETE";
	q.url = url;
	if (httpc_request(&q, &resp, NULL) == API_OK &&
	    (resp.status == 200 || resp.status == 204 || resp.status == 404))
		rc = 0;
	else
		fprintf(stderr, "lectern-admin: S3 DELETE failed: %s\n",
		    resp.status ? "refused" : resp.error);
	httpc_resp_free(&resp);
	return rc;
}

/*
 * Delete the objects and rows of deleted uploads, then the files under
 * the local upload directory that no upload names (older than an hour)
 * and temporary files of PUTs that died (older than a day).  Prints the
 * counts.  Returns 0 or -1 (said).
 */
static int
clean_uploads(struct db *db)
{
	struct upload_conf	 uc;
	struct db_res		*res = NULL, *named = NULL;
	struct dirent		*e;
	struct stat		 st;
	DIR			*d;
	const char		*p[1];
	char			 path[2048], tmpdir[1024];
	long			 objects = 0, orphans = 0;
	int			 i, n, rc = -1, pass;
	time_t			 now = time(NULL);

	upload_conf(&uc);
	if (db_exec(db, sql_deleted_uploads, 0, NULL, &res) != API_OK) {
		db_failed("uploads");
		return -1;
	}
	for (i = 0; i < db_nrows(res); i++) {
		if (remove_object(&uc, db_get(res, i, 1), db_get(res, i, 2)) !=
		    0)
			continue;
		p[0] = db_get(res, i, 0);
		if (db_exec(db, sql_forget_upload, 1, p, NULL) != API_OK) {
			db_failed("uploads");
			goto out;
		}
		objects++;
	}
	printf("upload objects: %ld deleted\n", objects);
	snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", uc.dir);
	for (pass = 0; pass < 2; pass++) {
		if ((d = opendir(pass == 0 ? uc.dir : tmpdir)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			n = snprintf(path, sizeof(path), "%s/%s", pass == 0 ?
			    uc.dir : tmpdir, e->d_name);
			if (n < 0 || (size_t)n >= sizeof(path) ||
			    lstat(path, &st) == -1 || !S_ISREG(st.st_mode))
				continue;
			if (pass == 1) {
				/* A PUT in progress never lasts a day. */
				if (st.st_mtime > now - 86400)
					continue;
			} else {
				/* A file is named before it is written. */
				if (st.st_mtime > now - 3600)
					continue;
				p[0] = e->d_name;
				if (db_exec(db, sql_upload_named, 1, p,
				    &named) != API_OK) {
					closedir(d);
					db_failed("uploads");
					goto out;
				}
				i = db_nrows(named);
				db_res_free(named);
				named = NULL;
				if (i > 0)
					continue;
			}
			if (unlink(path) == 0)
				orphans++;
		}
		closedir(d);
	}
	printf("upload files: %ld orphans deleted\n", orphans);
	rc = 0;
out:
	db_res_free(res);
	return rc;
}

/* cleanup */
static int
cmd_cleanup(int argc, char *argv[])
{
	struct db	*db = NULL;
	const char	*param;
	char		 win[24];
	long long	 limit, window, longest = 0;
	int		 c, rc = EXIT_FAIL;

	if (argc == 2 && is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (argc != 1) {
		fputs("usage: lectern-admin cleanup\n", stderr);
		return EXIT_USAGE;
	}
	/*
	 * A counter's window length is its class's; keeping every row
	 * until the longest window plus a day has passed is simple and
	 * never deletes a live one.
	 */
	for (c = 0; c < RL__MAX; c++) {
		ratelimit_config((enum rl_class)c, &limit, &window);
		if (window > longest)
			longest = window;
	}
	snprintf(win, sizeof(win), "%lld", longest);
	param = win;
	if (open_db(&db) != 0)
		goto out;
	if (db_begin(db, NULL, NULL) != API_OK) {
		db_failed("cleanup");
		goto out;
	}
	if (clean(db, "revoked_tokens", sql_clean_revoked, 0, NULL) != 0 ||
	    clean(db, "sessions", sql_clean_sessions, 0, NULL) != 0 ||
	    clean(db, "password_resets", sql_clean_resets, 0, NULL) != 0 ||
	    clean(db, "rate_limits", sql_clean_limits, 1, &param) != 0 ||
	    clean(db, "uploads (pending over a day)", sql_clean_uploads, 0,
	    NULL) != 0)
		goto out;
	if (db_commit(db) != API_OK) {
		db_failed("cleanup");
		goto out;
	}
	/* Outside a transaction: each object goes, then its row. */
	if (clean_uploads(db) != 0)
		goto out;
	rc = 0;
out:
	db_close(db);
	return rc;
}

/* remind */
static int
cmd_remind(int argc, char *argv[])
{
	struct db	*db = NULL;
	struct db_res	*res = NULL;
	const char	*v;
	int		 rc = EXIT_FAIL;

	if (argc == 2 && is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	if (argc != 1) {
		fputs("usage: lectern-admin remind\n", stderr);
		return EXIT_USAGE;
	}
	if (open_db(&db) != 0)
		goto out;
	if (db_begin(db, NULL, NULL) != API_OK ||
	    db_exec(db, sql_remind, 0, NULL, &res) != API_OK ||
	    (v = db_get(res, 0, 0)) == NULL ||
	    db_commit(db) != API_OK) {
		db_failed("remind");
		goto out;
	}
	printf("reminders: %s queued\n", v);
	rc = 0;
out:
	db_rollback(db);
	db_res_free(res);
	db_close(db);
	return rc;
}

int
main(int argc, char *argv[])
{
	const struct cmd	*c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		usage(stdout);
		return 0;
	}
	for (c = cmds; c->name != NULL; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "lectern-admin: unknown command; see "
	    "lectern-admin --help\n");
	return EXIT_USAGE;
}

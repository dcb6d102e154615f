/*
 * lectern — upload: settings, file rules, signed URLs and JSON of the
 * upload endpoints (SPEC §6.1).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "row.h"
#include "sigv4.h"
#include "upload.h"
#include "valid.h"

#define UPLOAD_QUOTA_DEFAULT	(1024LL * 1024 * 1024)
#define UPLOAD_TTL_DEFAULT	900
#define UPLOAD_DIR_DEFAULT	"var/uploads"
#define UPLOAD_KEY_CONTEXT	"lectern upload url v1"

/* The allow-list: a type and the extensions that go with it. */
struct upload_type {
	const char	*type;
	const char	*ext[3];
};

static const struct upload_type types[] = {
	{ "application/pdf", { "pdf" } },
	{ "image/png", { "png" } },
	{ "image/jpeg", { "jpg", "jpeg" } },
	{ "image/webp", { "webp" } },
	{ "video/mp4", { "mp4" } },
	{ "video/webm", { "webm" } },
	{ "audio/mpeg", { "mp3" } },
	{ "text/plain", { "txt" } },
	{ "application/vnd.openxmlformats-officedocument."
	    "wordprocessingml.document", { "docx" } },
	{ "application/vnd.openxmlformats-officedocument."
	    "presentationml.presentation", { "pptx" } },
	{ "application/vnd.openxmlformats-officedocument."
	    "spreadsheetml.sheet", { "xlsx" } },
	{ "application/zip", { "zip" } },
};

static const struct row_col cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "filename", ROW_TEXT, 0 },
	{ "content_type", ROW_TEXT, 0 },
	{ "size", ROW_NUM, 0 },
	{ "purpose", ROW_TEXT, 0 },
	{ "target_id", ROW_NUM, 0 },
	{ "status", ROW_TEXT, 0 },
	{ "sha256", ROW_TEXT, ROW_OMIT_NULL },
	{ "created_at", ROW_TEXT, 0 },
};

/* The non-empty value of environment variable name, or NULL. */
static const char *
env(const char *name)
{
	const char	*v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

void
upload_conf(struct upload_conf *uc)
{
	const char	*b;

	memset(uc, 0, sizeof(*uc));
	b = env("LECTERN_UPLOAD_BACKEND");
	uc->backend = b != NULL && strcmp(b, "s3") == 0 ? UPLOAD_S3 :
	    UPLOAD_LOCAL;
	if ((uc->dir = env("LECTERN_UPLOAD_DIR")) == NULL)
		uc->dir = UPLOAD_DIR_DEFAULT;
	uc->max = config_get()->upload_max;
	uc->quota = config_number(getenv("LECTERN_UPLOAD_QUOTA"),
	    UPLOAD_QUOTA_DEFAULT, 1LL << 50);
	uc->ttl = config_number(getenv("LECTERN_UPLOAD_URL_TTL"),
	    UPLOAD_TTL_DEFAULT, 7 * 86400);
	uc->s3_endpoint = env("LECTERN_S3_ENDPOINT");
	uc->s3_bucket = env("LECTERN_S3_BUCKET");
	uc->s3_region = env("LECTERN_S3_REGION");
	if (uc->s3_region == NULL)
		uc->s3_region = "us-east-1";
	uc->s3_key_id = env("LECTERN_S3_ACCESS_KEY_ID");
	uc->s3_secret = env("LECTERN_S3_SECRET_ACCESS_KEY");
	uc->valid = uc->backend == UPLOAD_LOCAL || (uc->s3_endpoint != NULL &&
	    uc->s3_bucket != NULL && uc->s3_key_id != NULL &&
	    uc->s3_secret != NULL);
	if ((b != NULL && strcmp(b, "s3") != 0 && strcmp(b, "local") != 0))
		uc->valid = 0;
}

/* The allow-list entry of ct, or NULL. */
static const struct upload_type *
find_type(const char *ct)
{
	size_t	 i;

	for (i = 0; ct != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].type, ct) == 0)
			return &types[i];
	return NULL;
}

int
upload_type_ok(const char *ct)
{

	return find_type(ct) != NULL;
}

int
upload_name_ok(const char *name, const char *ct, const char **why)
{
	const struct upload_type	*t;
	const char			*dot;
	size_t				 i, len = strlen(name);

	*why = NULL;
	if (len == 0 || len > UPLOAD_FILENAME_MAX)
		*why = "must be 1 to 255 bytes";
	else if (strpbrk(name, "/\\") != NULL || strstr(name, "..") != NULL)
		*why = "must not contain '/', '\\' or '..'";
	else if (!valid_text(name, 0))
		*why = "must be UTF-8 without control characters";
	else if ((t = find_type(ct)) == NULL)
		*why = "has a content type that is not allowed";
	else if ((dot = strrchr(name, '.')) == NULL || dot == name)
		*why = "must have an extension that matches content_type";
	else {
		for (i = 0; i < 3 && t->ext[i] != NULL; i++)
			if (strcasecmp(dot + 1, t->ext[i]) == 0)
				return 1;
		*why = "must have an extension that matches content_type";
	}
	return 0;
}

/* Whether the len bytes of head begin with the n bytes of sig. */
static int
starts(const unsigned char *head, size_t len, const char *sig, size_t n)
{

	return len >= n && memcmp(head, sig, n) == 0;
}

/*
 * Whether text of len bytes looks like the start of an HTML or XML
 * document (after blanks and a UTF-8 byte order mark): '<' followed by
 * a letter, '!' or '?'.
 */
static int
htmlish(const unsigned char *head, size_t len)
{
	size_t	 i = 0;

	if (starts(head, len, "\xef\xbb\xbf", 3))
		i = 3;
	while (i < len && (head[i] == ' ' || head[i] == '\t' ||
	    head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i + 1 >= len || head[i] != '<')
		return 0;
	return head[i + 1] == '!' || head[i + 1] == '?' ||
	    (head[i + 1] >= 'a' && head[i + 1] <= 'z') ||
	    (head[i + 1] >= 'A' && head[i + 1] <= 'Z');
}

int
upload_magic_ok(const char *ct, const unsigned char *h, size_t len)
{

	if (strcmp(ct, "application/pdf") == 0)
		return starts(h, len, "%PDF-", 5);
	if (strcmp(ct, "image/png") == 0)
		return starts(h, len, "\x89PNG\r\n\x1a\n", 8);
	if (strcmp(ct, "image/jpeg") == 0)
		return starts(h, len, "\xff\xd8\xff", 3);
	if (strcmp(ct, "image/webp") == 0)
		return starts(h, len, "RIFF", 4) && len >= 12 &&
		    memcmp(h + 8, "WEBP", 4) == 0;
	if (strcmp(ct, "video/mp4") == 0)
		return len >= 8 && memcmp(h + 4, "ftyp", 4) == 0;
	if (strcmp(ct, "video/webm") == 0)
		return starts(h, len, "\x1a\x45\xdf\xa3", 4);
	if (strcmp(ct, "audio/mpeg") == 0)
		return starts(h, len, "ID3", 3) ||
		    (len >= 2 && h[0] == 0xff && (h[1] & 0xe0) == 0xe0);
	if (strcmp(ct, "text/plain") == 0)
		return memchr(h, '\0', len) == NULL && !htmlish(h, len);
	if (strcmp(ct, "application/zip") == 0)
		return starts(h, len, "PK\x03\x04", 4) ||
		    starts(h, len, "PK\x05\x06", 4);
	if (find_type(ct) != NULL)	/* the OOXML types: ZIP files */
		return starts(h, len, "PK\x03\x04", 4);
	return 0;
}

enum api_err
upload_new_key(char key[UPLOAD_KEY_LEN + 1])
{
	unsigned char	 b[UPLOAD_KEY_LEN / 2];
	enum api_err	 er;

	key[0] = '\0';
	if ((er = crypto_random(b, sizeof(b))) != API_OK)
		return er;
	crypto_hex(b, sizeof(b), key);
	return API_OK;
}

int
upload_path(const struct upload_conf *uc, const char *key, char *path,
    size_t size)
{
	int	 n;

	n = snprintf(path, size, "%s/%s", uc->dir, key);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

/*
 * The hex signature of method, id and expires into sig: HMAC-SHA256
 * with a key that is itself the HMAC of a fixed label under the JWT
 * secret, so a URL's signature says nothing usable about the secret
 * and signs nothing a token could.  Returns API_OK or API_INTERNAL.
 */
static enum api_err
local_sig(const char *method, const char *id, long long expires,
    char sig[CRYPTO_SHA256_HEX_SIZE])
{
	const struct config	*cfg = config_get();
	unsigned char		 key[CRYPTO_SHA256_LEN], mac[CRYPTO_SHA256_LEN];
	char			 msg[128];
	int			 n;
	enum api_err		 er;

	sig[0] = '\0';
	if (cfg->jwt_secret == NULL) {
		log_warnx("upload: no LECTERN_JWT_SECRET to sign URLs with");
		return API_INTERNAL;
	}
	n = snprintf(msg, sizeof(msg), "%s\n%s\n%lld", method, id, expires);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return API_INTERNAL;
	if ((er = crypto_hmac_sha256(cfg->jwt_secret, cfg->jwt_secret_len,
	    UPLOAD_KEY_CONTEXT, strlen(UPLOAD_KEY_CONTEXT), key)) != API_OK ||
	    (er = crypto_hmac_sha256(key, sizeof(key), msg, (size_t)n,
	    mac)) != API_OK)
		goto out;
	crypto_hex(mac, sizeof(mac), sig);
out:
	explicit_bzero(key, sizeof(key));
	return er;
}

enum api_err
upload_local_url(const char *method, const char *id, long long expires,
    char *url, size_t size)
{
	char		 sig[CRYPTO_SHA256_HEX_SIZE];
	enum api_err	 er;
	int		 n;

	url[0] = '\0';
	if ((er = local_sig(method, id, expires, sig)) != API_OK)
		return er;
	n = snprintf(url, size, "%s/api/uploads/%s%s?expires=%lld&sig=%s",
	    config_get()->public_url, id,
	    strcmp(method, "GET") == 0 ? "/content" : "", expires, sig);
	if (n < 0 || (size_t)n >= size) {
		url[0] = '\0';
		return API_INVALID;
	}
	return API_OK;
}

enum api_err
upload_local_check(struct req *r, const char *method, const char *id)
{
	const char	*exp, *sig;
	char		 want[CRYPTO_SHA256_HEX_SIZE], *end;
	long long	 expires;
	enum api_err	 er;

	if ((er = http_param(r, "expires", &exp)) != API_OK ||
	    (er = http_param(r, "sig", &sig)) != API_OK)
		return er == API_INVALID ? http_fail(r, API_FORBIDDEN,
		    "the signed URL is not valid") : er;
	if (exp == NULL || sig == NULL || *exp == '\0')
		return http_fail(r, API_FORBIDDEN,
		    "the URL is not signed");
	errno = 0;
	expires = strtoll(exp, &end, 10);
	if (errno != 0 || *end != '\0' || expires <= 0 ||
	    strlen(sig) != CRYPTO_SHA256_HEX_SIZE - 1)
		return http_fail(r, API_FORBIDDEN,
		    "the signed URL is not valid");
	if ((er = local_sig(method, id, expires, want)) != API_OK)
		return er;
	if (!crypto_equal(want, sig, CRYPTO_SHA256_HEX_SIZE - 1))
		return http_fail(r, API_FORBIDDEN,
		    "the signed URL is not valid");
	if (expires < (long long)time(NULL))
		return http_fail(r, API_FORBIDDEN, "the signed URL expired");
	return API_OK;
}

enum api_err
upload_s3_url(const struct upload_conf *uc, const char *method,
    const char *key, time_t now, char *url, size_t size)
{
	struct sigv4_key	 k;
	char			 path[512];
	int			 n;

	url[0] = '\0';
	if (!uc->valid || uc->backend != UPLOAD_S3)
		return API_INTERNAL;
	k.access_key_id = uc->s3_key_id;
	k.secret_access_key = uc->s3_secret;
	k.region = uc->s3_region;
	k.service = "s3";
	n = snprintf(path, sizeof(path), "/%s/%s", uc->s3_bucket, key);
	if (n < 0 || (size_t)n >= sizeof(path))
		return API_INVALID;
	return sigv4_presign(&k, method, uc->s3_endpoint, path, now,
	    (long)uc->ttl, url, size);
}

enum api_err
upload_get_url(const struct upload_conf *uc, const char *id,
    const char *key, char *url, size_t size, char *exp)
{
	time_t		 now = time(NULL), until;
	struct tm	 tm;

	until = now + (time_t)uc->ttl;
	exp[0] = '\0';
	if (gmtime_r(&until, &tm) != NULL)
		strftime(exp, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (uc->backend == UPLOAD_S3)
		return upload_s3_url(uc, "GET", key, now, url, size);
	return upload_local_url("GET", id, (long long)until, url, size);
}

cJSON *
upload_json(const struct db_res *res, int row, int col)
{

	return row_json(res, row, col, cols, ROW_NCOLS(cols));
}

static const char sql_deleted[] =
    "SELECT id, storage_key FROM uploads WHERE status = 'deleted'"
    " AND backend = 'local' AND ($1::bigint IS NULL OR user_id = $1::bigint)"
    " ORDER BY id LIMIT 1000";

static const char sql_forget[] =
    "DELETE FROM uploads WHERE id = $1::bigint AND status = 'deleted'";

void
upload_purge(struct db *db, const char *uid)
{
	struct upload_conf	 uc;
	struct db_res		*res = NULL;
	const char		*p[1];
	char			 path[1024];
	int			 i;

	upload_conf(&uc);
	if (db_begin(db, NULL, "system") != API_OK)
		return;
	p[0] = uid;
	if (db_exec(db, sql_deleted, 1, p, &res) != API_OK)
		goto out;
	for (i = 0; i < db_nrows(res); i++) {
		if (upload_path(&uc, db_get(res, i, 1), path,
		    sizeof(path)) != 0)
			continue;
		if (unlink(path) == -1 && errno != ENOENT) {
			log_warn("upload: unlink %s", path);
			continue;
		}
		p[0] = db_get(res, i, 0);
		if (db_exec(db, sql_forget, 1, p, NULL) != API_OK)
			goto out;
	}
	if (db_commit(db) != API_OK)
		log_warnx("upload: purge did not commit");
out:
	db_res_free(res);
	if (db_in_tx(db))
		db_rollback(db);
}

int
upload_valid_ids(const cJSON *item, const struct vfield *f, union vval *v,
    const char **why)
{
	const cJSON	*e, *g;
	char		*buf, *p;
	size_t		 n = 0;

	(void)f;
	v->s = NULL;
	if (!cJSON_IsArray(item)) {
		*why = "must be an array of upload ids";
		return 0;
	}
	cJSON_ArrayForEach(e, item) {
		if (!cJSON_IsNumber(e) || e->valuedouble < 1 ||
		    e->valuedouble > (double)VALID_ID_MAX ||
		    e->valuedouble != (double)(long long)e->valuedouble) {
			*why = "must be an array of upload ids";
			return 0;
		}
		for (g = item->child; g != e; g = g->next)
			if (g->valuedouble == e->valuedouble) {
				*why = "must not name an upload twice";
				return 0;
			}
		if (++n > UPLOAD_ATTACH_MAX) {
			*why = "must name at most 20 uploads";
			return 0;
		}
	}
	if ((buf = malloc(n * 18 + 3)) == NULL) {
		*why = "is too large";
		return 0;
	}
	p = buf;
	*p++ = '{';
	cJSON_ArrayForEach(e, item)
		p += sprintf(p, "%s%lld", e == item->child ? "" : ",",
		    (long long)e->valuedouble);
	*p++ = '}';
	*p = '\0';
	v->s = buf;
	return 1;
}

static const char sql_check_ids[] =
    "SELECT count(*) = cardinality($1::bigint[]) FROM uploads"
    " WHERE id = ANY ($1::bigint[]) AND status = 'ready' AND purpose = $2"
    " AND target_id = $3::bigint"
    " AND ($4::bigint IS NULL OR user_id = $4::bigint)";

enum api_err
upload_check_ids(struct req *r, struct db *db, const char *field,
    const char *ids, const char *purpose, const char *target,
    const char *owner)
{
	struct db_res	*res = NULL;
	const char	*p[4], *v;
	enum api_err	 er;

	if (ids == NULL)
		return API_OK;
	p[0] = ids;
	p[1] = purpose;
	p[2] = target;
	p[3] = owner;
	if ((er = db_exec(db, sql_check_ids, 4, p, &res)) != API_OK)
		return er;
	v = db_nrows(res) == 1 ? db_get(res, 0, 0) : NULL;
	er = v != NULL && v[0] == 't' ? API_OK : http_invalid_field(r, field,
	    "must name ready uploads made for this");
	db_res_free(res);
	return er;
}

static const char sql_lesson_files[] =
    "SELECT p.id, p.filename, p.content_type, p.size, p.sha256,"
    " p.storage_key FROM lessons l"
    " JOIN uploads p ON p.id = ANY (l.attachments) AND p.status = 'ready'"
    " WHERE l.id = $1::bigint"
    " ORDER BY array_position(l.attachments, p.id)";

static const struct row_col file_cols[] = {
	{ "id", ROW_NUM, 0 },
	{ "filename", ROW_TEXT, 0 },
	{ "content_type", ROW_TEXT, 0 },
	{ "size", ROW_NUM, 0 },
	{ "sha256", ROW_TEXT, ROW_OMIT_NULL },
	{ "storage_key", ROW_SKIP, 0 },
};

enum api_err
upload_lesson_files(struct db *db, const char *id, cJSON *obj)
{
	struct upload_conf	 uc;
	struct db_res		*res = NULL;
	cJSON			*list, *f;
	char			 url[UPLOAD_URL_MAX], exp[32];
	int			 i;
	enum api_err		 er;

	if ((er = db_exec(db, sql_lesson_files, 1, &id, &res)) != API_OK)
		return er;
	upload_conf(&uc);
	er = API_ENOMEM;
	if ((list = cJSON_AddArrayToObject(obj, "attachments")) == NULL)
		goto out;
	for (i = 0; i < db_nrows(res); i++) {
		if ((f = row_json(res, i, 0, file_cols,
		    ROW_NCOLS(file_cols))) == NULL)
			goto out;
		cJSON_AddItemToArray(list, f);
		if ((er = upload_get_url(&uc, db_get(res, i, 0),
		    db_get(res, i, 5), url, sizeof(url), exp)) != API_OK)
			goto out;
		er = API_ENOMEM;
		if (cJSON_AddStringToObject(f, "url", url) == NULL ||
		    cJSON_AddStringToObject(f, "expires_at", exp) == NULL)
			goto out;
	}
	er = API_OK;
out:
	db_res_free(res);
	return er;
}

/*
 * lectern — PUT /api/uploads/{id}?expires=&sig=: the bytes of a pending
 * upload, to the local backend (SPEC §6.1).  Whoever holds the signed
 * URL may call it, once, until it expires.
 *
 * The body is never held in memory: it is streamed in 64 KiB pieces to
 * a temporary file beside the store (so the final rename is atomic),
 * its SHA-256 computed on the way.  Content-Type and Content-Length
 * must be what was signed, and the first bytes must fit the type.  The
 * row is claimed first ('uploading', committed: a second PUT meanwhile
 * is 409 without holding a database connection's transaction open for
 * the transfer); when the file is whole it is synced, renamed into
 * place and the row marked ready in one transaction, whose failure
 * removes the file again.  Any failure leaves no file and the upload
 * pending; a full disk is 507.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "crypto.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"
#include "row.h"
#include "upload.h"

#define CHUNK	65536

static enum api_err	upload_put(struct call *);

static const struct endpoint endpoint = {
	.method = "PUT",
	.route = "/api/uploads/{id}",
	.who = WHO_ANYONE,
	.body = BODY_STREAM,
	.tx = TX_NONE,
	.run = upload_put,
};

static const char sql_claim[] =
    "SELECT status, content_type, size, storage_key, backend FROM uploads"
    " WHERE id = $1::bigint AND status <> 'deleted' FOR UPDATE";

static const char sql_uploading[] =
    "UPDATE uploads SET status = 'uploading' WHERE id = $1::bigint";

static const char sql_release[] =
    "UPDATE uploads SET status = 'pending' WHERE id = $1::bigint"
    " AND status = 'uploading'";

static const char sql_ready[] =
    "WITH p AS (UPDATE uploads SET status = 'ready', sha256 = $2,"
    "  ready_at = now() WHERE id = $1::bigint AND status = 'uploading'"
    "  RETURNING *)"
    " SELECT " UPLOAD_COLUMNS " FROM p";

/* What the claim found out about the upload. */
struct claim {
	char		 type[128];
	char		 key[UPLOAD_KEY_LEN + 1];
	long long	 size;
};

/*
 * Whether the request's Content-Type is ct (a charset or other
 * parameter is not allowed: the stored type is exact).
 */
static int
same_type(const char *given, const char *ct)
{

	return given != NULL && strcasecmp(given, ct) == 0;
}

/*
 * Claim upload id for this PUT: check it is local and pending and that
 * the request's type and length are those signed, then mark it
 * 'uploading' and commit.  Returns API_OK (*cl filled), API_NOT_FOUND,
 * API_CONFLICT, API_INVALID or a database error.
 */
static enum api_err
claim(struct call *c, struct claim *cl)
{
	struct req	*r = c->r;
	struct db_res	*res = NULL;
	const char	*st, *id = c->id_str;
	enum api_err	 er;

	if ((er = db_begin(c->db, NULL, "system")) != API_OK ||
	    (er = db_exec(c->db, sql_claim, 1, &id, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1 || strcmp(db_get(res, 0, 4), "local") != 0) {
		er = API_NOT_FOUND;
		goto out;
	}
	st = db_get(res, 0, 0);
	if (strcmp(st, "pending") != 0) {
		er = http_fail(r, API_CONFLICT, strcmp(st, "ready") == 0 ?
		    "the file was already uploaded" :
		    "the file is being uploaded");
		goto out;
	}
	snprintf(cl->type, sizeof(cl->type), "%s", db_get(res, 0, 1));
	cl->size = strtoll(db_get(res, 0, 2), NULL, 10);
	snprintf(cl->key, sizeof(cl->key), "%s", db_get(res, 0, 3));
	if (!same_type(r->content_type, cl->type)) {
		er = http_fail(r, API_INVALID,
		    "Content-Type must be the type that was signed");
		goto out;
	}
	if (r->content_length != cl->size) {
		er = http_fail(r, API_INVALID,
		    "Content-Length must be the size that was signed");
		goto out;
	}
	if ((er = db_exec(c->db, sql_uploading, 1, &id, NULL)) != API_OK)
		goto out;
	er = db_commit(c->db);
out:
	db_res_free(res);
	if (db_in_tx(c->db))
		db_rollback(c->db);
	return er;
}

/* Give a claimed upload back (pending again), after a failure. */
static void
release(struct call *c)
{
	const char	*id = c->id_str;

	if (db_in_tx(c->db))
		db_rollback(c->db);
	if (db_begin(c->db, NULL, "system") != API_OK)
		return;
	if (db_exec(c->db, sql_release, 1, &id, NULL) != API_OK ||
	    db_commit(c->db) != API_OK)
		log_warnx("upload %s: could not be released", id);
	if (db_in_tx(c->db))
		db_rollback(c->db);
}

/* The error for a failed write: a full disk or quota is 507. */
static enum api_err
write_err(struct req *r)
{

	if (errno == ENOSPC || errno == EDQUOT) {
		http_cause(r, "no space left on the upload file system");
		return http_fail(r, API_NO_SPACE,
		    "there is no space left to store the file");
	}
	log_warn("upload: write");
	return API_INTERNAL;
}

/* Write all len bytes of buf to fd.  Returns 0 or -1 (errno set). */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	 n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Stream the body into fd, checking its first bytes against cl's type
 * and its length, with its SHA-256 as hex into hash.  Returns API_OK,
 * API_INVALID, API_NO_SPACE or an error.
 */
static enum api_err
receive(struct call *c, const struct claim *cl, int fd,
    char hash[CRYPTO_SHA256_HEX_SIZE])
{
	struct crypto_sha256_ctx	*h;
	unsigned char			 head[UPLOAD_HEAD_LEN];
	char				*buf;
	size_t				 hlen = 0;
	long long			 total = 0;
	ssize_t				 n;
	enum api_err			 er = API_ENOMEM;

	if ((buf = malloc(CHUNK)) == NULL)
		return API_ENOMEM;
	if ((h = crypto_sha256_new()) == NULL)
		goto out;
	for (;;) {
		if ((n = http_body_read(c->r, buf, CHUNK)) < 0) {
			er = http_fail(c->r, API_INVALID,
			    "the body ended early");
			goto out;
		}
		if (n == 0)
			break;
		if (hlen < sizeof(head)) {
			memcpy(head + hlen, buf, (size_t)n < sizeof(head) -
			    hlen ? (size_t)n : sizeof(head) - hlen);
			hlen += (size_t)n < sizeof(head) - hlen ? (size_t)n :
			    sizeof(head) - hlen;
			if (hlen == sizeof(head) &&
			    !upload_magic_ok(cl->type, head, hlen)) {
				er = http_fail(c->r, API_INVALID, "the file's "
				    "contents do not match its type");
				goto out;
			}
		}
		total += n;
		if ((er = crypto_sha256_update(h, buf, (size_t)n)) != API_OK)
			goto out;
		if (write_all(fd, buf, (size_t)n) == -1) {
			er = write_err(c->r);
			goto out;
		}
	}
	if (total != cl->size) {
		er = http_fail(c->r, API_INVALID,
		    "the body is not the size that was signed");
		goto out;
	}
	if (hlen < sizeof(head) && !upload_magic_ok(cl->type, head, hlen)) {
		er = http_fail(c->r, API_INVALID,
		    "the file's contents do not match its type");
		goto out;
	}
	if (fsync(fd) == -1) {
		er = write_err(c->r);
		goto out;
	}
	er = crypto_sha256_final(h, hash);
out:
	crypto_sha256_free(h);
	free(buf);
	return er;
}

/*
 * Mark the upload ready, rename tmp into place as final and commit,
 * answering 201 with the upload.  A failed commit removes final again.
 */
static enum api_err
finish(struct call *c, const char *tmp, const char *final,
    const char *hash)
{
	struct db_res	*res = NULL;
	cJSON		*o = NULL;
	const char	*p[2];
	enum api_err	 er;

	p[0] = c->id_str;
	p[1] = hash;
	if ((er = db_begin(c->db, NULL, "system")) != API_OK ||
	    (er = db_exec(c->db, sql_ready, 2, p, &res)) != API_OK)
		goto out;
	if (db_nrows(res) != 1) {
		er = http_fail(c->r, API_CONFLICT,
		    "the upload changed meanwhile");
		goto out;
	}
	er = API_ENOMEM;
	if ((o = cJSON_CreateObject()) == NULL ||
	    row_add_one(o, "upload", res, upload_json) == -1 ||
	    cJSON_AddStringToObject(o, "status", "ready") == NULL ||
	    cJSON_AddStringToObject(o, "sha256", hash) == NULL)
		goto out;
	if (rename(tmp, final) == -1) {
		er = write_err(c->r);
		goto out;
	}
	if ((er = db_commit(c->db)) != API_OK) {
		(void)unlink(final);
		goto out;
	}
	er = http_send(c->r, 201, o);
out:
	cJSON_Delete(o);
	db_res_free(res);
	if (db_in_tx(c->db))
		db_rollback(c->db);
	return er;
}

static enum api_err
upload_put(struct call *c)
{
	struct upload_conf	 uc;
	struct claim		 cl;
	char			 dir[1024], tmp[1100], final[1100];
	char			 hash[CRYPTO_SHA256_HEX_SIZE];
	int			 fd = -1;
	enum api_err		 er;

	tmp[0] = '\0';
	upload_conf(&uc);
	if (uc.backend != UPLOAD_LOCAL)
		return API_NOT_FOUND;
	if ((er = upload_local_check(c->r, "PUT", c->id_str)) != API_OK)
		return er;
	if ((er = claim(c, &cl)) != API_OK)
		return er;
	snprintf(dir, sizeof(dir), "%s/tmp", uc.dir);
	if (upload_path(&uc, cl.key, final, sizeof(final)) != 0 ||
	    snprintf(tmp, sizeof(tmp), "%s/%s.XXXXXX", dir, cl.key) >=
	    (int)sizeof(tmp)) {
		er = API_INTERNAL;
		goto out;
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		er = write_err(c->r);
		goto out;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		er = write_err(c->r);
		goto out;
	}
	if ((er = receive(c, &cl, fd, hash)) != API_OK)
		goto out;
	if (close(fd) == -1) {
		fd = -1;
		er = write_err(c->r);
		goto out;
	}
	fd = -1;
	er = finish(c, tmp, final, hash);
out:
	if (fd != -1)
		close(fd);
	if (er != API_OK) {
		if (tmp[0] != '\0')
			(void)unlink(tmp);
		release(c);
	}
	return er;
}

ENDPOINT_MAIN(endpoint)

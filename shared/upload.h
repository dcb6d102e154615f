/*
 * lectern — upload: what the upload endpoints share (SPEC §6.1).  The
 * settings, the rules a file's name, type and first bytes must pass,
 * the signed URLs of both backends (local: HMAC-SHA256 over method, id
 * and expiry with a key derived from the JWT secret; s3: AWS Signature
 * V4 presigning, shared/sigv4.c), where a local file lives, and the
 * JSON of an upload.
 *
 * Nothing a client uploads may run or render in our origin: the stored
 * object is named by a random key, never by the client's filename; the
 * type comes from a short allow-list and the first bytes must agree
 * with it; downloads are attachments with nosniff and a sandbox CSP.
 */
#ifndef LECTERN_UPLOAD_H
#define LECTERN_UPLOAD_H

#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "crypto.h"
#include "err.h"
#include "row.h"

struct db;
struct db_res;
struct req;
struct vfield;
union vval;

#define UPLOAD_KEY_LEN		32	/* hex characters of a storage key */
#define UPLOAD_URL_MAX		4096
#define UPLOAD_HEAD_LEN		16	/* first bytes the type check reads */
#define UPLOAD_FILENAME_MAX	255	/* bytes of UTF-8 */

enum upload_backend {
	UPLOAD_LOCAL,
	UPLOAD_S3,
};

/* The settings, read from the environment for each request. */
struct upload_conf {
	enum upload_backend	 backend;	/* LECTERN_UPLOAD_BACKEND */
	const char		*dir;		/* LECTERN_UPLOAD_DIR */
	long long		 max;		/* LECTERN_UPLOAD_MAX */
	long long		 quota;		/* LECTERN_UPLOAD_QUOTA */
	long long		 ttl;		/* LECTERN_UPLOAD_URL_TTL */
	const char		*s3_endpoint;	/* LECTERN_S3_ENDPOINT */
	const char		*s3_bucket;	/* LECTERN_S3_BUCKET */
	const char		*s3_region;	/* LECTERN_S3_REGION */
	const char		*s3_key_id;	/* LECTERN_S3_ACCESS_KEY_ID */
	const char		*s3_secret;	/* ..._S3_SECRET_ACCESS_KEY */
	int			 valid;		/* 0: s3 without its settings */
};

/* Fill *uc from the environment. */
void		upload_conf(struct upload_conf *uc);

/*
 * Whether name is an acceptable filename: 1..255 bytes of UTF-8
 * without '/', '\\', "..", NUL or control characters, whose extension
 * belongs to content type ct (which is on the allow-list).  Returns 1,
 * or 0 with *why set to a fixed message.
 */
int		upload_name_ok(const char *name, const char *ct,
		    const char **why);

/* Whether ct is on the allow-list.  Returns 1 or 0. */
int		upload_type_ok(const char *ct);

/*
 * Whether the first len bytes of a file (at most UPLOAD_HEAD_LEN are
 * read; fewer when the file is shorter) fit content type ct: "%PDF-"
 * for a PDF, the PNG and JPEG signatures, RIFF....WEBP, an ISO media
 * "ftyp" box, the EBML header of WebM, an ID3 tag or MPEG frame sync,
 * a ZIP local header for ZIP and OOXML files, and for text/plain no NUL
 * and nothing that starts like HTML.  Returns 1 or 0.
 */
int		upload_magic_ok(const char *ct, const unsigned char *head,
		    size_t len);

/*
 * A new random storage key (UPLOAD_KEY_LEN hex characters and a NUL)
 * into key.  Returns API_OK or API_INTERNAL.
 */
enum api_err	upload_new_key(char key[UPLOAD_KEY_LEN + 1])
		    __attribute__((warn_unused_result));

/*
 * The local file of storage key (uc->dir/key) into path.  Returns 0, or
 * -1 when it does not fit.
 */
int		upload_path(const struct upload_conf *uc, const char *key,
		    char *path, size_t size);

/*
 * The local signed URL for method ("PUT" or "GET") on upload id (text),
 * valid until expires (epoch seconds): "<public url>/api/uploads/<id>"
 * for PUT, ".../content" for GET, with ?expires=&sig=.  Returns API_OK,
 * API_INTERNAL (no JWT secret to derive the key from, or libcrypto
 * failed) or API_INVALID when it does not fit.
 */
enum api_err	upload_local_url(const char *method, const char *id,
		    long long expires, char *url, size_t size)
		    __attribute__((warn_unused_result));

/*
 * Check the expires and sig query parameters of r against method and
 * upload id, in constant time.  Returns API_OK, API_FORBIDDEN (missing,
 * malformed, altered or expired; the detail set on r) or an error.
 */
enum api_err	upload_local_check(struct req *r, const char *method,
		    const char *id) __attribute__((warn_unused_result));

/*
 * The presigned S3 URL for method on storage key, valid uc->ttl
 * seconds from now, path-style (endpoint/bucket/key).  Returns as
 * sigv4_presign.
 */
enum api_err	upload_s3_url(const struct upload_conf *uc,
		    const char *method, const char *key, time_t now,
		    char *url, size_t size)
		    __attribute__((warn_unused_result));

/*
 * The download URL of upload id (text) with storage key, as the backend
 * makes it, valid uc->ttl seconds: into url, its expiry as RFC 3339
 * into exp (at least 21 bytes).  Returns as upload_local_url.
 */
enum api_err	upload_get_url(const struct upload_conf *uc, const char *id,
		    const char *key, char *url, size_t size, char *exp)
		    __attribute__((warn_unused_result));

/*
 * The columns of an upload p, in the order upload_json reads them,
 * then its storage key and owner (not sent).
 */
#define UPLOAD_COLUMNS							\
	"p.id, p.filename, p.content_type, p.size, p.purpose,"		\
	" p.target_id, CASE p.status WHEN 'uploading' THEN 'pending'"	\
	" ELSE p.status END, p.sha256, " SQL_UTC("p.created_at") ","	\
	" p.storage_key, p.user_id"
#define UPLOAD_NCOLUMNS		11
#define UPLOAD_COL_KEY		9
#define UPLOAD_COL_USER		10

/*
 * The JSON of the upload in row of res (UPLOAD_COLUMNS from col on):
 * {id, filename, content_type, size, purpose, target_id, status, sha256,
 * created_at}.  The caller frees it; NULL when out of memory.
 */
cJSON		*upload_json(const struct db_res *res, int row, int col);

#define UPLOAD_ATTACH_MAX	20	/* files on one lesson or submission */

/*
 * A validator for struct vfield (declared VF_STRING): a JSON array of
 * at most UPLOAD_ATTACH_MAX distinct upload ids, stored in v->s as a
 * PostgreSQL array literal ("{1,2}").
 */
int		upload_valid_ids(const cJSON *item, const struct vfield *f,
		    union vval *v, const char **why);

/*
 * Whether every upload in ids (an array literal from upload_valid_ids)
 * is ready and made for purpose and target (decimal text), and, when
 * owner is not NULL, is owner's.  Runs as the caller (row-level
 * security).  ids NULL (none given) is API_OK without asking.  Returns
 * API_OK, API_INVALID with field's detail set on r, or a database error.
 */
enum api_err	upload_check_ids(struct req *r, struct db *db,
		    const char *field, const char *ids, const char *purpose,
		    const char *target, const char *owner)
		    __attribute__((warn_unused_result));

/*
 * Add "attachments" to obj: the ready files of lesson id (text) that the
 * caller may see, in the lesson's order, each {id, filename,
 * content_type, size, sha256, url, expires_at} with a signed download
 * URL.  Returns API_OK or an error.
 */
enum api_err	upload_lesson_files(struct db *db, const char *id,
		    cJSON *obj) __attribute__((warn_unused_result));

/*
 * After the transaction that marked them deleted has committed: remove
 * the local files of uploads whose status is 'deleted' and their rows,
 * for user uid (text) or, when uid is NULL, everyone's.  S3 objects are
 * left to lectern-admin cleanup.  Runs as the system in its own
 * transaction.  Failures are logged, never returned: the rows stay for
 * the next cleanup.
 */
void		upload_purge(struct db *db, const char *uid);

#endif /* LECTERN_UPLOAD_H */

/*
 * lectern — GET /api/uploads/{id}/content?expires=&sig=: the bytes of a
 * ready upload on the local backend, for whoever holds the signed URL
 * that GET /api/uploads/{id} made (SPEC §6.1).
 *
 * Sent with the stored Content-Type, as an attachment (RFC 6266:
 * an ASCII filename and the exact one as filename*), with nosniff and
 * a sandbox Content-Security-Policy, so a file can never run or render
 * as a page of this origin.  The file is copied to the client in
 * pieces, never read into memory whole.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"
#include "upload.h"

static enum api_err	upload_content(struct call *);

static const struct endpoint endpoint = {
	.method = "GET",
	.route = "/api/uploads/{id}/content",
	.who = WHO_ANYONE,
	.tx = TX_SYSTEM,
	.run = upload_content,
};

static const char sql_get[] =
    "SELECT filename, content_type, size, storage_key FROM uploads"
    " WHERE id = $1::bigint AND status = 'ready' AND backend = 'local'";

/*
 * The Content-Disposition of a download of name into buf: attachment,
 * filename="<name with anything but printable ASCII, '"' and '\\' as
 * '_'>" and filename*=UTF-8''<name percent-encoded>.
 */
static void
disposition(const char *name, char *buf, size_t size)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;
	size_t			 len;

	len = (size_t)snprintf(buf, size, "attachment; filename=\"");
	for (p = (const unsigned char *)name; *p != '\0' && len + 2 < size;
	    p++)
		buf[len++] = *p < 0x20 || *p > 0x7e || *p == '"' ||
		    *p == '\\' ? '_' : (char)*p;
	len += (size_t)snprintf(buf + len, size - len,
	    "\"; filename*=UTF-8''");
	for (p = (const unsigned char *)name; *p != '\0' && len + 4 < size;
	    p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("!#$&+-.^_`|~",
		    *p) != NULL)
			buf[len++] = (char)*p;
		else {
			buf[len++] = '%';
			buf[len++] = hex[*p >> 4];
			buf[len++] = hex[*p & 15];
		}
	}
	buf[len < size ? len : size - 1] = '\0';
}

static enum api_err
upload_content(struct call *c)
{
	struct upload_conf	 uc;
	struct db_res		*res = NULL;
	struct stat		 st;
	const char		*id = c->id_str;
	char			 path[1024], cd[1024];
	int			 fd = -1;
	enum api_err		 er;

	upload_conf(&uc);
	if (uc.backend != UPLOAD_LOCAL)
		return API_NOT_FOUND;
	if ((er = upload_local_check(c->r, "GET", id)) != API_OK)
		return er;
	if ((er = db_exec(c->db, sql_get, 1, &id, &res)) != API_OK)
		return er;
	if (db_nrows(res) != 1) {
		er = API_NOT_FOUND;
		goto out;
	}
	if (upload_path(&uc, db_get(res, 0, 3), path, sizeof(path)) != 0) {
		er = API_INTERNAL;
		goto out;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		log_warn("upload %s: %s", id, path);
		http_cause(c->r, "the stored file is missing");
		er = API_INTERNAL;
		goto out;
	}
	disposition(db_get(res, 0, 0), cd, sizeof(cd));
	if ((er = http_header(c->r, "Content-Disposition", cd)) != API_OK ||
	    (er = http_header(c->r, "X-Content-Type-Options",
	    "nosniff")) != API_OK ||
	    (er = http_header(c->r, "Content-Security-Policy",
	    "default-src 'none'; frame-ancestors 'none'; sandbox")) !=
	    API_OK ||
	    (er = http_header(c->r, "Cache-Control", "private, no-store")) !=
	    API_OK)
		goto out;
	er = http_send_file(c->r, 200, db_get(res, 0, 1), fd,
	    (long long)st.st_size);
	fd = -1;
out:
	if (fd != -1)
		close(fd);
	db_res_free(res);
	return er;
}

ENDPOINT_MAIN(endpoint)

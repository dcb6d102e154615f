/*
 * lectern — httpdb: the database side of a request (http module).
 *
 * Kept apart from the rest of the module (serve.c, request.c,
 * response.c, page.c) so that an executable that never asks for the
 * database (GET /live) links neither this file nor libpq.  The
 * connection is opened on first use and kept in the process's slot; in
 * FastCGI mode it serves request after request, and every request ends
 * with a rollback of anything it left open, so no transaction, lock or
 * transaction-local setting (lectern.user_id) reaches the next one.
 */
#include "config.h"

#include <stdio.h>

#include "conf.h"
#include "db.h"
#include "http.h"
#include "log.h"

static const char sql_error[] =
    "INSERT INTO error_logs (request_id, status, code, method, path,"
    " message) VALUES ($1, $2::int, $3, left($4, 16),"
    " left(split_part($5, '?', 1), 512), left($6, 1000))";

static void
slot_after(struct http_dbslot *slot)
{

	db_rollback(slot->db);
	db_rollback(slot->rdb);
}

static void
slot_close(struct http_dbslot *slot)
{

	db_close(slot->db);
	slot->db = NULL;
	db_close(slot->rdb);
	slot->rdb = NULL;
}

/*
 * Record a failure in error_logs when the connection can take it (it
 * cannot when the database is what failed).  The path is logged without
 * its query string; the message is ours, never client data.
 */
static void
slot_record(struct req *r, int status, const char *code, const char *msg)
{
	const char	*params[6];
	char		 st[16];

	if (r->slot == NULL || !db_usable(r->slot->db))
		return;
	snprintf(st, sizeof(st), "%d", status);
	params[0] = r->request_id;
	params[1] = st;
	params[2] = code;
	params[3] = r->method;
	params[4] = http_getenv(r, "REQUEST_URI");
	params[5] = msg;
	if (db_exec(r->slot->db, sql_error, 6, params, NULL) != API_OK)
		log_event(LOG_LVL_WARN, r->request_id, "error_log_failed",
		    NULL);
}

/* Give slot a connection (rid: the request asking, or NULL). */
static enum api_err
slot_connect(struct http_dbslot *slot, const char *rid)
{
	enum api_err	 er;

	slot->after = slot_after;
	slot->record = slot_record;
	slot->close = slot_close;
	if (slot->db != NULL && !db_usable(slot->db)) {
		db_close(slot->db);
		slot->db = NULL;
	}
	if (slot->db == NULL) {
		er = db_connect(config_get()->database_url, rid, &slot->db);
		if (er != API_OK)
			return er;
		/* Planned once per connection where it is kept and direct. */
		db_set_prepare(slot->db, slot->persistent &&
		    config_get()->db_prepare);
	}
	return API_OK;
}

void
http_db_warm(struct http_dbslot *slot)
{

	(void)slot_connect(slot, NULL);
}

enum api_err
http_db(struct req *r, struct db **db)
{
	struct http_dbslot	*slot = r->slot;
	enum api_err		 er;

	*db = NULL;
	if (slot == NULL)
		return API_INTERNAL;
	if ((er = slot_connect(slot, r->request_id)) != API_OK)
		return er;
	db_set_request(slot->db, r->request_id);
	*db = slot->db;
	return API_OK;
}

void
http_db_read(struct req *r, struct db *primary, struct db **db)
{
	struct http_dbslot	*slot = r->slot;
	const char		*url = config_get()->database_read_url;

	*db = primary;
	if (slot == NULL || url == NULL)
		return;
	if (slot->rdb != NULL && !db_usable(slot->rdb))
		http_db_read_drop(r);
	if (slot->rdb == NULL && db_connect(url, r->request_id,
	    &slot->rdb) != API_OK) {
		/* db_connect logged why; the primary answers instead. */
		log_event(LOG_LVL_WARN, r->request_id, "db_read_fallback",
		    NULL);
		return;
	}
	db_set_request(slot->rdb, r->request_id);
	*db = slot->rdb;
}

void
http_db_read_drop(struct req *r)
{

	if (r->slot == NULL)
		return;
	db_close(r->slot->rdb);
	r->slot->rdb = NULL;
}

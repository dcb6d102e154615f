/*
 * lectern — db: PostgreSQL through libpq.
 *
 * One mapping from SQLSTATE to API errors, modelled on pgbench's
 * getSQLErrorStatus.  Server messages and SQLSTATEs are logged; clients
 * only ever see the mapped code.  A persistent connection straight to
 * the server (FastCGI) prepares each statement once, by name, and runs
 * it by that name from then on.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db.h"
#include "log.h"

#define DB_STMTS_MAX	512	/* named statements kept per connection */

/* A statement prepared on this connection, known by its text. */
struct db_stmt {
	const char	*sql;		/* the caller's pointer: a fast match */
	char		*text;		/* our copy: the certain one */
	char		 name[16];	/* "lectern_<n>" */
};

struct db {
	PGconn		*conn;
	const char	*rid;
	int		 in_tx;
	int		 nexec;		/* statements run for this request */
	int		 prepare;	/* name and keep statements */
	size_t		 nstmts;
	struct db_stmt	 stmts[DB_STMTS_MAX];
	char		 constraint[64];
};

enum api_err
db_connect(const char *conninfo, const char *rid, struct db **out)
{
	static const char *const keys[] = {
		"connect_timeout", "application_name", "dbname", NULL
	};
	const char	*vals[4];
	struct db	*db;

	*out = NULL;
	if (conninfo == NULL) {
		log_event(LOG_LVL_ERROR, rid, "db_unconfigured",
		    "message", "LECTERN_DATABASE_URL and DATABASE_URL unset",
		    NULL);
		return API_UNAVAILABLE;
	}
	if ((db = calloc(1, sizeof(*db))) == NULL) {
		log_warnx("db_connect: out of memory");
		return API_ENOMEM;
	}
	db->rid = rid;
	/* dbname comes last so that its own settings win. */
	vals[0] = "5";
	vals[1] = "lectern";
	vals[2] = conninfo;
	vals[3] = NULL;
	db->conn = PQconnectdbParams(keys, vals, 1);
	if (db->conn == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		log_event(LOG_LVL_ERROR, rid, "db_connect_failed",
		    "message", db->conn ? PQerrorMessage(db->conn) :
		    "out of memory", NULL);
		PQfinish(db->conn);
		free(db);
		return API_UNAVAILABLE;
	}
	*out = db;
	return API_OK;
}

/* Forget the statements prepared on db's connection (it was reset). */
static void
forget(struct db *db)
{
	size_t	 i;

	for (i = 0; i < db->nstmts; i++)
		free(db->stmts[i].text);
	db->nstmts = 0;
}

void
db_set_prepare(struct db *db, int on)
{

	if (db != NULL)
		db->prepare = on;
}

int
db_prepares(const struct db *db)
{

	return db != NULL && db->prepare;
}

/*
 * Run sql on db: by a name prepared once on this connection when db
 * prepares (a persistent connection straight to the server), planned
 * afresh otherwise.  The statement is found by the caller's pointer,
 * which is the static text of a sql_* constant, and confirmed by its
 * text, so a caller that builds its SQL in a reused buffer still gets
 * its own.  Returns the result (NULL: out of memory).
 */
static PGresult *
run(struct db *db, const char *sql, int n, const char *const *params)
{
	struct db_stmt	*st = NULL;
	PGresult	*res;
	size_t		 i;

	if (!db->prepare)
		return PQexecParams(db->conn, sql, n, NULL, params, NULL,
		    NULL, 0);
	for (i = 0; i < db->nstmts; i++)
		if (db->stmts[i].sql == sql &&
		    strcmp(db->stmts[i].text, sql) == 0) {
			st = &db->stmts[i];
			break;
		}
	if (st == NULL && db->nstmts < DB_STMTS_MAX) {
		st = &db->stmts[db->nstmts];
		snprintf(st->name, sizeof(st->name), "lectern_%zu",
		    db->nstmts);
		if ((st->text = strdup(sql)) == NULL)
			return NULL;
		res = PQprepare(db->conn, st->name, sql, n, NULL);
		if (res == NULL || PQresultStatus(res) != PGRES_COMMAND_OK) {
			/* Not kept: its error is the statement's own. */
			free(st->text);
			return res;
		}
		PQclear(res);
		st->sql = sql;
		db->nstmts++;
	}
	if (st == NULL)
		return PQexecParams(db->conn, sql, n, NULL, params, NULL,
		    NULL, 0);
	return PQexecPrepared(db->conn, st->name, n, params, NULL, NULL, 0);
}

void
db_close(struct db *db)
{

	if (db == NULL)
		return;
	db_rollback(db);
	PQfinish(db->conn);
	forget(db);
	free(db);
}

void
db_set_request(struct db *db, const char *rid)
{

	if (db != NULL) {
		db->rid = rid;
		db->nexec = 0;
	}
}

int
db_usable(struct db *db)
{

	return db != NULL && PQstatus(db->conn) == CONNECTION_OK &&
	    PQtransactionStatus(db->conn) == PQTRANS_IDLE;
}

enum api_err
db_sqlstate_err(const char *st)
{

	if (st == NULL || strlen(st) != 5)
		return API_INTERNAL;
	if (strcmp(st, "23505") == 0)
		return API_CONFLICT;
	if (strcmp(st, "23503") == 0 || strcmp(st, "23514") == 0 ||
	    strcmp(st, "23502") == 0 || strncmp(st, "22", 2) == 0)
		return API_INVALID;
	if (strcmp(st, "40001") == 0 || strcmp(st, "40P01") == 0 ||
	    strcmp(st, "55P03") == 0)
		return API_RETRY;
	if (strncmp(st, "08", 2) == 0 || strncmp(st, "53", 2) == 0 ||
	    strncmp(st, "57", 2) == 0)
		return API_UNAVAILABLE;
	return API_INTERNAL;
}

enum api_err
db_exec(struct db *db, const char *sql, int n, const char *const *params,
    struct db_res **out)
{
	PGresult	*res;
	ExecStatusType	 st;
	const char	*state, *cons;
	enum api_err	 er;

	if (out != NULL)
		*out = NULL;
	db->constraint[0] = '\0';
	res = run(db, sql, n, params);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	/*
	 * A kept connection (FastCGI) may have died since the last request:
	 * the server restarted, or an administrator ended the backend.  The
	 * first statement of a request has changed nothing yet, so it is
	 * safe to reconnect once and run it again.
	 */
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK &&
	    db->nexec == 0 && !db->in_tx &&
	    PQstatus(db->conn) != CONNECTION_OK) {
		PQclear(res);
		log_event(LOG_LVL_WARN, db->rid, "db_reconnect", NULL);
		PQreset(db->conn);
		forget(db);
		res = PQstatus(db->conn) == CONNECTION_OK ?
		    run(db, sql, n, params) : NULL;
		st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	}
	db->nexec++;
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
		if (out != NULL)
			*out = (struct db_res *)res;
		else
			PQclear(res);
		return API_OK;
	}
	if (res == NULL || PQstatus(db->conn) != CONNECTION_OK) {
		log_event(LOG_LVL_ERROR, db->rid, "db_connection_lost",
		    "message", PQerrorMessage(db->conn), NULL);
		PQclear(res);
		return API_UNAVAILABLE;
	}
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	cons = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	if (cons != NULL) {
		strncpy(db->constraint, cons, sizeof(db->constraint) - 1);
		db->constraint[sizeof(db->constraint) - 1] = '\0';
	}
	er = db_sqlstate_err(state);
	/* The primary message only: DETAIL can quote row values. */
	log_event(er == API_INTERNAL ? LOG_LVL_ERROR : LOG_LVL_INFO, db->rid,
	    "db_error", "sqlstate", state,
	    "message", PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY),
	    "constraint", cons, NULL);
	PQclear(res);
	return er;
}

int
db_nrows(const struct db_res *res)
{

	return res == NULL ? 0 : PQntuples((const PGresult *)res);
}

const char *
db_get(const struct db_res *res, int row, int col)
{
	const PGresult	*r = (const PGresult *)res;

	if (r == NULL || row < 0 || col < 0 || row >= PQntuples(r) ||
	    col >= PQnfields(r) || PQgetisnull(r, row, col))
		return NULL;
	return PQgetvalue(r, row, col);
}

void
db_res_free(struct db_res *res)
{

	PQclear((PGresult *)res);
}

enum api_err
db_begin(struct db *db, const char *user_id, const char *role)
{
	static const char sql_ctx[] =
	    "SELECT set_config('lectern.user_id', coalesce($1, ''), true),"
	    " set_config('lectern.role', coalesce($2, ''), true),"
	    " set_config('search_path', 'pg_catalog, public', true)";
	const char	*params[2];
	enum api_err	 er;

	if ((er = db_exec(db, "BEGIN", 0, NULL, NULL)) != API_OK)
		return er;
	db->in_tx = 1;
	params[0] = user_id;
	params[1] = role;
	if ((er = db_exec(db, sql_ctx, 2, params, NULL)) != API_OK)
		db_rollback(db);
	return er;
}

enum api_err
db_commit(struct db *db)
{
	enum api_err	 er;

	er = db_exec(db, "COMMIT", 0, NULL, NULL);
	db->in_tx = 0;
	return er;
}

int
db_in_tx(const struct db *db)
{

	PGTransactionStatusType	 st;

	if (db == NULL || db->conn == NULL)
		return 0;
	st = PQtransactionStatus(db->conn);
	return db->in_tx || st == PQTRANS_INTRANS || st == PQTRANS_INERROR;
}

void
db_rollback(struct db *db)
{
	PGresult	*res;

	if (db == NULL || db->conn == NULL)
		return;
	if (!db->in_tx && PQtransactionStatus(db->conn) == PQTRANS_IDLE)
		return;
	db->in_tx = 0;
	if (PQstatus(db->conn) != CONNECTION_OK)
		return;
	res = PQexec(db->conn, "ROLLBACK");
	PQclear(res);
}

const char *
db_last_constraint(const struct db *db)
{

	return db->constraint;
}

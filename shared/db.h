/*
 * lectern — db: PostgreSQL through libpq.
 *
 * Every query is PQexecParams with $n parameters in text format; no SQL
 * text is ever built from input.  A PGresult never leaves db.c: callers
 * hold an opaque struct db_res and read values through db_get.
 */
#ifndef LECTERN_DB_H
#define LECTERN_DB_H

#include "err.h"

struct db;
struct db_res;

/*
 * Connect to conninfo (a libpq URI or key=value string) with a connect
 * timeout of 5 seconds unless conninfo sets its own.  rid is the request
 * id used in log lines (borrowed; may be NULL).  Returns API_OK with *out
 * to be closed by db_close, API_UNAVAILABLE when conninfo is NULL or the
 * server cannot be reached (the libpq message goes to the log only), or
 * API_ENOMEM.
 */
enum api_err	 db_connect(const char *conninfo, const char *rid,
		    struct db **out) __attribute__((warn_unused_result));

/* Roll back any open transaction and close.  NULL is fine. */
void		 db_close(struct db *db);

/*
 * Whether db prepares each statement once, by name, and keeps it for
 * the connection's life (off by default).  Only for a connection that
 * is kept from request to request and reaches the server itself: a
 * transaction-mode pooler (PgBouncer before 1.21) would hand a later
 * statement to a server that never saw the name.
 */
void		 db_set_prepare(struct db *db, int on);

/*
 * Whether db prepares (db_set_prepare): a connection kept from request
 * to request by a process that serves many, where what a request
 * learnt may be kept for the next.
 */
int		 db_prepares(const struct db *db);

/* Set the request id (borrowed) used in log lines from now on. */
void		 db_set_request(struct db *db, const char *rid);

/*
 * Whether the connection is still usable and idle outside a transaction.
 * A persistent process calls this between requests.
 */
int		 db_usable(struct db *db);

/*
 * Run sql with n text parameters (NULL entries are SQL NULL).  When out
 * is not NULL the result is stored there for db_get and must be freed
 * with db_res_free.  Returns API_OK, the mapped SQLSTATE error
 * (db_sqlstate_err), or API_UNAVAILABLE when the connection is gone.
 */
enum api_err	 db_exec(struct db *db, const char *sql, int n,
		    const char *const *params, struct db_res **out)
		    __attribute__((warn_unused_result));

/* Number of rows in res (0 for NULL). */
int		 db_nrows(const struct db_res *res);

/*
 * Borrowed value of row, column col of res; NULL when it is SQL NULL or
 * out of range.  Valid until db_res_free.
 */
const char	*db_get(const struct db_res *res, int row, int col);

/* Free a result.  NULL is fine. */
void		 db_res_free(struct db_res *res);

/*
 * Begin a transaction that carries the caller for row-level security:
 * lectern.user_id and lectern.role are set with set_config(..., true),
 * so they end with the transaction (safe behind a transaction-mode
 * PgBouncer).  user_id and role may be NULL (anonymous).
 */
enum api_err	 db_begin(struct db *db, const char *user_id,
		    const char *role) __attribute__((warn_unused_result));

/* Commit the open transaction. */
enum api_err	 db_commit(struct db *db) __attribute__((warn_unused_result));

/* Whether a transaction is open on db. */
int		 db_in_tx(const struct db *db);

/* Roll back the open transaction, if any. */
void		 db_rollback(struct db *db);

/*
 * The constraint named by the last failed statement ("users_email_key"),
 * or "" when there was none.  Borrowed; valid until the next db_exec.
 */
const char	*db_last_constraint(const struct db *db);

/* Map a five-character SQLSTATE to an API error (SPEC §2, STYLE §6). */
enum api_err	 db_sqlstate_err(const char *sqlstate);

#endif /* LECTERN_DB_H */

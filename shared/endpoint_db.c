/*
 * lectern — endpoint: the runner's database stage.  After
 * endpoint_input has checked the request: connect, authenticate as the
 * declaration says, count the rate class, begin the transaction (the
 * caller's or the system's), run the handler, and commit before the
 * response it left in the request is written (http_dispatch writes it,
 * or the error).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "list.h"
#include "log.h"
#include "ratelimit.h"
#include "valid.h"

/*
 * Authenticate c's caller as c->ep->who says.  Returns API_OK (c->authed
 * set when there is a caller) or the error to answer with.
 */
static enum api_err
authenticate(struct call *c)
{
	unsigned int	 who = c->ep->who;
	enum api_err	 er;

	if (who == WHO_ANYONE)
		return API_OK;
	if (who == WHO_OPTIONAL)
		er = auth_optional(c->r, c->db, &c->a, &c->authed);
	else if ((er = auth_require(c->r, c->db, who, &c->a)) == API_OK)
		c->authed = 1;
	if (er == API_OK && c->authed)
		c->user_id = c->a.user.id_str;
	return er;
}

/*
 * The account a sign-in names: the value of the body field rate_by of
 * c's declaration, lower-cased into buf ("" when there is none).
 */
static void
account(const struct call *c, char *buf, size_t size)
{
	const char	*v = NULL;
	size_t		 i;

	buf[0] = '\0';
	for (i = 0; c->ep->rate_by != NULL && i < c->ep->nfields; i++)
		if (strcmp(c->ep->fields[i].name, c->ep->rate_by) == 0 &&
		    c->in[i].present && c->ep->fields[i].fn != valid_int)
			v = c->in[i].v.s;
	for (i = 0; v != NULL && v[i] != '\0' && i + 1 < size; i++)
		buf[i] = (char)tolower((unsigned char)v[i]);
	buf[i] = '\0';
}

/*
 * Count c's request against its declared class: the per-user classes
 * (payment, upload) by the caller, the others by address.  A sign-in
 * (RL_AUTH) counts twice: per address alone at a high ceiling
 * (RL_AUTH_IP), then per address and account together, so a classroom
 * behind one address signs in at once while one address still cannot
 * spray passwords at an account.
 */
static enum api_err
rate(struct call *c)
{
	enum rl_class	 k = c->ep->rate;
	const char	*subject = NULL;
	char		 acct[160], both[200];
	enum api_err	 er;

	if (k == RL_API)
		return API_OK;	/* counted with the caller, by auth */
	if ((k == RL_PAYMENT || k == RL_UPLOAD) && c->authed)
		subject = c->user_id;
	if (k == RL_AUTH) {
		if ((er = ratelimit_check(c->r, c->db, RL_AUTH_IP,
		    NULL)) != API_OK)
			return er;
		account(c, acct, sizeof(acct));
		if (acct[0] != '\0') {
			snprintf(both, sizeof(both), "%s|%s",
			    c->r->remote_addr, acct);
			subject = both;
		}
	}
	return ratelimit_check(c->r, c->db, k, subject);
}

enum api_err
endpoint_begin(struct call *c)
{

	return db_begin(c->db, c->user_id, c->authed ? c->a.user.role : NULL);
}

/*
 * The handler of a declaration without one: send the page of c->ep->list
 * with the parameters its .list_args name.  Returns what list_send
 * returned.
 */
static enum api_err
list_run(struct call *c)
{
	const struct endpoint	*ep = c->ep;
	const char		*params[LIST_PARAMS_MAX];
	size_t			 i, n = 0;

	for (i = 0; i < EP_LIST_ARGS && ep->list_args[i] != LA_END; i++) {
		if (ep->list_args[i] == LA_QUERY) {
			if (n + ep->nquery > LIST_PARAMS_MAX)
				goto bad;
			memcpy(params + n, c->q, ep->nquery * sizeof(*c->q));
			n += ep->nquery;
		} else if (n == LIST_PARAMS_MAX)
			goto bad;
		else if (ep->list_args[i] == LA_USER)
			params[n++] = c->user_id;
		else if (ep->list_args[i] == LA_ADMIN)
			params[n++] = c->authed &&
			    c->a.user.role_bit == ROLE_ADMIN ? "true" : "false";
		else if (ep->list_args[i] == LA_ID)
			params[n++] = c->id_str;
		else
			goto bad;
	}
	if (n == (size_t)ep->list->nparams)
		return list_send(c->r, c->db, ep->list, params, c->page,
		    c->per_page);
bad:
	log_warnx("endpoint %s %s: its .list_args do not make the %d "
	    "parameters of its list", ep->method, ep->route,
	    ep->list->nparams);
	return API_INTERNAL;
}

/*
 * Begin c's transaction as its declaration says, run the handler on
 * c->db and commit.  Returns API_OK or the error to answer with.
 */
static enum api_err
handle(struct call *c)
{
	enum api_err	 er;

	if (c->ep->tx == TX_CALLER && (er = endpoint_begin(c)) != API_OK)
		return er;
	if (c->ep->tx == TX_SYSTEM &&
	    (er = db_begin(c->db, c->user_id, "system")) != API_OK)
		return er;
	if ((er = c->ep->run != NULL ? c->ep->run(c) : list_run(c)) !=
	    API_OK)
		return er;
	if (db_in_tx(c->db) && (er = db_commit(c->db)) != API_OK)
		/* What the handler answered did not happen. */
		http_unsend(c->r);
	return er;
}

/*
 * One request (http_run_fn): arg is the endpoint.  The caller is
 * authenticated and counted on the primary, always (a logout and the
 * rate limits hold on every node at once); an EP_READ_REPLICA handler
 * of an anonymous caller then reads from the replica, and from the
 * primary again when the replica fails it midway.
 */
enum api_err
endpoint_run(struct req *r, const void *arg)
{
	struct call	 c;
	struct db	*primary;
	enum api_err	 er;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.ep = arg;
	if ((er = endpoint_input(&c)) != API_OK ||
	    (er = http_db(r, &c.db)) != API_OK ||
	    (er = authenticate(&c)) != API_OK ||
	    (er = rate(&c)) != API_OK)
		goto out;
	primary = c.db;
	if ((c.ep->flags & EP_READ_REPLICA) && !c.authed)
		http_db_read(r, primary, &c.db);
	er = handle(&c);
	if ((er == API_UNAVAILABLE || er == API_RETRY) && c.db != primary) {
		log_event(LOG_LVL_WARN, r->request_id, "db_read_fallback",
		    NULL);
		http_db_read_drop(r);
		http_unsend(r);
		c.db = primary;
		er = handle(&c);
	}
out:
	endpoint_call_free(&c);
	return er;
}

int
endpoint_main(const struct endpoint *ep)
{

	const struct http_route	 rt = ENDPOINT_ROUTE(ep, endpoint_run);

	return http_serve(&rt);
}

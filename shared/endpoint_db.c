/*
 * lectern — endpoint: the runner's database stage.  After
 * endpoint_input has checked the request: connect, authenticate as the
 * declaration says, count the rate class, begin the caller's
 * transaction, run the handler, and commit before the response it left
 * in the request is written (http_dispatch writes it, or the error).
 */
#include "config.h"

#include <string.h>

#include "auth.h"
#include "db.h"
#include "endpoint.h"
#include "http.h"
#include "ratelimit.h"

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
 * Count c's request against its declared class: the per-user classes
 * (payment, upload) by the caller, the others by address.
 */
static enum api_err
rate(struct call *c)
{
	enum rl_class	 k = c->ep->rate;
	const char	*subject = NULL;

	if (k == RL_API)
		return API_OK;	/* counted with the caller, by auth */
	if ((k == RL_PAYMENT || k == RL_UPLOAD) && c->authed)
		subject = c->user_id;
	return ratelimit_check(c->r, c->db, k, subject);
}

/* One request (http_run_fn): arg is the endpoint. */
static enum api_err
run(struct req *r, const void *arg)
{
	struct call	 c;
	enum api_err	 er;

	memset(&c, 0, sizeof(c));
	c.r = r;
	c.ep = arg;
	if ((er = endpoint_input(&c)) != API_OK ||
	    (er = http_db(r, &c.db)) != API_OK ||
	    (er = authenticate(&c)) != API_OK ||
	    (er = rate(&c)) != API_OK)
		goto out;
	if (c.ep->tx == TX_CALLER && (er = db_begin(c.db, c.user_id,
	    c.authed ? c.a.user.role : NULL)) != API_OK)
		goto out;
	if (c.ep->tx == TX_SYSTEM &&
	    (er = db_begin(c.db, NULL, "system")) != API_OK)
		goto out;
	if ((er = c.ep->run(&c)) != API_OK)
		goto out;
	if (db_in_tx(c.db) && (er = db_commit(c.db)) != API_OK)
		/* What the handler answered did not happen. */
		http_unsend(r);
out:
	endpoint_call_free(&c);
	return er;
}

int
endpoint_main(const struct endpoint *ep)
{

	return http_serve(ep->method, run, ep);
}

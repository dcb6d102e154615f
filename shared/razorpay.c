/*
 * lectern — razorpay: provider ids, signatures and the order row.  The
 * calls out are in shared/razorpay_api.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "crypto.h"
#include "db.h"
#include "razorpay.h"

/* The one character set of a provider id. */
static const char id_chars[] =
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";

int
razorpay_id_ok(const char *s)
{
	size_t	 len;

	if (s == NULL)
		return 0;
	len = strspn(s, id_chars);
	return len >= 1 && len <= RAZORPAY_ID_MAX && s[len] == '\0';
}

int
valid_razorpay_id(const cJSON *item, const struct vfield *f, union vval *v,
    const char **why)
{

	(void)f;
	if (!cJSON_IsString(item) || item->valuestring == NULL) {
		*why = "must be a string";
		return 0;
	}
	if (!razorpay_id_ok(item->valuestring)) {
		*why = "must be 1 to 64 letters, digits and underscores";
		return 0;
	}
	/* Borrowed: valid_out_free frees only what its validators made. */
	v->s = item->valuestring;
	return 1;
}

/* Whether hex is the lower- or upper-case hex of the 32 bytes mac. */
static int
hex_matches(const unsigned char mac[CRYPTO_SHA256_LEN], const char *hex)
{
	char	 want[CRYPTO_SHA256_HEX_SIZE], got[CRYPTO_SHA256_HEX_SIZE];
	size_t	 i;

	if (hex == NULL || strlen(hex) != CRYPTO_SHA256_HEX_SIZE - 1)
		return 0;
	crypto_hex(mac, CRYPTO_SHA256_LEN, want);
	for (i = 0; i < CRYPTO_SHA256_HEX_SIZE - 1; i++)
		got[i] = (hex[i] >= 'A' && hex[i] <= 'F') ?
		    (char)(hex[i] - 'A' + 'a') : hex[i];
	got[i] = '\0';
	return crypto_equal(want, got, CRYPTO_SHA256_HEX_SIZE - 1);
}

int
razorpay_signature_ok(const char *order_id, const char *payment_id,
    const char *sig, const char *secret)
{
	unsigned char	 mac[CRYPTO_SHA256_LEN];
	char		*msg;
	size_t		 len;
	int		 ok;

	if (order_id == NULL || payment_id == NULL || secret == NULL ||
	    *secret == '\0')
		return 0;
	len = strlen(order_id) + 1 + strlen(payment_id);
	if ((msg = malloc(len + 1)) == NULL)
		return 0;
	snprintf(msg, len + 1, "%s|%s", order_id, payment_id);
	ok = crypto_hmac_sha256(secret, strlen(secret), msg, len, mac) ==
	    API_OK && hex_matches(mac, sig);
	free(msg);
	return ok;
}

int
razorpay_webhook_ok(const char *body, size_t len, const char *sig,
    const char *secret)
{
	unsigned char	 mac[CRYPTO_SHA256_LEN];

	if (body == NULL || secret == NULL || *secret == '\0')
		return 0;
	return crypto_hmac_sha256(secret, strlen(secret), body, len, mac) ==
	    API_OK && hex_matches(mac, sig);
}

/* The columns of RAZORPAY_ORDER_COLUMNS, in order. */
enum order_col {
	OC_ID, OC_PROVIDER_ID, OC_USER_ID, OC_COURSE_ID, OC_AMOUNT,
	OC_CURRENCY, OC_STATUS
};

/* Copy column col of row into dst ("" for NULL). */
static void
copy(const struct db_res *res, int row, int col, char *dst, size_t size)
{
	const char	*v = db_get(res, row, col);

	snprintf(dst, size, "%s", v != NULL ? v : "");
}

int
razorpay_order_row(const struct db_res *res, int row,
    struct razorpay_order *o)
{
	const char	*v;

	memset(o, 0, sizeof(*o));
	if (row < 0 || row >= db_nrows(res))
		return 0;
	copy(res, row, OC_ID, o->id, sizeof(o->id));
	copy(res, row, OC_PROVIDER_ID, o->provider_id,
	    sizeof(o->provider_id));
	copy(res, row, OC_USER_ID, o->user_id, sizeof(o->user_id));
	copy(res, row, OC_COURSE_ID, o->course_id, sizeof(o->course_id));
	v = db_get(res, row, OC_AMOUNT);
	o->amount = v != NULL ? strtoll(v, NULL, 10) : 0;
	copy(res, row, OC_CURRENCY, o->currency, sizeof(o->currency));
	copy(res, row, OC_STATUS, o->status, sizeof(o->status));
	return 1;
}

enum api_err
razorpay_order_load(struct db *db, const char *sql, int n,
    const char *const *params, struct razorpay_order *o)
{
	struct db_res	*res = NULL;
	enum api_err	 er;

	/*
	 * o is cleared only once the query has run: a parameter may point
	 * into it (the loser of a create-order race looks the winner's
	 * order up by its own course id).
	 */
	er = db_exec(db, sql, n, params, &res);
	memset(o, 0, sizeof(*o));
	if (er != API_OK)
		return er;
	er = db_nrows(res) == 1 && razorpay_order_row(res, 0, o) ?
	    API_OK : API_NOT_FOUND;
	db_res_free(res);
	return er;
}

/*
 * lectern — t/unit/020-payment: the checkout signature
 * (razorpay_signature_ok) and the webhook signature (razorpay_webhook_ok)
 * against the vectors Razorpay's own SDKs test with, one computed
 * independently, and the inputs both must refuse; and the one rule for
 * a provider id (razorpay_id_ok).
 *
 * No database: the two functions are pure.  Every expected signature
 * below was also recomputed with openssl dgst -sha256 -hmac when the
 * test was written.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "../tap.h"

#include "razorpay.h"

#define SIG_LEN		64	/* hex digits of an HMAC-SHA256 */

/*
 * razorpay/razorpay-python, tests/test_client_utility.py
 * (test_verify_payment_signature): the client is built in
 * tests/helpers.py with auth=('key_id', 'key_secret').
 */
static const char py_secret[] = "key_secret";
static const char py_order_id[] = "fake_order_id";
static const char py_payment_id[] = "fake_payment_id";
static const char py_sig[] =
    "b2335e3b0801106b84a7faff035df56ecffde06918c9ddd1f0fafbb37a51cc89";

/*
 * razorpay/razorpay-python, tests/test_client_utility.py
 * (test_verify_webhook_signature): the body is the file
 * tests/mocks/fake_payment_authorized_webhook.json byte for byte, final
 * newline included (971 bytes); the secret is again 'key_secret'.
 */
static const char py_webhook_body[] =
    "{\n"
    "  \"event\": \"payment.authorized\",\n"
    "  \"entity\": \"event\",\n"
    "  \"contains\": [\n"
    "    \"payment\"\n"
    "  ],\n"
    "  \"payload\": {\n"
    "    \"payment\": {\n"
    "      \"entity\": {\n"
    "        \"id\": \"pay_6koWN7bvxujzxM\",\n"
    "        \"entity\": \"payment\",\n"
    "        \"amount\": 1000000,\n"
    "        \"currency\": \"INR\",\n"
    "        \"status\": \"captured\",\n"
    "        \"order_id\": \"order_100000000order\",\n"
    "        \"international\": false,\n"
    "        \"method\": \"card\",\n"
    "        \"amount_refunded\": 0,\n"
    "        \"refund_status\": null,\n"
    "        \"captured\": true,\n"
    "        \"description\": \"random description\",\n"
    "        \"card_id\": \"card_6koWNAT6LASUqy\",\n"
    "        \"bank\": null,\n"
    "        \"wallet\": null,\n"
    "        \"vpa\": null,\n"
    "        \"email\": \"a@b.com\",\n"
    "        \"contact\": \"+919999999999\",\n"
    "        \"notes\": {\n"
    "          \"merchant_order_id\": \"random order id\"\n"
    "        },\n"
    "        \"fee\": 23000,\n"
    "        \"service_tax\": 3000,\n"
    "        \"error_code\": null,\n"
    "        \"error_description\": null,\n"
    "        \"created_at\": 1479978483\n"
    "      }\n"
    "    }\n"
    "  },\n"
    "  \"created_at\": 1400826760\n"
    "}\n";
static const char py_webhook_sig[] =
    "d60e67fd884556c045e9be7dad57903e33efc7172c17c6e3ef77db42d2b366e9";

/*
 * razorpay/razorpay-node, test/utils/razorpay-utils.spec.js
 * (validateWebhookSignature), with its wrong signature "sdfafds".
 */
static const char node_body[] = "{\"a\":1,\"b\":2,\"c\":{\"d\":3}}";
static const char node_secret[] = "123456";
static const char node_sig[] =
    "2fe04e22977002e6c7cb553adab8b460cb9e2a4970d5953cb27a8472752e3bbc";

/*
 * Ours, computed independently:
 *   printf 'order_x|pay_y' | openssl dgst -sha256 -hmac secret
 */
static const char own_sig[] =
    "27dc055960ead99bd74be3fc0e5077e6639df1a2b63b0b9e1c7d735893a6d9f9";

/*
 * HMAC-SHA256 of "order_x|pay_y" under the empty key (Python's
 * hmac.new(b'', ...)): correct, and still refused, because an empty
 * secret is a configuration fault, not a key.
 */
static const char empty_key_sig[] =
    "99cb706d12c041c9c7e5018a939f62378be15194b506b6a999382e2bca1e0c46";

/*
 * printf 'a\0b' | openssl dgst -sha256 -hmac secret: the webhook MAC
 * covers len bytes, a NUL among them, not a C string.
 */
static const char nul_body_sig[] =
    "2a9b674492a7ed767e2ac259e94f194335db4ac80afc9df7472e039e03270310";

/* A copy of hex in upper case (caller frees), or bail. */
static char *
upper(const char *hex)
{
	char	*s;
	size_t	 i;

	if ((s = strdup(hex)) == NULL)
		bail("out of memory");
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] >= 'a' && s[i] <= 'f')
			s[i] = (char)(s[i] - 'a' + 'A');
	return s;
}

/* The next hex digit after c (f wraps to 0): a different nibble. */
static char
next_nibble(char c)
{
	static const char	 digits[] = "0123456789abcdef";
	const char		*p = strchr(digits, c);

	return p == NULL ? '0' : digits[(p - digits + 1) % 16];
}

/*
 * How many of the SIG_LEN signatures that differ from sig in one nibble
 * are accepted: by razorpay_signature_ok for order_x|pay_y under
 * "secret", or (webhook) by razorpay_webhook_ok for razorpay-node's body.
 */
static int
flipped_accepted(const char *sig, int webhook)
{
	char	 buf[SIG_LEN + 1];
	int	 i, n = 0;

	for (i = 0; i < SIG_LEN; i++) {
		memcpy(buf, sig, sizeof(buf));
		buf[i] = next_nibble(buf[i]);
		if (webhook)
			n += razorpay_webhook_ok(node_body,
			    strlen(node_body), buf, node_secret);
		else
			n += razorpay_signature_ok("order_x", "pay_y", buf,
			    "secret");
	}
	return n;
}

int
main(void)
{
	char	*up, buf[2 * SIG_LEN + 2];
	size_t	 py_len = sizeof(py_webhook_body) - 1;

	plan(48);

	/* The checkout signature: Razorpay's vector and ours. */
	is_int(971, (long long)py_len,
	    "the razorpay-python webhook body is its file's 971 bytes");
	ok(razorpay_signature_ok(py_order_id, py_payment_id, py_sig,
	    py_secret) == 1,
	    "razorpay-python's payment signature vector verifies");
	ok(razorpay_signature_ok(py_order_id, py_payment_id,
	    "test_signature", py_secret) == 0,
	    "...and its negative case (\"test_signature\") does not");
	ok(razorpay_signature_ok("order_x", "pay_y", own_sig, "secret") == 1,
	    "the openssl-computed signature of order_x|pay_y verifies");
	up = upper(own_sig);
	ok(razorpay_signature_ok("order_x", "pay_y", up, "secret") == 1,
	    "...in upper-case hex too");
	free(up);
	up = upper(py_sig);
	ok(razorpay_signature_ok(py_order_id, py_payment_id, up,
	    py_secret) == 1,
	    "...and razorpay-python's in upper case");
	free(up);
	up = upper(own_sig);
	memcpy(up + SIG_LEN / 2, own_sig + SIG_LEN / 2, SIG_LEN / 2);
	ok(razorpay_signature_ok("order_x", "pay_y", up, "secret") == 1,
	    "...and in mixed case");
	free(up);

	/* What must not verify. */
	ok(razorpay_signature_ok("pay_y", "order_x", own_sig, "secret") == 0,
	    "the ids swapped do not verify");
	ok(razorpay_signature_ok("order_x", "pay_z", own_sig, "secret") == 0,
	    "another payment id does not verify");
	ok(razorpay_signature_ok("order_x", "pay_y", own_sig, "secreT") == 0,
	    "another secret does not verify");
	is_int(0, flipped_accepted(own_sig, 0),
	    "no signature one nibble away verifies (all 64 positions)");
	memcpy(buf, own_sig, SIG_LEN + 1);
	buf[SIG_LEN - 1] = '\0';
	ok(razorpay_signature_ok("order_x", "pay_y", buf, "secret") == 0,
	    "a signature one digit short does not verify");
	snprintf(buf, sizeof(buf), "%s0", own_sig);
	ok(razorpay_signature_ok("order_x", "pay_y", buf, "secret") == 0,
	    "...nor one digit long");
	snprintf(buf, sizeof(buf), "%s%s", own_sig, own_sig);
	ok(razorpay_signature_ok("order_x", "pay_y", buf, "secret") == 0,
	    "...nor the signature twice");
	memcpy(buf, own_sig, SIG_LEN / 2);
	buf[SIG_LEN / 2] = '\0';
	ok(razorpay_signature_ok("order_x", "pay_y", buf, "secret") == 0,
	    "...nor its first half (the raw 32 bytes' length)");
	ok(razorpay_signature_ok("order_x", "pay_y", "", "secret") == 0,
	    "an empty signature does not verify");
	memset(buf, 'g', SIG_LEN);
	buf[SIG_LEN] = '\0';
	ok(razorpay_signature_ok("order_x", "pay_y", buf, "secret") == 0,
	    "64 non-hex characters do not verify");
	snprintf(buf, sizeof(buf), " %.*s", SIG_LEN - 1, own_sig);
	ok(razorpay_signature_ok("order_x", "pay_y", buf, "secret") == 0,
	    "...nor a signature with a leading space");
	ok(razorpay_signature_ok("order_x", "pay_y", empty_key_sig, "") == 0,
	    "an empty secret verifies nothing, even the empty key's MAC");
	ok(razorpay_signature_ok(NULL, "pay_y", own_sig, "secret") == 0,
	    "a NULL order id does not verify");
	ok(razorpay_signature_ok("order_x", NULL, own_sig, "secret") == 0,
	    "...nor a NULL payment id");
	ok(razorpay_signature_ok("order_x", "pay_y", NULL, "secret") == 0,
	    "...nor a NULL signature");
	ok(razorpay_signature_ok("order_x", "pay_y", own_sig, NULL) == 0,
	    "...nor a NULL secret");

	/* The webhook signature. */
	ok(razorpay_webhook_ok(py_webhook_body, py_len, py_webhook_sig,
	    py_secret) == 1,
	    "razorpay-python's webhook vector verifies");
	ok(razorpay_webhook_ok(py_webhook_body, py_len - 1, py_webhook_sig,
	    py_secret) == 0,
	    "...but not without the body's final newline (raw bytes)");
	up = upper(py_webhook_sig);
	ok(razorpay_webhook_ok(py_webhook_body, py_len, up, py_secret) == 1,
	    "...and it verifies in upper-case hex");
	free(up);
	ok(razorpay_webhook_ok(node_body, strlen(node_body), node_sig,
	    node_secret) == 1,
	    "razorpay-node's webhook vector verifies");
	ok(razorpay_webhook_ok(node_body, strlen(node_body), "sdfafds",
	    node_secret) == 0,
	    "...and its wrong signature (\"sdfafds\") does not");
	is_int(0, flipped_accepted(node_sig, 1),
	    "...nor any signature one nibble away from it");
	ok(razorpay_webhook_ok(node_body, strlen(node_body), node_sig,
	    "12345") == 0,
	    "...nor the right one under another secret");
	ok(razorpay_webhook_ok("order_x|pay_y", 13, own_sig, "secret") == 1,
	    "the webhook MAC is the same HMAC-SHA256 as the checkout one");
	ok(razorpay_webhook_ok("a\0b", 3, nul_body_sig, "secret") == 1,
	    "a body with a NUL is signed over all its len bytes");
	ok(razorpay_webhook_ok("a\0b", 1, nul_body_sig, "secret") == 0,
	    "...not up to the NUL");
	memcpy(buf, node_sig, SIG_LEN + 1);
	buf[SIG_LEN - 1] = '\0';
	ok(razorpay_webhook_ok(node_body, strlen(node_body), buf,
	    node_secret) == 0,
	    "a webhook signature one digit short does not verify");
	ok(razorpay_webhook_ok(node_body, strlen(node_body), "",
	    node_secret) == 0,
	    "...nor an empty one");
	ok(razorpay_webhook_ok(node_body, strlen(node_body), node_sig,
	    "") == 0,
	    "an empty webhook secret verifies nothing");
	ok(razorpay_webhook_ok(NULL, 0, node_sig, node_secret) == 0,
	    "a NULL body does not verify");
	ok(razorpay_webhook_ok(node_body, strlen(node_body), NULL,
	    node_secret) == 0,
	    "...nor a NULL signature");
	ok(razorpay_webhook_ok(node_body, strlen(node_body), node_sig,
	    NULL) == 0,
	    "...nor a NULL secret");
	ok(razorpay_webhook_ok(py_webhook_body, py_len, py_sig,
	    py_secret) == 0,
	    "the checkout signature does not pass as the webhook's");

	ok(razorpay_id_ok("order_DBJOWzybf0sJbb") == 1,
	    "an order id is a provider id");
	ok(razorpay_id_ok("pay_29QQoUBi66xm2f") == 1,
	    "...and so is a payment id");
	ok(razorpay_id_ok("a234567890123456789012345678901234567890123456789"
	    "012345678901234") == 1, "64 characters are");
	ok(razorpay_id_ok("a234567890123456789012345678901234567890123456789"
	    "0123456789012345") == 0, "65 are not");
	ok(razorpay_id_ok("") == 0, "an empty id is not");
	ok(razorpay_id_ok(NULL) == 0, "...nor NULL");
	ok(razorpay_id_ok("order-1") == 0 && razorpay_id_ok("order.1") == 0,
	    "'-' and '.' are not in the id's characters");
	ok(razorpay_id_ok("order_1/../x") == 0 &&
	    razorpay_id_ok("order_1 ") == 0,
	    "nor '/' or white space, so an id is safe in a URL");
	return tap_status();
}

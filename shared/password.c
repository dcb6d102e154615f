/*
 * lectern — password: hashing, verification and the password policy.
 *
 * Argon2id comes from libargon2, PBKDF2 and scrypt for the imported
 * Werkzeug hashes from libcrypto, the dictionary check from libcrack2.
 * Every number in a stored hash is checked against a ceiling before
 * any work is done, so a corrupt or hostile row can cost at most one
 * bounded computation and never crash.  Copies of passwords and keys
 * derived from them are wiped with OPENSSL_cleanse before they go.
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <argon2.h>
#include <crack.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "log.h"
#include "password.h"
#include "valid.h"

#define SALT_LEN		16
#define HASH_LEN		32
#define STORED_MAX		1024	/* longer stored strings: not ours */
#define ARGON2_M_MAX		262144	/* KiB: 256 MiB */
#define ARGON2_T_MAX		16
#define ARGON2_P_MAX		8
#define PBKDF2_ITER_MAX		10000000
#define PBKDF2_DKLEN		32	/* SHA-256 */
#define SCRYPT_N_MAX		(1ULL << 24)
#define SCRYPT_RP_MAX		64
#define SCRYPT_MEM_MAX		(256ULL * 1024 * 1024)
#define SCRYPT_DKLEN		64	/* hashlib.scrypt's default */
#define WZ_SALT_MAX		256
#define UNUSABLE_PREFIX		"!unusable!"
#define UNUSABLE_RAND		16
#define POLICY_BYTES		(PASSWORD_MAX_CHARS * 4)
#define USER_MAX		255

#define MSG_REQUIRED	"is required"
#define MSG_TEXT	"must be valid UTF-8 without control characters"
#define MSG_SHORT	"is too short"
#define MSG_LONG	"must be at most 128 characters"
#define MSG_EMAIL	"must not be your email address"
#define MSG_EMAIL_BASED	"must not be based on your email address"
#define MSG_DICT	"is a common password or based on a dictionary word"
#define MSG_SIMPLE	"is too simple or repetitive"
#define MSG_GUESS	"is too easy to guess"

/*
 * The Argon2id hash, with the standard parameters, of 32 random bytes
 * that were thrown away.  password_verify_dummy checks against it.
 */
static const char dummy_hash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$QXOe1XMpKW7qcXeMWrbM9Q$"
    "rBkZTyh7+xQuACViQ2I8gP3rX6UU8AOCiR3sMnuKcdU";

enum wz_kind {
	WZ_PBKDF2,
	WZ_SCRYPT
};

/* A parsed Werkzeug hash; salt points into the stored string. */
struct wz {
	enum wz_kind	 kind;
	uint64_t	 n;	/* PBKDF2 iterations or scrypt N */
	uint64_t	 r;
	uint64_t	 p;
	const char	*salt;
	size_t		 saltlen;
	unsigned char	 dk[SCRYPT_DKLEN];
	size_t		 dklen;
};

enum verdict {
	VERDICT_DICT,
	VERDICT_USER,
	VERDICT_SIMPLE,
	VERDICT_ERROR,
	VERDICT_OTHER
};

/* cracklib 2.9's messages (fascist.c), untranslated. */
static const struct {
	const char	*msg;
	enum verdict	 v;
} verdicts[] = {
	{ "it is based on a dictionary word", VERDICT_DICT },
	{ "it is based on a (reversed) dictionary word", VERDICT_DICT },
	{ "it is based on your username", VERDICT_USER },
	{ "it does not contain enough DIFFERENT characters", VERDICT_SIMPLE },
	{ "it is all whitespace", VERDICT_SIMPLE },
	{ "it is too simplistic/systematic", VERDICT_SIMPLE },
	{ "it is WAY too short", VERDICT_SIMPLE },
	{ "it is too short", VERDICT_SIMPLE },
	{ "it looks like a National Insurance number.", VERDICT_SIMPLE },
	{ "error loading dictionary", VERDICT_ERROR },
};

/*
 * Parse the decimal number s[0..len): digits only, no sign, no leading
 * zero, from 1 to max.  Returns 1 with *v set, or 0.
 */
static int
parse_num(const char *s, size_t len, uint64_t max, uint64_t *v)
{
	uint64_t	 n = 0;
	size_t		 i;

	if (len == 0 || len > 10 || s[0] == '0')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		n = n * 10 + (uint64_t)(s[i] - '0');
	}
	if (n > max)
		return 0;
	*v = n;
	return 1;
}

/*
 * Parse the number that starts at *s and ends before the byte stop (or
 * at end), and move *s past stop.  Returns 1 or 0 as parse_num.
 */
static int
take_num(const char **s, const char *end, int stop, uint64_t max,
    uint64_t *v)
{
	const char	*e;

	if ((e = memchr(*s, stop, (size_t)(end - *s))) == NULL)
		e = end;
	if (!parse_num(*s, (size_t)(e - *s), max, v))
		return 0;
	*s = e < end ? e + 1 : e;
	return 1;
}

/* The value of a lower-case hex digit, or -1. */
static int
hexval(int c)
{

	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Decode exactly outlen bytes from the 2·outlen lower-case hex digits
 * s[0..len).  Returns 1, or 0 for any other length or character.
 */
static int
hex_decode(const char *s, size_t len, unsigned char *out, size_t outlen)
{
	size_t	 i;
	int	 hi, lo;

	if (len != outlen * 2)
		return 0;
	for (i = 0; i < outlen; i++) {
		if ((hi = hexval((unsigned char)s[2 * i])) < 0 ||
		    (lo = hexval((unsigned char)s[2 * i + 1])) < 0)
			return 0;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 1;
}

/*
 * Parse "$argon2id$v=19$m=M,t=T,p=P$..." far enough to bound its cost.
 * Returns 1 with the parameters set when they are within the ceilings,
 * else 0.  libargon2 checks the rest.
 */
static int
parse_argon2(const char *s, uint64_t *m, uint64_t *t, uint64_t *p)
{
	static const char	 head[] = "$argon2id$v=19$m=";
	const char		*end;

	if (strncmp(s, head, sizeof(head) - 1) != 0)
		return 0;
	s += sizeof(head) - 1;
	end = s + strlen(s);
	if (!take_num(&s, end, ',', ARGON2_M_MAX, m) ||
	    strncmp(s, "t=", 2) != 0)
		return 0;
	s += 2;
	if (!take_num(&s, end, ',', ARGON2_T_MAX, t) ||
	    strncmp(s, "p=", 2) != 0)
		return 0;
	s += 2;
	if (!take_num(&s, end, '$', ARGON2_P_MAX, p))
		return 0;
	return s[-1] == '$';
}

/*
 * Parse a Werkzeug hash "pbkdf2:sha256:N$salt$hex" or
 * "scrypt:N:r:p$salt$hex" into w.  Returns 1 when it is well formed and
 * within the ceilings, else 0.
 */
static int
parse_werkzeug(const char *s, struct wz *w)
{
	const char	*d1, *d2, *p, *end;

	if ((d1 = strchr(s, '$')) == NULL ||
	    (d2 = strchr(d1 + 1, '$')) == NULL)
		return 0;
	w->salt = d1 + 1;
	w->saltlen = (size_t)(d2 - w->salt);
	if (w->saltlen == 0 || w->saltlen > WZ_SALT_MAX)
		return 0;
	if (strncmp(s, "pbkdf2:sha256:", 14) == 0) {
		w->kind = WZ_PBKDF2;
		w->dklen = PBKDF2_DKLEN;
		w->r = w->p = 0;
		if (!parse_num(s + 14, (size_t)(d1 - s - 14), PBKDF2_ITER_MAX,
		    &w->n))
			return 0;
	} else if (strncmp(s, "scrypt:", 7) == 0) {
		w->kind = WZ_SCRYPT;
		w->dklen = SCRYPT_DKLEN;
		p = s + 7;
		end = d1;
		if (!take_num(&p, end, ':', SCRYPT_N_MAX, &w->n) ||
		    !take_num(&p, end, ':', SCRYPT_RP_MAX, &w->r) ||
		    !take_num(&p, end, ':', SCRYPT_RP_MAX, &w->p) ||
		    p != end || p[-1] == ':')
			return 0;
		/* N a power of two above 1; Werkzeug's maxmem bounded. */
		if (w->n < 2 || (w->n & (w->n - 1)) != 0 ||
		    132 * w->n * w->r * w->p > SCRYPT_MEM_MAX)
			return 0;
		/* OpenSSL's own parameter check (N < 2^(16r), r·p < 2^30). */
		if (EVP_PBE_scrypt(NULL, 0, NULL, 0, w->n, w->r, w->p,
		    132 * w->n * w->r * w->p, NULL, 0) != 1)
			return 0;
	} else
		return 0;
	return hex_decode(d2 + 1, strlen(d2 + 1), w->dk, w->dklen);
}

int
password_imported_ok(const char *stored)
{
	struct wz	 w;

	return stored != NULL && parse_werkzeug(stored, &w);
}

/*
 * Derive the Werkzeug key of pw (pwlen bytes) with w's method and
 * compare it with w->dk.  Returns API_OK with *ok set, or API_INTERNAL
 * when libcrypto fails (logged).
 */
static enum api_err
verify_werkzeug(const char *pw, size_t pwlen, const struct wz *w, int *ok)
{
	unsigned char	 key[SCRYPT_DKLEN];
	enum api_err	 rc = API_INTERNAL;

	if (w->kind == WZ_PBKDF2) {
		if (PKCS5_PBKDF2_HMAC(pw, (int)pwlen,
		    (const unsigned char *)w->salt, (int)w->saltlen,
		    (int)w->n, EVP_sha256(), (int)w->dklen, key) != 1) {
			log_warnx("password: PKCS5_PBKDF2_HMAC failed");
			goto out;
		}
	} else {
		if (EVP_PBE_scrypt(pw, pwlen, (const unsigned char *)w->salt,
		    w->saltlen, w->n, w->r, w->p, 132 * w->n * w->r * w->p,
		    key, w->dklen) != 1) {
			log_warnx("password: EVP_PBE_scrypt failed");
			goto out;
		}
	}
	*ok = CRYPTO_memcmp(key, w->dk, w->dklen) == 0;
	rc = API_OK;
out:
	OPENSSL_cleanse(key, sizeof(key));
	return rc;
}

/*
 * Check pw against the Argon2id encoded string s.  Returns API_OK with
 * *ok set (0 also for a string libargon2 cannot decode, after a dummy
 * verification so that it takes as long), API_ENOMEM or API_INTERNAL
 * (logged).
 */
static enum api_err
verify_argon2(const char *pw, size_t pwlen, const char *s, int *ok)
{
	int	 ar;

	ar = argon2id_verify(s, pw, pwlen);
	switch (ar) {
	case ARGON2_OK:
		*ok = 1;
		return API_OK;
	case ARGON2_MEMORY_ALLOCATION_ERROR:
		log_warnx("password: argon2id_verify: %s",
		    argon2_error_message(ar));
		return API_ENOMEM;
	case ARGON2_THREAD_FAIL:
		log_warnx("password: argon2id_verify: %s",
		    argon2_error_message(ar));
		return API_INTERNAL;
	case ARGON2_VERIFY_MISMATCH:
		return API_OK;
	default:
		/* The stored string does not decode. */
		password_verify_dummy(pw);
		return API_OK;
	}
}

/*
 * Hash pw with the standard parameters; see password.h.  The salt is
 * wiped; the encoded string holds no secret beyond the hash itself.
 */
enum api_err
password_hash(const char *pw, char **out)
{
	unsigned char	 salt[SALT_LEN];
	char		*enc = NULL;
	size_t		 len;
	int		 ar;
	enum api_err	 rc = API_INTERNAL;

	*out = NULL;
	if (pw == NULL || strlen(pw) > PASSWORD_MAX_BYTES)
		return API_INVALID;
	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		log_warnx("password: RAND_bytes failed");
		goto out;
	}
	len = argon2_encodedlen(PASSWORD_ARGON2_T, PASSWORD_ARGON2_M,
	    PASSWORD_ARGON2_P, SALT_LEN, HASH_LEN, Argon2_id);
	if ((enc = malloc(len)) == NULL) {
		log_warnx("password: out of memory");
		rc = API_ENOMEM;
		goto out;
	}
	ar = argon2id_hash_encoded(PASSWORD_ARGON2_T, PASSWORD_ARGON2_M,
	    PASSWORD_ARGON2_P, pw, strlen(pw), salt, sizeof(salt), HASH_LEN,
	    enc, len);
	if (ar != ARGON2_OK) {
		log_warnx("password: argon2id_hash_encoded: %s",
		    argon2_error_message(ar));
		if (ar == ARGON2_MEMORY_ALLOCATION_ERROR)
			rc = API_ENOMEM;
		goto out;
	}
	*out = enc;
	enc = NULL;
	rc = API_OK;
out:
	free(enc);
	OPENSSL_cleanse(salt, sizeof(salt));
	return rc;
}

/*
 * Verify pw against stored; see password.h.  Allocates nothing itself;
 * libargon2 and libcrypto allocate what the bounded parameters ask.
 */
enum api_err
password_verify(const char *pw, const char *stored, int *ok,
    int *needs_rehash)
{
	struct wz	 w;
	uint64_t	 m, t, p;
	size_t		 pwlen;
	int		 rehash = 0;
	enum api_err	 rc;

	*ok = 0;
	if (needs_rehash != NULL)
		*needs_rehash = 0;
	if (pw == NULL)
		return API_INVALID;
	pwlen = strlen(pw);
	if (stored == NULL || pwlen > PASSWORD_MAX_BYTES ||
	    strlen(stored) > STORED_MAX)
		goto dummy;
	if (parse_argon2(stored, &m, &t, &p)) {
		rc = verify_argon2(pw, pwlen, stored, ok);
		rehash = m < PASSWORD_ARGON2_M || t < PASSWORD_ARGON2_T;
	} else if (parse_werkzeug(stored, &w)) {
		rc = verify_werkzeug(pw, pwlen, &w, ok);
		OPENSSL_cleanse(&w, sizeof(w));
		rehash = 1;
	} else
		goto dummy;
	if (rc != API_OK)
		*ok = 0;
	if (*ok && needs_rehash != NULL)
		*needs_rehash = rehash;
	return rc;
dummy:
	password_verify_dummy(pw);
	return API_OK;
}

/*
 * One Argon2id verification of pw against dummy_hash, answer ignored;
 * see password.h.  Input past PASSWORD_MAX_BYTES is not looked at.
 */
void
password_verify_dummy(const char *pw)
{
	size_t	 len;

	if (pw == NULL)
		pw = "";
	if ((len = strlen(pw)) > PASSWORD_MAX_BYTES)
		len = PASSWORD_MAX_BYTES;
	(void)argon2id_verify(dummy_hash, pw, len);
}

/*
 * A new unusable-password marker in *out, which the caller frees; see
 * password.h.  It cannot verify: it matches no recognised format.
 */
enum api_err
password_unusable(char **out)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 r[UNUSABLE_RAND];
	char			*s;
	size_t			 i, plen = sizeof(UNUSABLE_PREFIX) - 1;

	*out = NULL;
	if (RAND_bytes(r, sizeof(r)) != 1) {
		log_warnx("password: RAND_bytes failed");
		return API_INTERNAL;
	}
	if ((s = malloc(plen + 2 * sizeof(r) + 1)) == NULL) {
		log_warnx("password: out of memory");
		return API_ENOMEM;
	}
	memcpy(s, UNUSABLE_PREFIX, plen);
	for (i = 0; i < sizeof(r); i++) {
		s[plen + 2 * i] = hex[r[i] >> 4];
		s[plen + 2 * i + 1] = hex[r[i] & 0x0f];
	}
	s[plen + 2 * sizeof(r)] = '\0';
	*out = s;
	return API_OK;
}

/* The class of a cracklib message; VERDICT_OTHER for one we don't know. */
static enum verdict
classify(const char *msg)
{
	size_t	 i;

	for (i = 0; i < sizeof(verdicts) / sizeof(verdicts[0]); i++)
		if (strcmp(msg, verdicts[i].msg) == 0)
			return verdicts[i].v;
	return VERDICT_OTHER;
}

/*
 * Run cracklib on pw with user as the account name.  With dict_only,
 * only the dictionary and email verdicts count.  Returns API_OK,
 * API_INVALID with *why set, or API_INTERNAL when the dictionary cannot
 * be read (logged).
 */
static enum api_err
crack_check(const char *pw, const char *user, int dict_only,
    const char **why)
{
	const char	*dict, *msg;
	char		 path[1024];
	struct stat	 st;

	dict = GetDefaultCracklibDict();
	if (snprintf(path, sizeof(path), "%s.pwd", dict) >=
	    (int)sizeof(path) || stat(path, &st) == -1) {
		log_warnx("password: cracklib dictionary %s.pwd missing",
		    dict);
		return API_INTERNAL;
	}
	if ((msg = FascistCheckUser(pw, dict, user, NULL)) == NULL)
		return API_OK;
	switch (classify(msg)) {
	case VERDICT_DICT:
		*why = MSG_DICT;
		return API_INVALID;
	case VERDICT_USER:
		*why = MSG_EMAIL_BASED;
		return API_INVALID;
	case VERDICT_ERROR:
		log_warnx("password: cracklib: %s", msg);
		return API_INTERNAL;
	case VERDICT_SIMPLE:
		*why = MSG_SIMPLE;
		break;
	default:
		*why = MSG_GUESS;
		break;
	}
	if (dict_only) {
		*why = NULL;
		return API_OK;
	}
	return API_INVALID;
}

/*
 * The position of c on a US keyboard as row·16 + column, the shifted
 * symbol counting as its key; -1 for any other byte.  c is lower case.
 */
static int
key_pos(int c)
{
	static const char *const rows[4][2] = {
		{ "`1234567890-=", "~!@#$%^&*()_+" },
		{ "qwertyuiop[]\\", "{}|" },
		{ "asdfghjkl;'", ":\"" },
		{ "zxcvbnm,./", "<>?" },
	};
	static const int	 shift_col[4] = { 0, 10, 9, 7 };
	const char		*q;
	int			 row;

	if (c == '\0' || c >= 0x80)
		return -1;
	for (row = 0; row < 4; row++) {
		if ((q = strchr(rows[row][0], c)) != NULL)
			return row * 16 + (int)(q - rows[row][0]);
		if ((q = strchr(rows[row][1], c)) != NULL)
			return row * 16 + shift_col[row] +
			    (int)(q - rows[row][1]);
	}
	return -1;
}

/*
 * Whether b follows a in the way kind says: 0 same byte, 1 and 2 the
 * next and previous key on the same keyboard row, 3 and 4 the next and
 * previous letter or digit.
 */
static int
follows(int kind, int a, int b)
{
	int	 ka, kb;

	switch (kind) {
	case 0:
		return a == b;
	case 1:
	case 2:
		ka = key_pos(a);
		kb = key_pos(b);
		if (ka < 0 || kb < 0 || ka / 16 != kb / 16)
			return 0;
		return kb - ka == (kind == 1 ? 1 : -1);
	default:
		if (!((isdigit(a) && isdigit(b)) ||
		    (islower(a) && islower(b))))
			return 0;
		return b - a == (kind == 3 ? 1 : -1);
	}
}

/*
 * Whether more than half of the n lower-cased bytes of s lie in runs of
 * three or more that follow one another (see follows), or s is a
 * shorter string repeated.
 */
static int
too_regular(const unsigned char *s, size_t n)
{
	unsigned char	 mark[POLICY_BYTES];
	size_t		 i, start, marked = 0, per;
	int		 kind;

	memset(mark, 0, sizeof(mark));
	for (kind = 0; kind < 5; kind++) {
		for (start = 0, i = 1; i <= n; i++) {
			if (i < n && follows(kind, s[i - 1], s[i]))
				continue;
			if (i - start >= 3)
				memset(mark + start, 1, i - start);
			start = i;
		}
	}
	for (i = 0; i < n; i++)
		marked += mark[i];
	if (marked * 2 > n)
		return 1;
	for (per = 1; per <= n / 2; per++) {
		for (i = per; i < n && s[i] == s[i - per]; i++)
			continue;
		if (i == n)
			return 1;
	}
	return 0;
}

/*
 * The checks that need a lower-cased copy and the stripped core of pw
 * (len bytes, at most POLICY_BYTES), in which @ stands for a; see
 * password_check_policy.
 * Returns API_OK, API_INVALID with *why set, or API_INTERNAL.  Both
 * copies are wiped.
 */
static enum api_err
check_content(const char *pw, size_t len, const char *user,
    const char **why)
{
	unsigned char	 low[POLICY_BYTES];
	char		 core[POLICY_BYTES + 1];
	size_t		 i, b, e;
	enum api_err	 rc;

	if ((rc = crack_check(pw, user, 0, why)) != API_OK)
		return rc;
	/* Leading and trailing ASCII digits, punctuation and spaces. */
	for (b = 0; b < len && (unsigned char)pw[b] < 0x80 &&
	    !isalpha((unsigned char)pw[b]); b++)
		continue;
	for (e = len; e > b && (unsigned char)pw[e - 1] < 0x80 &&
	    !isalpha((unsigned char)pw[e - 1]); e--)
		continue;
	if (e > b && (e - b < len || memchr(pw, '@', len) != NULL)) {
		/* cracklib undoes $, 0, 1, 2, 3, 4 and 5, but not @. */
		for (i = b; i < e; i++)
			core[i - b] = pw[i] == '@' ? 'a' : pw[i];
		core[e - b] = '\0';
		rc = crack_check(core, user, 1, why);
		OPENSSL_cleanse(core, sizeof(core));
		if (rc != API_OK)
			return rc;
	}
	for (i = 0; i < len; i++)
		low[i] = (unsigned char)tolower((unsigned char)pw[i]);
	if (too_regular(low, len)) {
		*why = MSG_SIMPLE;
		rc = API_INVALID;
	}
	OPENSSL_cleanse(low, sizeof(low));
	return rc;
}

/*
 * Apply the password policy; see password.h for the rules and the
 * cracklib verdicts honoured.  *why is static, never freed.
 */
enum api_err
password_check_policy(const char *pw, const char *email, size_t min_len,
    const char **why)
{
	char		 user[USER_MAX + 1];
	const char	*at;
	size_t		 len, chars, i, ulen;

	*why = NULL;
	if (pw == NULL) {
		*why = MSG_REQUIRED;
		return API_INVALID;
	}
	if (min_len < PASSWORD_MIN_FLOOR)
		min_len = PASSWORD_MIN_FLOOR;
	if (min_len > PASSWORD_MAX_CHARS)
		min_len = PASSWORD_MAX_CHARS;
	/* More bytes than 128 four-byte characters is too long anyway. */
	if ((len = strlen(pw)) > POLICY_BYTES) {
		*why = MSG_LONG;
		return API_INVALID;
	}
	if (!valid_text(pw, 0)) {
		*why = MSG_TEXT;
		return API_INVALID;
	}
	chars = valid_utf8_len(pw);
	if (chars < min_len) {
		*why = MSG_SHORT;
		return API_INVALID;
	}
	if (chars > PASSWORD_MAX_CHARS) {
		*why = MSG_LONG;
		return API_INVALID;
	}

	/* cracklib's "username": the lower-cased local part, or a DEL. */
	user[0] = 0x7f;
	user[1] = '\0';
	if (email != NULL) {
		if (strcasecmp(pw, email) == 0) {
			*why = MSG_EMAIL;
			return API_INVALID;
		}
		if ((at = strrchr(email, '@')) == NULL)
			at = email + strlen(email);
		ulen = (size_t)(at - email);
		if (ulen == len && strncasecmp(pw, email, len) == 0) {
			*why = MSG_EMAIL;
			return API_INVALID;
		}
		if (ulen > 0 && ulen <= USER_MAX) {
			for (i = 0; i < ulen; i++)
				user[i] =
				    (char)tolower((unsigned char)email[i]);
			user[ulen] = '\0';
		}
	}
	return check_content(pw, len, user, why);
}

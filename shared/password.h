/*
 * lectern — password: hashing, verification and the password policy.
 *
 * New passwords are stored as Argon2id encoded strings (libargon2,
 * m=19456 KiB, t=2, p=1, 16-byte salt, 32-byte hash).  Hashes imported
 * from the Flask apps this replaces verify too and ask to be re-hashed:
 * Werkzeug's "pbkdf2:sha256:N$salt$hex" and "scrypt:N:r:p$salt$hex",
 * the salt taken as its UTF-8 bytes (SPEC §3).  Anything else never
 * verifies.  The policy follows OWASP ASVS 4.0.3 V2.1 with libcrack2's
 * FascistCheckUser and the system cracklib dictionary; the verdicts it
 * honours are listed at password_check_policy below.
 *
 * Nothing here is thread-safe: cracklib keeps static buffers.  That is
 * fine in a single-threaded CGI.
 */
#ifndef LECTERN_PASSWORD_H
#define LECTERN_PASSWORD_H

#include <stddef.h>

#include "err.h"

#define PASSWORD_MIN_DEFAULT	12	/* LECTERN_PASSWORD_MIN unset */
#define PASSWORD_MIN_FLOOR	8	/* lower minimums are raised */
#define PASSWORD_MAX_CHARS	128	/* code points, never truncated */
#define PASSWORD_MAX_BYTES	4096	/* longer never hashes or verifies */

/* The Argon2id parameters of every new hash. */
#define PASSWORD_ARGON2_M	19456	/* KiB */
#define PASSWORD_ARGON2_T	2
#define PASSWORD_ARGON2_P	1

/*
 * Hash pw with Argon2id into a new encoded string
 * "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>" stored in *out, which
 * the caller frees.  Returns API_OK; API_INVALID when pw is NULL or
 * longer than PASSWORD_MAX_BYTES; API_ENOMEM; API_INTERNAL when the
 * random generator or libargon2 fails.  *out is NULL on failure.
 */
enum api_err	password_hash(const char *pw, char **out)
		    __attribute__((warn_unused_result));

/*
 * Check pw against the stored hash.  Returns API_OK with *ok 1 when it
 * matches and 0 when it does not; *needs_rehash (may be NULL) is set to
 * 1 when the match came from a Werkzeug hash or from an Argon2id hash
 * with m below 19456 KiB or t below 2, so the caller stores
 * password_hash(pw) in its place.
 *
 * Recognised: "$argon2id$v=19$m=M,t=T,p=P$salt$hash" with M at most
 * 262144 KiB, T at most 16 and P at most 8; "pbkdf2:sha256:N$salt$hex"
 * with N from 1 to 10,000,000 and 64 lower-case hex digits; and
 * "scrypt:N:r:p$salt$hex" with N a power of two from 2 to 2^24, r and p
 * from 1 to 64, 132·N·r·p (Werkzeug's maxmem) at most 256 MiB, and 128
 * lower-case hex digits (dklen 64).  Numbers are plain decimal without
 * leading zeros.  Werkzeug's forms without parameters ("pbkdf2:sha256$",
 * "pbkdf2$", "scrypt$") are not recognised: Werkzeug never writes them,
 * and the iterations they imply changed between its versions (260,000
 * in 2.2, 600,000 in 2.3 and 3.0, 1,000,000 in 3.1).  Everything else,
 * a NULL stored included, is ok = 0, and then one Argon2id verification
 * is still spent (password_verify_dummy) so the answer takes as long
 * as a real one.
 *
 * Returns API_INVALID when pw is NULL; API_ENOMEM or API_INTERNAL when
 * a library fails (logged; *ok is then 0).
 */
enum api_err	password_verify(const char *pw, const char *stored, int *ok,
		    int *needs_rehash) __attribute__((warn_unused_result));

/*
 * Whether stored is a Werkzeug hash password_verify can check
 * ("pbkdf2:sha256:N$salt$hex" or "scrypt:N:r:p$salt$hex" within the
 * ceilings), without deriving anything.  For tools and the fuzzer.
 */
int		password_imported_ok(const char *stored);

/*
 * Spend one Argon2id verification of pw (NULL counts as "") against a
 * fixed hash with the standard parameters and throw the answer away.
 * For the login of an unknown email, so that it costs as much as a
 * wrong password.
 */
void		password_verify_dummy(const char *pw);

/*
 * Store in *out a new marker "!unusable!<32 hex digits>" for an account
 * that has no password (created by an admin, or erased).  No password
 * ever verifies against it.  The caller frees *out.  Returns API_OK,
 * API_ENOMEM or API_INTERNAL (random generator); *out is NULL on failure.
 */
enum api_err	password_unusable(char **out)
		    __attribute__((warn_unused_result));

/*
 * Whether pw may become a password (SPEC §3, ASVS 4.0.3 V2.1).  email
 * is the account's address and may be NULL.  min_len is in code points
 * (LECTERN_PASSWORD_MIN); below PASSWORD_MIN_FLOOR it is raised to it,
 * above PASSWORD_MAX_CHARS lowered to it.
 *
 * Rules, in order:
 *  - well-formed UTF-8 without C0 control characters or DEL (a C string
 *    holds no NUL; the JSON layer rejects \u0000); any other Unicode
 *    character, spaces included, is allowed and nothing is normalised;
 *  - between min_len and PASSWORD_MAX_CHARS code points;
 *  - not the email address nor its local part, ignoring ASCII case;
 *  - FascistCheckUser(pw, dictionary, local part, NULL) honoured as
 *    follows: "based on a (reversed) dictionary word" → common or
 *    dictionary; "based on your username" (cracklib's manglings of the
 *    local part) → based on the email; "does not contain enough
 *    DIFFERENT characters" (fewer than 5 distinct bytes), "all
 *    whitespace", "too simplistic/systematic" (runs of neighbouring
 *    characters), "WAY too short", "too short" and the National
 *    Insurance pattern → too simple; any other verdict (a translation,
 *    a future message) → too easy to guess, failing closed; "error
 *    loading dictionary" → API_INTERNAL.  Passing the local part as
 *    user keeps cracklib from reading the passwd entry of the process
 *    (www-data), whose verdicts would mean nothing here.  These
 *    rejections are for repetitive, sequential and dictionary-derived
 *    passwords, as NIST SP 800-63B 5.1.1.2 asks; none is a composition
 *    rule (no class of character is ever required);
 *  - the same check on the password with its leading and trailing ASCII
 *    digits, punctuation and spaces removed and @ read as a, honouring
 *    only the dictionary and email verdicts: cracklib trims at most
 *    three characters from each end and has no rule for @, so
 *    "password1234" and "P@ssw0rd2024" would pass it;
 *  - not more than half made of runs of three or more neighbouring keys
 *    on one row of a US keyboard, consecutive letters or digits (either
 *    direction), or one repeated character ("qwertyuiopas");
 *  - not one shorter string repeated ("elephantelephant").
 *
 * cracklib looks at the first 255 bytes only; that limits the check,
 * never the password.  Returns API_OK with *why NULL; API_INVALID with
 * *why a static message safe to show the user; API_INTERNAL when the
 * dictionary is missing (logged).
 */
enum api_err	password_check_policy(const char *pw, const char *email,
		    size_t min_len, const char **why)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_PASSWORD_H */

/*
 * lectern — valid: input validation by field tables.
 *
 * An endpoint declares its body as a static table of struct vfield, as
 * kcgi declares its keys.  valid_object checks a parsed JSON object
 * against the table: unknown and duplicate members are rejected,
 * strings are trimmed, empty strings count as missing, lengths and
 * characters are checked, and every failure is reported per field.
 */
#ifndef LECTERN_VALID_H
#define LECTERN_VALID_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "err.h"

#define VF_REQUIRED	0x01	/* missing or empty: "is required" */
#define VF_MULTILINE	0x02	/* \n and \t allowed in the string */
#define VF_NULLABLE	0x04	/* JSON null accepted (vout.is_null) */
#define VF_NOTRIM	0x08	/* kept as given, wiped on free (passwords) */
#define VF_STRING	0x10	/* fn of one's own allocates v->s (to free) */

#define VALID_ID_MAX	9007199254740991LL	/* 2^53 - 1 */
#define VALID_PER_PAGE_MAX 100

union vval {
	char		*s;	/* allocated; freed by valid_out_free */
	long long	 i;
	int		 b;
};

struct vfield;

/*
 * A validator: check item against field f, store the parsed value in v.
 * Returns 1, or 0 with *why set to a static message.
 */
typedef int (*vfn)(const cJSON *item, const struct vfield *f,
    union vval *v, const char **why);

struct vfield {
	const char	*name;
	vfn		 fn;
	unsigned int	 flags;
	long long	 min;	/* string: characters; number: value */
	long long	 max;	/* 0 for a string: 255 characters */
};

struct vout {
	int		 present;	/* given and not empty */
	int		 is_null;	/* given as null (VF_NULLABLE) */
	union vval	 v;
};

/* Validators for struct vfield.fn. */
int	valid_string(const cJSON *, const struct vfield *, union vval *,
	    const char **);
int	valid_email(const cJSON *, const struct vfield *, union vval *,
	    const char **);
int	valid_int(const cJSON *, const struct vfield *, union vval *,
	    const char **);
int	valid_id(const cJSON *, const struct vfield *, union vval *,
	    const char **);
int	valid_bool(const cJSON *, const struct vfield *, union vval *,
	    const char **);
/*
 * An RFC 3339 timestamp string (valid_rfc3339); stores the normalised
 * text (an allocated copy, freed by valid_out_free) that PostgreSQL
 * reads as timestamptz.  min and max are not used.
 */
int	valid_timestamp(const cJSON *, const struct vfield *, union vval *,
	    const char **);

/*
 * Check obj against the n fields of f and fill out[n].  Returns API_OK;
 * API_INVALID with *errs an object {field: message} that the caller
 * frees with cJSON_Delete (out[] is then already freed); API_ENOMEM.
 * On API_OK the caller frees out with valid_out_free.
 */
enum api_err	valid_object(const cJSON *obj, const struct vfield *f,
		    size_t n, struct vout *out, cJSON **errs)
		    __attribute__((warn_unused_result));

/*
 * Free the strings of out[n]: those of valid_string, valid_email,
 * valid_timestamp and VF_STRING fields (wiping VF_NOTRIM ones).  NULL
 * is fine.
 */
void		valid_out_free(struct vout *out, const struct vfield *f,
		    size_t n);

/*
 * Whether s is acceptable text: well-formed UTF-8 with no C0 or C1
 * control characters other than \n and \t (those only when multiline),
 * no DEL, no bidirectional overrides or isolates, no line or paragraph
 * separators and no noncharacters.
 */
int		valid_text(const char *s, int multiline);

/*
 * Whether s is 1 to max bytes of visible ASCII (0x21 to 0x7e): what a
 * token's claim or key id may be.  NULL is not.
 */
int		valid_visible(const char *s, size_t max);

/* Whether s is one of the strings of the NULL-ended list. */
int		valid_one_of(const char *s, const char *const *list);

/* The length of the UTF-8 string s in code points. */
size_t		valid_utf8_len(const char *s);

/*
 * Parse a positive id (1 .. 2^53-1, decimal digits only, no sign, no
 * leading zero) from s.  Returns 1 or 0.
 */
int		valid_id_str(const char *s, long long *id);

/* The longest RFC 3339 timestamp valid_rfc3339 accepts, in bytes. */
#define VALID_TIMESTAMP_MAX	35

/*
 * Whether s is an RFC 3339 date-time (section 5.6): full-date "T"
 * full-time, with an optional fraction of 1 to 9 digits, and "Z" or a
 * numeric offset; the date must exist ("2025-02-29" does not), the hour
 * is 00-23, the minute 00-59, the second 00-60 (a leap second, which
 * PostgreSQL reads as the next minute's first).  Offsets beyond
 * +-15:59, which PostgreSQL cannot represent, are refused, and so is
 * any instant outside the years 1 to 9999 in UTC.  No white space.
 * When out is not NULL (size at least VALID_TIMESTAMP_MAX + 1) it
 * receives the normalised text: "T" and "Z" in upper case, otherwise as
 * given.  Returns 1 or 0.
 */
int		valid_rfc3339(const char *s, char *out, size_t size);

/*
 * Parse the paging parameters page (default 1) and per_page (default
 * 20, at most VALID_PER_PAGE_MAX); NULL means absent.  Returns API_OK or
 * API_INVALID with *errs as for valid_object.
 */
enum api_err	valid_paging(const char *page, const char *per_page,
		    long long *p, long long *pp, cJSON **errs)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_VALID_H */

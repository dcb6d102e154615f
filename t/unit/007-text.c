/*
 * lectern — t/unit/007-text: text that is not text.
 *
 * valid_text refuses C1 controls, bidirectional overrides and isolates,
 * line and paragraph separators and noncharacters; valid_string trims
 * Unicode white space and invisible characters, and a value made only of
 * those counts as missing.  Scripts that need joiners inside a word
 * (Devanagari) are kept whole.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "json.h"
#include "valid.h"

#include "../tap.h"

enum field { F_TITLE, F__MAX };

static const struct vfield fields[F__MAX] = {
	[F_TITLE] = { .name = "title", .fn = valid_string,
	    .flags = VF_REQUIRED, .min = 1, .max = 200 },
};

/*
 * Check {"title": <json>} against the table.  Returns the error and, on
 * API_OK, the stored title in out (the caller frees it), else NULL.
 */
static enum api_err
title(const char *json, char **out)
{
	char		 text[256];
	cJSON		*obj, *errs = NULL;
	struct vout	 in[F__MAX];
	enum api_err	 er;

	*out = NULL;
	snprintf(text, sizeof(text), "{\"title\": %s}", json);
	if (json_parse(text, strlen(text), &obj) != API_OK)
		bail("bad test JSON %s", text);
	er = valid_object(obj, fields, F__MAX, in, &errs);
	if (er == API_OK) {
		*out = strdup(in[F_TITLE].v.s);
		valid_out_free(in, fields, F__MAX);
	}
	cJSON_Delete(errs);
	cJSON_Delete(obj);
	return er;
}

int
main(void)
{
	static const char *const refused[] = {
		"\"Evil\\u0085Name\\u009b[31m\"",	/* C1, CSI */
		"\"abc\\u202edcba\"",			/* RIGHT-TO-LEFT OVERRIDE */
		"\"abc\\u2066x\\u2069\"",		/* isolates */
		"\"a\\u2028b\"",			/* LINE SEPARATOR */
		"\"a\\ufdd0b\"",			/* noncharacter */
		"\"a\\uffffb\"",			/* noncharacter */
		"\"a\\ud83f\\udffeb\"",			/* U+1FFFE */
		"\"\\u202e\"",
		"\"a\\u007fb\"",			/* DEL */
	};
	static const char *const blank[] = {
		"\"\\u200b\"", "\"\\u00a0\"", "\"\\u3000\"", "\"\\u2028\"",
		"\"\\ufeff\"", "\" \\u200b\\u00a0 \\u2060\"",
	};
	char	*s;
	size_t	 i;

	plan(2 * (sizeof(refused) / sizeof(refused[0])) +
	    sizeof(blank) / sizeof(blank[0]) + 6);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		ok(title(refused[i], &s) == API_INVALID,
		    "title %s is refused", refused[i]);
		ok(s == NULL, "...and nothing is stored");
		free(s);
	}
	for (i = 0; i < sizeof(blank) / sizeof(blank[0]); i++) {
		ok(title(blank[i], &s) == API_INVALID,
		    "title %s is missing", blank[i]);
		free(s);
	}
	ok(title("\"\\u00a0 Physics\\u3000\\u200b\"", &s) == API_OK &&
	    s != NULL && strcmp(s, "Physics") == 0,
	    "Unicode white space and invisibles are trimmed from the ends");
	free(s);
	ok(title("\"\\u0928\\u092e\\u0938\\u094d\\u200d\\u0924\\u0947\"",
	    &s) == API_OK && s != NULL && strstr(s, "\xe2\x80\x8d") != NULL,
	    "a joiner inside a Devanagari word is kept");
	free(s);
	ok(title("\"caf\\u00e9 \\u4e2d\\u6587\"", &s) == API_OK,
	    "accented and CJK text is accepted");
	free(s);
	ok(valid_text("line\nnext\ttab", 1) && !valid_text("line\nnext", 0),
	    "\\n and \\t only in multiline text");
	ok(!valid_text("\xc2\x80", 1), "C1 refused in multiline text too");
	ok(!valid_text("\xed\xa0\x80", 0), "a UTF-8 surrogate is refused");
	return 0;
}

/*
 * lectern — csv: RFC 4180 text for exports, safe to open in a
 * spreadsheet.
 *
 * Every cell is quoted (quotes doubled), and a cell that begins with
 * '=', '+', '-', '@', a tab or a carriage return is prefixed with a
 * single quote, so that no spreadsheet reads it as a formula (OWASP's
 * CSV injection advice).  Rows end with CRLF.
 */
#ifndef LECTERN_CSV_H
#define LECTERN_CSV_H

#include <stddef.h>

#include "err.h"

struct csv {
	char	*buf;
	size_t	 len;
	size_t	 size;
	int	 ncells;	/* cells in the current row */
	int	 failed;	/* out of memory: everything since is lost */
};

/* Append cell s (NULL: an empty cell) to the current row. */
void		csv_cell(struct csv *c, const char *s);

/* End the current row. */
void		csv_end_row(struct csv *c);

/*
 * Whether everything was appended: API_OK, or API_ENOMEM when an
 * allocation failed on the way.
 */
enum api_err	csv_status(const struct csv *c)
		    __attribute__((warn_unused_result));

/* Free what c holds.  Safe on a zeroed c. */
void		csv_free(struct csv *c);

#endif /* LECTERN_CSV_H */

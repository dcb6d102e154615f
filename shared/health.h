/*
 * lectern — health: what /health and /ready report.
 *
 * Both endpoints ask the same questions (is the configuration valid, does
 * the database answer, which migration is it on); they differ only in
 * whether an outdated schema makes them unavailable.
 */
#ifndef LECTERN_HEALTH_H
#define LECTERN_HEALTH_H

#include "err.h"

struct req;

/*
 * Answer r with the health document.  When need_current is set (/ready),
 * a schema older than the one this build was made for is unavailable
 * too.  Returns what http_send returned.
 */
enum api_err	health_respond(struct req *r, int need_current);

#endif /* LECTERN_HEALTH_H */

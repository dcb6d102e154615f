/*
 * lectern — sse: a response as Server-Sent Events, written as it is made.
 *
 * Every other response is held in struct req until the runner has
 * committed (http_flush).  A stream cannot wait: sse_start writes the
 * status and headers at once through the request's io and marks the
 * request responded, so nothing else is sent for it; sse_event then
 * writes and flushes one event at a time (through mod_cgid as it is
 * written, through mod_fcgid with FcgidOutputBufferSize 0).  Whatever
 * must be committed before the client hears of it is committed by the
 * handler before the event that tells of it.
 */
#ifndef LECTERN_SSE_H
#define LECTERN_SSE_H

#include <cjson/cJSON.h>

#include "err.h"

struct req;

/*
 * Whether the client of r asked for a stream: its Accept header names
 * text/event-stream.
 */
int		sse_wanted(const struct req *r);

/*
 * Write the 200 status line and headers of an event stream for r (with
 * the headers already set on r, such as the rate-limit ones) and mark
 * r responded.  Returns API_OK, API_INTERNAL when r has responded
 * already, or when the client is gone (the write failed), API_ENOMEM.
 */
enum api_err	sse_start(struct req *r) __attribute__((warn_unused_result));

/*
 * Write one event named event with data, the one-line JSON text of
 * body, and flush it to the client.  Returns API_OK, API_INTERNAL when
 * the client is gone (the write failed) or the stream was not started,
 * API_ENOMEM.
 */
enum api_err	sse_event(struct req *r, const char *event, const cJSON *body)
		    __attribute__((warn_unused_result));

#endif /* LECTERN_SSE_H */

/*
 * lectern — sse: Server-Sent Events written through the request's io as
 * they are made, one flushed write per event.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "http.h"
#include "json.h"
#include "log.h"
#include "sse.h"

/*
 * Write len bytes of buf to r's client and flush them.  Returns 0, or
 * -1 when the client is gone.
 */
static int
put(struct req *r, const char *buf, size_t len)
{

	if (r->io->write(r->io->arg, buf, len) == -1)
		return -1;
	if (r->io->flush != NULL && r->io->flush(r->io->arg) == -1)
		return -1;
	return 0;
}

int
sse_wanted(const struct req *r)
{
	const char	*accept;

	accept = http_getenv(r, "HTTP_ACCEPT");
	return accept != NULL && strcasestr(accept, "text/event-stream") !=
	    NULL;
}

enum api_err
sse_start(struct req *r)
{
	static const char	 head[] = "Status: 200 OK\r\n"
	    "Content-Type: text/event-stream; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "X-Accel-Buffering: no\r\n";
	char			*buf;
	size_t			 size, len, i;
	int			 n;

	if (r->responded || r->out != NULL)
		return API_INTERNAL;
	/*
	 * A client that leaves mid-stream must end in a failed write that
	 * the caller sees (and records), not in SIGPIPE.
	 */
	(void)signal(SIGPIPE, SIG_IGN);
	size = sizeof(head) + 3;
	for (i = 0; i < r->nhdrs; i++)
		size += strlen(r->hdrs[i].name) + strlen(r->hdrs[i].value) + 4;
	if ((buf = malloc(size)) == NULL) {
		log_warnx("sse_start: out of memory");
		return API_ENOMEM;
	}
	memcpy(buf, head, sizeof(head) - 1);
	len = sizeof(head) - 1;
	for (i = 0; i < r->nhdrs; i++) {
		if (strcasecmp(r->hdrs[i].name, "Cache-Control") == 0 ||
		    strcasecmp(r->hdrs[i].name, "Content-Type") == 0)
			continue;
		n = snprintf(buf + len, size - len, "%s: %s\r\n",
		    r->hdrs[i].name, r->hdrs[i].value);
		len += (size_t)n;
	}
	memcpy(buf + len, "\r\n", 2);
	len += 2;
	/* Nothing else is sent for r from here on. */
	r->responded = 1;
	n = put(r, buf, len);
	free(buf);
	if (n == -1) {
		log_event(LOG_LVL_WARN, r->request_id, "stream_write_failed",
		    NULL);
		return API_INTERNAL;
	}
	return API_OK;
}

enum api_err
sse_event(struct req *r, const char *event, const cJSON *body)
{
	char	*data, *buf;
	size_t	 size;
	int	 n;

	if (!r->responded || r->out != NULL)
		return API_INTERNAL;
	if ((data = json_emit(body)) == NULL)
		return API_ENOMEM;
	size = strlen(event) + strlen(data) + 32;
	if ((buf = malloc(size)) == NULL) {
		cJSON_free(data);
		log_warnx("sse_event: out of memory");
		return API_ENOMEM;
	}
	/* json_emit writes one line: no raw newline can end the field. */
	n = snprintf(buf, size, "event: %s\ndata: %s\n\n", event, data);
	cJSON_free(data);
	n = put(r, buf, (size_t)n);
	free(buf);
	return n == -1 ? API_INTERNAL : API_OK;
}

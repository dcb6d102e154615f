/*
 * lectern — http: what the files of the http module share and nobody
 * else uses (shared/serve.c, request.c, response.c, page.c).
 */
#ifndef LECTERN_HTTPINT_H
#define LECTERN_HTTPINT_H

struct req;

/*
 * Read and drop a body nobody read: Apache writes the whole body to the
 * CGI, and a CGI that exits first turns a clean answer into a broken
 * pipe.  Errors are ignored.  In shared/request.c.
 */
void	http_body_drain(struct req *r);

#endif /* LECTERN_HTTPINT_H */

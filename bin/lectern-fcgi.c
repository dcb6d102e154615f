/*
 * lectern — lectern-fcgi: every endpoint in one pre-forked FastCGI
 * server, behind Apache's mod_proxy_fcgi.
 *
 * Each cgi-bin/ file is built a second time into this program with
 * LECTERN_DISPATCH, where its ENDPOINT_MAIN enters its declaration in
 * the table below under the file's name instead of defining main.
 * Apache maps a request to an executable's name as in CGI mode (the
 * same routes, the same checks) and hands it to this server's Unix
 * socket; a worker picks the declaration by that name (SCRIPT_NAME's
 * last segment) and runs it as the executable would.
 *
 * The parent binds the socket and keeps between --min and --max
 * workers, each serving one request at a time with one database
 * connection, made before it takes its first request.  Requests that
 * find every worker busy wait in the socket's accept queue, never in a
 * poll loop.  A connection Apache keeps for its next request
 * (mod_proxy_fcgi's enablereuse) keeps its worker: that worker takes
 * no new connection until Apache closes it.  When no worker is free to
 * take a new connection, and either some are kept that way or none
 * finished a request in the last 20 ms tick (all held by slow requests),
 * the parent doubles the pool, up to --max; it stays at the size it
 * grew to.  A worker that dies is replaced.  SIGTERM, SIGINT or
 * SIGHUP: the workers are stopped, the socket removed, and the parent
 * exits.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "endpoint.h"
#include "http.h"
#include "log.h"

#define ROUTES_MAX	128	/* endpoints this program can hold */
#define WORKERS_MAX	512	/* --max at the most */
#define TICK_MS		20	/* how often the parent looks at the pool */

struct entry {
	char			 name[64];
	struct http_route	 route;
};

static struct entry	 table[ROUTES_MAX];
static size_t		 ntable;
static int		 table_full;

/* One worker's state, shared with the parent. */
struct slot {
	pid_t		 pid;		/* the parent's: 0 when free */
	volatile enum http_busy busy;	/* the worker's */
	volatile unsigned long served;	/* the worker's: requests answered */
};

static struct slot	*slots;
static size_t		 me;		/* this worker's slot */
static volatile sig_atomic_t stopping;

/* ENDPOINT_MAIN under LECTERN_DISPATCH: enter ep under file's name. */
void
endpoint_register(const struct endpoint *ep, http_run_fn runner,
    const char *file)
{
	const struct http_route	 rt = ENDPOINT_ROUTE(ep, runner);
	const char		*base, *dot;
	struct entry		*e;
	size_t			 len;

	base = (base = strrchr(file, '/')) != NULL ? base + 1 : file;
	dot = strrchr(base, '.');
	len = dot != NULL ? (size_t)(dot - base) : strlen(base);
	if (ntable == ROUTES_MAX || len >= sizeof(table[0].name)) {
		table_full = 1;
		return;
	}
	e = &table[ntable++];
	memcpy(e->name, base, len);
	e->name[len] = '\0';
	e->route = rt;
}

static const struct http_route *
route(const char *name)
{
	size_t	 i;

	for (i = 0; i < ntable; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i].route;
	return NULL;
}

static void
busy(enum http_busy state)
{

	if (state != HTTP_BUSY)
		slots[me].served++;
	slots[me].busy = state;
}

static void
on_stop(int sig)
{

	(void)sig;
	stopping = 1;
}

static void
on_child(int sig)
{

	(void)sig;
}

static void
usage(FILE *fp)
{

	fputs("usage: lectern-fcgi [--min N] [--max N] [--pid FILE] [--list] "
	    "SOCKET\n"
	    "\n"
	    "Serve every lectern endpoint as FastCGI on the Unix socket\n"
	    "SOCKET (made 0660), for Apache's mod_proxy_fcgi, with between\n"
	    "--min (default 8) and --max (default 64) workers, writing\n"
	    "its process id to FILE once it listens.  --list prints the\n"
	    "endpoints it holds and exits.\n", fp);
}

/* A listening Unix socket at path, replacing a stale one. */
static int
listen_at(const char *path)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("%s: socket path too long", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	/* Only ever replace a socket, never a file or a link. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s: exists and is not a socket", path);
			return -1;
		}
		(void)unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("socket");
		return -1;
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("%s: bind", path);
		close(fd);
		return -1;
	}
	umask(old);
	if (listen(fd, 4096) == -1) {
		log_warn("%s: listen", path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Start a worker in slot i serving fd.  Returns 0, or -1. */
static int
spawn(size_t i, int fd)
{
	sigset_t	 none;
	pid_t		 pid;

	slots[i].busy = HTTP_FREE;
	if ((pid = fork()) == -1) {
		log_warn("fork");
		return -1;
	}
	if (pid > 0) {
		slots[i].pid = pid;
		return 0;
	}
	/* The worker: the socket is its standard input, as under a
	 * FastCGI process manager; it goes when the parent does. */
	me = i;
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() == 1)
		_exit(1);
	if (dup2(fd, STDIN_FILENO) == -1)
		_exit(1);
	_exit(http_serve_routed(route, busy, http_db_warm));
}

/* Collect ended workers; their slots become free. */
static void
reap(size_t max)
{
	pid_t	 pid;
	int	 status;
	size_t	 i;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < max; i++)
			if (slots[i].pid == pid) {
				if (!stopping && (!WIFEXITED(status) ||
				    WEXITSTATUS(status) != 0))
					log_warnx("worker %ld ended (status "
					    "%d)", (long)pid, status);
				slots[i].pid = 0;
				slots[i].busy = HTTP_FREE;
			}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "min", required_argument, NULL, 'n' },
		{ "max", required_argument, NULL, 'm' },
		{ "list", no_argument, NULL, 'l' },
		{ "pid", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct sigaction	 sa;
	struct timespec		 tick = { 0, TICK_MS * 1000000L };
	sigset_t		 block, wait;
	size_t			 i, min = 8, max = 64, live, ready, kept, want;
	unsigned long		 served, last_served = 0;
	char			*end;
	long			 v;
	const char		*pidfile = NULL;
	FILE			*fp;
	int			 ch, fd, list = 0;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
		case 'm':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || v < 1 ||
			    v > WORKERS_MAX) {
				fprintf(stderr, "lectern-fcgi: --%s takes 1 "
				    "to %d\n", ch == 'n' ? "min" : "max",
				    WORKERS_MAX);
				return 2;
			}
			if (ch == 'n')
				min = (size_t)v;
			else
				max = (size_t)v;
			break;
		case 'l':
			list = 1;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (table_full) {
		fputs("lectern-fcgi: more endpoints than the table holds\n",
		    stderr);
		return 1;
	}
	if (list) {
		for (i = 0; i < ntable; i++)
			printf("%s\t%s\n", table[i].route.allow, table[i].name);
		return 0;
	}
	if (argc - optind != 1 || min > max) {
		usage(stderr);
		return 2;
	}
	slots = mmap(NULL, sizeof(*slots) * max, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED) {
		log_warn("mmap");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Signals arrive only while the parent waits (ppoll below). */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &wait);
	if ((fd = listen_at(argv[optind])) == -1)
		return 1;
	/* The pid, once the socket takes connections. */
	if (pidfile != NULL) {
		if ((fp = fopen(pidfile, "w")) == NULL) {
			log_warn("%s", pidfile);
			return 1;
		}
		fprintf(fp, "%ld\n", (long)getpid());
		if (fclose(fp) != 0) {
			log_warn("%s", pidfile);
			return 1;
		}
	}

	while (!stopping) {
		reap(max);
		for (i = live = ready = kept = served = 0; i < max; i++)
			if (slots[i].pid != 0) {
				live++;
				ready += slots[i].busy == HTTP_FREE;
				kept += slots[i].busy == HTTP_HELD;
				served += slots[i].served;
			}
		/*
		 * Up to the floor.  Beyond it only when no worker is free
		 * to take a new connection and either some wait on
		 * connections Apache keeps (a new one would wait for them
		 * to close) or none finished a request since the last tick
		 * (all held by slow requests: a streamed tutor reply, an
		 * upload).  A pool that is busy but answering is as wide as
		 * the cores can use; what waits, waits in the accept queue.
		 * Then as many again as are running, up to the ceiling.
		 */
		want = live;
		if (live < min)
			want = min;
		else if (ready == 0 && (kept > 0 || served == last_served))
			want = live * 2;
		last_served = served;
		if (want > max)
			want = max;
		for (i = 0; i < max && live < want; i++)
			if (slots[i].pid == 0) {
				if (spawn(i, fd) == -1)
					break;
				live++;
			}
		(void)ppoll(NULL, 0, &tick, &wait);
	}

	for (i = 0; i < max; i++)
		if (slots[i].pid != 0)
			kill(slots[i].pid, SIGTERM);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		continue;
	(void)unlink(argv[optind]);
	if (pidfile != NULL)
		(void)unlink(pidfile);
	return 0;
}

/*
 * lectern — ratelimit: the api class counted on this web node, without
 * the database.
 *
 * The counters live in a file (LECTERN_RATE_TABLE) that every CGI and
 * FastCGI process of the node maps shared: a fixed table of slots, each
 * a key tag and one 64-bit word holding the window's start (epoch
 * seconds, high half) and its count (low half), updated with
 * compare-and-swap, so concurrent processes count every request once
 * and nobody takes a lock.  A key is hashed to a slot and probes a few
 * neighbours; a slot whose window has ended may be taken by another
 * key.
 *
 * The approximation (SPEC §8 allows it for the api class only): each
 * node counts its own requests, so behind a load balancer a user may
 * make up to limit x nodes requests a window; two keys whose 64-bit
 * hashes collide share a count; a slot taken over from a key whose
 * window had just ended may receive one stray count from that key's
 * last request in flight.  When the key's neighbourhood is full of live
 * windows, or the file cannot be used, the caller counts in PostgreSQL
 * as before.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "log.h"
#include "ratelimit.h"

#define RT_MAGIC	0x314c54524e52434cULL	/* "LCRNRTL1" */
#define RT_SLOTS	65536u			/* a power of two */
#define RT_PROBES	8u
#define RT_COUNT_MAX	0xffffffffULL

struct rt_slot {
	uint64_t	 tag;		/* the key's hash; 0: free */
	uint64_t	 state;		/* start << 32 | count */
};

struct rt_file {
	uint64_t	 magic;
	uint64_t	 nslots;
	uint64_t	 pad[6];	/* the slots start on a cache line */
	struct rt_slot	 slot[RT_SLOTS];
};

/*
 * This process's mapping, kept for the next request (FastCGI) like the
 * database connection: it holds counters, not request state.
 */
static struct rt_file	*table;
static char		 table_path[PATH_MAX];

/* FNV-1a over the class name, a colon and the subject; never 0. */
static uint64_t
key_hash(const char *cls, const char *subject)
{
	uint64_t	 h = 0xcbf29ce484222325ULL;
	const char	*p;

	for (p = cls; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	h = (h ^ ':') * 0x100000001b3ULL;
	for (p = subject; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	/* Spread the low bits, which pick the slot. */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h != 0 ? h : 1;
}

/*
 * Map the table at path, creating it (mode 0600) when it is missing.
 * Returns the mapping or NULL (logged).
 */
static struct rt_file *
map_table(const char *path)
{
	struct rt_file	*t = NULL;
	struct stat	 st;
	uint64_t	 zero = 0;
	void		*p;
	int		 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		log_warn("rate table %s", path);
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		log_warn("rate table %s", path);
		goto out;
	}
	/* Growing a file to the same size twice at once is harmless. */
	if (st.st_size < (off_t)sizeof(*t) &&
	    ftruncate(fd, (off_t)sizeof(*t)) == -1) {
		log_warn("rate table %s", path);
		goto out;
	}
	p = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		log_warn("rate table %s", path);
		goto out;
	}
	t = p;
	if (__atomic_compare_exchange_n(&t->magic, &zero, RT_MAGIC, 0,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		__atomic_store_n(&t->nslots, RT_SLOTS, __ATOMIC_SEQ_CST);
	else if (zero != RT_MAGIC) {
		log_warnx("rate table %s: not a rate table", path);
		munmap(p, sizeof(*t));
		t = NULL;
	}
out:
	close(fd);
	return t;
}

/*
 * The table of LECTERN_RATE_TABLE, mapped once per process (again when
 * the setting changes), or NULL when it is unset or unusable.
 */
static struct rt_file *
get_table(void)
{
	const char	*path = getenv("LECTERN_RATE_TABLE");

	if (path == NULL || *path == '\0' || strlen(path) >= sizeof(table_path))
		return NULL;
	if (table != NULL && strcmp(path, table_path) == 0)
		return table;
	if (table != NULL)
		munmap(table, sizeof(*table));
	table = map_table(path);
	if (table != NULL)
		snprintf(table_path, sizeof(table_path), "%s", path);
	return table;
}

/*
 * The slot of tag in t, claimed when needed: a free slot, or one whose
 * window (of window seconds) ended before now.  NULL when every slot
 * the key may use holds a live window of another key.
 */
static struct rt_slot *
find_slot(struct rt_file *t, uint64_t tag, uint64_t now, uint64_t window)
{
	struct rt_slot	*s;
	uint64_t	 cur, st;
	unsigned int	 i;

	for (i = 0; i < RT_PROBES; i++) {
		s = &t->slot[(tag + i) & (RT_SLOTS - 1)];
		cur = __atomic_load_n(&s->tag, __ATOMIC_ACQUIRE);
		if (cur == tag)
			return s;
		if (cur == 0) {
			if (__atomic_compare_exchange_n(&s->tag, &cur, tag, 0,
			    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) || cur == tag)
				return s;
		}
		st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		if ((st >> 32) + window <= now &&
		    (__atomic_compare_exchange_n(&s->tag, &cur, tag, 0,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) || cur == tag))
			return s;
	}
	return NULL;
}

int
ratelimit_local_hit(const char *cls, const char *subject, long long window,
    long long now, long long *count, long long *start)
{
	struct rt_file	*t;
	struct rt_slot	*s;
	uint64_t	 old, new, w, n;

	if (window <= 0 || now <= 0 || (t = get_table()) == NULL)
		return 0;
	w = (uint64_t)window;
	n = (uint64_t)now & 0xffffffffULL;
	if ((s = find_slot(t, key_hash(cls, subject), n, w)) == NULL)
		return 0;
	old = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
	do {
		/* A window from the future: another node's clock, reset. */
		if ((old >> 32) + w <= n || (old >> 32) > n + 1)
			new = n << 32 | 1;
		else if ((old & RT_COUNT_MAX) == RT_COUNT_MAX)
			new = old;
		else
			new = old + 1;
	} while (!__atomic_compare_exchange_n(&s->state, &old, new, 0,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
	*count = (long long)(new & RT_COUNT_MAX);
	*start = (long long)(new >> 32);
	return 1;
}

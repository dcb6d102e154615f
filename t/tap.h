/*
 * lectern — t/tap.h: the small TAP producer our C unit tests use.
 *
 * plan(), ok(), is_int(), is_string(), diag(), skip(), bail(): the
 * shape of c-tap-harness's basic.h, kept to what we need; survives()
 * for a call whose only promise is not to crash.  Header-only;
 * include it from exactly one file per test program.
 */
#ifndef LECTERN_TAP_H
#define LECTERN_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/wait.h>
#include <unistd.h>

/* Not every test uses every function. */
#define TAP_FN	static __attribute__((unused))

static unsigned long	tap_planned, tap_run, tap_failed;

TAP_FN void
tap_finish(void)
{

	fflush(stdout);
	if (tap_planned != tap_run)
		printf("# planned %lu tests but ran %lu\n", tap_planned,
		    tap_run);
}

/* Announce n tests. */
TAP_FN void
plan(unsigned long n)
{

	tap_planned = n;
	printf("1..%lu\n", n);
	fflush(stdout);
	atexit(tap_finish);
}

TAP_FN void
tap_vresult(int success, const char *fmt, va_list ap)
{

	tap_run++;
	if (!success)
		tap_failed++;
	printf("%sok %lu - ", success ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

/* Report one test; returns success so callers can add diagnostics. */
TAP_FN int __attribute__((format(printf, 2, 3)))
ok(int success, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	tap_vresult(success, fmt, ap);
	va_end(ap);
	return success;
}

/* Comment lines, ignored by the harness. */
TAP_FN void __attribute__((format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	va_end(ap);
}

TAP_FN int __attribute__((format(printf, 3, 4)))
is_int(long long want, long long got, const char *fmt, ...)
{
	va_list	 ap;
	int	 success = want == got;

	va_start(ap, fmt);
	tap_vresult(success, fmt, ap);
	va_end(ap);
	if (!success)
		diag("wanted: %lld\n#    got: %lld", want, got);
	return success;
}

TAP_FN int __attribute__((format(printf, 3, 4)))
is_string(const char *want, const char *got, const char *fmt, ...)
{
	va_list	 ap;
	int	 success;

	if (want == NULL || got == NULL)
		success = want == got;
	else
		success = strcmp(want, got) == 0;
	va_start(ap, fmt);
	tap_vresult(success, fmt, ap);
	va_end(ap);
	if (!success)
		diag("wanted: %s\n#    got: %s", want ? want : "(null)",
		    got ? got : "(null)");
	return success;
}

/* Skip one planned test with a reason. */
TAP_FN void
skip(const char *reason)
{

	tap_run++;
	printf("ok %lu # skip %s\n", tap_run, reason);
}

/* Stop the whole run: setup failed. */
TAP_FN void __attribute__((noreturn, format(printf, 1, 2)))
bail(const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fputs("Bail out! ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	exit(255);
}

/*
 * Run fn(arg) in a child process and report whether it returned
 * normally: a crash, an abort or a sanitizer report (which exits
 * non-zero) fails the test instead of ending the whole program.
 */
TAP_FN int __attribute__((format(printf, 3, 4)))
survives(void (*fn)(void *), void *arg, const char *fmt, ...)
{
	va_list	 ap;
	pid_t	 pid;
	int	 st = -1, success;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		bail("fork failed");
	if (pid == 0) {
		fn(arg);
		fflush(NULL);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) == -1)
		continue;
	success = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	va_start(ap, fmt);
	tap_vresult(success, fmt, ap);
	va_end(ap);
	if (!success)
		diag("the call %s %d", WIFSIGNALED(st) ? "died of signal" :
		    "exited", WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	return success;
}

/* The exit status: 0 when everything planned ran and passed. */
TAP_FN int
tap_status(void)
{

	return tap_failed == 0 && tap_run == tap_planned ? 0 : 1;
}

#endif /* LECTERN_TAP_H */

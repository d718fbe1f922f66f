/*
 * A minimal TAP producer for the unit tests: each check is one test
 * point, so automake's harness counts cases, not programs.
 */
#ifndef CP_TAP_H
#define CP_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static void
tap_ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>

static void
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	tap_failed += !cond;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Compares strings and shows both when they differ. */
#define TAP_STREQ(got, want, ...) do {                                   \
	const char *g_ = (got), *w_ = (want);                            \
	int same_ = (g_ == NULL && w_ == NULL) ||                        \
	    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0);           \
	tap_ok(same_, __VA_ARGS__);                                      \
	if (!same_)                                                      \
		printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", \
		    w_ ? w_ : "(null)");                                 \
} while (0)

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif

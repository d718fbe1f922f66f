/*
 * The Prometheus output's de-duplication: a label set written twice in
 * a family comes out once, and two label sets that differ come out both,
 * even when their 64-bit FNV-1a fingerprints are equal.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "result.h"
#include "tap.h"

/*
 * Two targets whose series certprobe_check_state{target="..."} have the
 * same FNV-1a 64 hash. Found once by a distinguished-point search (a
 * rho walk over 16-hex-digit targets, about 2^32 hashes); the test
 * checks below that they really collide, so it cannot pass vacuously.
 */
#define COLLIDE_A "cc83f416edf18302"
#define COLLIDE_B "f7eb215b05a340ce"

static uint64_t
fnv1a64(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The Prometheus output of a report of files named `targets`, with no
 * certificates: a certprobe_check_state sample each. */
static char *
render(const char *const *targets, size_t n)
{
	struct cp_output_opts o = { 0, 0 };
	struct cp_report rep;
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	cp_report_init(&rep, 1780000000);
	for (i = 0; i < n; i++)
		if (cp_report_new(&rep, NULL, targets[i]) == NULL)
			abort();
	if ((f = open_memstream(&text, &len)) == NULL ||
	    cp_out_prometheus(f, &rep, &o) != 0)
		abort();
	fclose(f);
	cp_report_free(&rep);
	return text;
}

/* How many lines of `text` are `line`. */
static int
lines(const char *text, const char *line)
{
	size_t len = strlen(line);
	const char *p;
	int n = 0;

	for (p = text; (p = strstr(p, line)) != NULL; p += len)
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			n++;
	return n;
}

static void
test_collision(void)
{
	const char *const t[] = { COLLIDE_A, COLLIDE_B };
	char *out;

	tap_ok(strcmp(COLLIDE_A, COLLIDE_B) != 0 &&
	    fnv1a64("certprobe_check_state{target=\"" COLLIDE_A "\"}") ==
	    fnv1a64("certprobe_check_state{target=\"" COLLIDE_B "\"}"),
	    "the two label sets differ and their FNV-1a 64 hashes are equal");
	out = render(t, 2);
	tap_ok(lines(out, "certprobe_check_state{target=\"" COLLIDE_A
	    "\"} 0") == 1, "the first of two colliding label sets comes out");
	tap_ok(lines(out, "certprobe_check_state{target=\"" COLLIDE_B
	    "\"} 0") == 1, "and so does the second");
	free(out);
}

static void
test_duplicates(void)
{
	const char *const t[] = { "/etc/ssl/a.pem", "/etc/ssl/b.pem",
	    "/etc/ssl/a.pem", "/etc/ssl/a.pem" };
	char *out = render(t, 4);

	tap_ok(lines(out, "certprobe_check_state{target=\"/etc/ssl/a.pem\"} 0")
	    == 1, "a label set seen three times comes out once");
	tap_ok(lines(out, "certprobe_check_state{target=\"/etc/ssl/b.pem\"} 0")
	    == 1, "the one between them is kept");
	tap_ok(strstr(out, "a.pem\"} 0\ncertprobe_check_state{target="
	    "\"/etc/ssl/b.pem\"") != NULL, "in the order first seen");
	free(out);
}

/* Ten thousand files, each named twice: one series each. */
static void
test_many(void)
{
	enum { N = 10000 };
	const char **t = calloc(2 * N, sizeof(*t));
	char (*name)[32] = calloc(N, sizeof(*name));
	char line[80], *out, *p;
	int i, missing = 0, samples = 0;

	for (i = 0; i < N; i++) {
		snprintf(name[i], sizeof(name[i]), "/etc/ssl/%05d.pem", i);
		t[i] = t[N + i] = name[i];
	}
	out = render(t, 2 * N);
	for (i = 0; i < N; i += 997) {
		snprintf(line, sizeof(line),
		    "certprobe_check_state{target=\"%s\"} 0", name[i]);
		missing += lines(out, line) != 1;
	}
	for (p = out; (p = strstr(p, "\ncertprobe_check_state{")) != NULL; p++)
		samples++;
	tap_ok(missing == 0 && samples == N,
	    "10000 files named twice: each series once");
	free(out);
	free(name);
	free(t);
}

int
main(void)
{
	test_collision();
	test_duplicates();
	test_many();
	return tap_done();
}

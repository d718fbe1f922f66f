/*
 * plugout - check a monitoring plugin's output against the Monitoring
 * Plugins Development Guidelines and print what it says, a fact a line.
 *
 *     plugout [--status-re PREFIX] [--max-label N] < plugin-output
 *
 * A test oracle: the shell tests pipe the probe's standard output through
 * it and grep/awk the facts, instead of each test re-implementing a half
 * parser of the format.  It is strict on purpose; where the guidelines
 * leave room, it takes the narrowest reading, so that anything it accepts
 * is read the same way by Nagios, Icinga, Naemon and the graphers.
 *
 * The format (guidelines, "Plugin Output for Nagios" and "Performance
 * data"; Nagios core's parse_check_output() for the details):
 *   line 1      TEXT [| PERFDATA]        the status text, up to the first '|'
 *   lines 2..n  long output; the first '|' on any of them starts more
 *               perfdata, which runs to the end of the output, newlines
 *               separating items like spaces
 *   PERFDATA    items separated by spaces:
 *               'label'=value[UOM];[warn];[crit];[min];[max]
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -O2 -o plugout plugout.c
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT ((size_t)1 << 20)     /* the contract: up to 1 MiB */
#define SHOW_MAX 64                     /* item bytes quoted in a message */
#define EXIT_VIOLATION 1
#define EXIT_TROUBLE 2                  /* usage, I/O, memory */

static const char usage_text[] =
    "Usage: plugout [--status-re PREFIX] [--max-label N] < plugin-output\n"
    "\n"
    "Check a monitoring plugin's standard output (at most 1 MiB) against the\n"
    "Monitoring Plugins Development Guidelines and print one fact a line:\n"
    "  state WORD      with --status-re: OK, WARNING, CRITICAL or UNKNOWN\n"
    "  text TEXT       line 1 before its '|', trailing blanks removed\n"
    "  long LINE       each long-output line (lines 2..n before the '|'\n"
    "                  that starts their perfdata; on that line, the text\n"
    "                  before the '|' with trailing blanks removed, if any)\n"
    "  perf LABEL VALUE UOM WARN CRIT MIN MAX\n"
    "                  each perfdata item in order; an empty field is '-';\n"
    "                  LABEL is unquoted, '' undoubled, and a space in it\n"
    "                  is written \\x20, a backslash \\x5c\n"
    "  labels N        the number of perfdata items\n"
    "\n"
    "  --status-re PREFIX  line 1 must be PREFIX (a literal string), then\n"
    "                      OK|WARNING|CRITICAL|UNKNOWN, \" - \" and a text\n"
    "  --max-label N       fail if a label is longer than N bytes\n"
    "  -h, --help          show this help\n"
    "\n"
    "Exits 0 if the output is valid; 1 if not, with one line on stderr\n"
    "saying what and where and nothing on stdout; 2 on usage or I/O errors.\n";

struct span {
	const char *p;
	size_t n;
};

struct item {
	size_t no;              /* 1-based, in output order */
	struct span raw;        /* the item as the plugin wrote it */
	struct span label;      /* unquoted and unescaped, in the arena */
	struct span value, uom, warn, crit, min, max;
};

struct result {
	char *input;            /* NUL-terminated; spans point into it */
	size_t len;
	const char *state;      /* with --status-re */
	struct span text;
	struct span *longs;
	size_t nlongs, maxlongs;
	struct item *items;
	size_t nitems, maxitems;
	char *arena;            /* unescaped labels: never more than input */
	size_t arena_used;
};

struct opts {
	const char *prefix;     /* --status-re, or NULL */
	size_t max_label;       /* 0: no limit */
};

/*
 * File scope, so that everything allocated stays reachable when a check
 * fails and die() exits (LeakSanitizer stays quiet), and so that each
 * parser need not thread them through.
 */
static struct result R;
static struct opts O;

static void die(const char *, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
static void die_at(const char *, const char *, ...)
    __attribute__((noreturn, format(printf, 2, 3)));
static void die_item(const struct item *, const char *, const char *, ...)
    __attribute__((noreturn, format(printf, 3, 4)));
static void trouble(const char *, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
static void usage_error(const char *, const char *) __attribute__((noreturn));
static void finish(const char *, va_list) __attribute__((format(printf, 1, 0)));

/*
 * The rest of a failure's message line.  Every failure ends the program
 * after it; nothing has been written to stdout by then (results are
 * printed only once everything checked out), so stdout stays empty.
 */
static void
finish(const char *fmt, va_list ap)
{
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* A violation, with no better place to name than the output as a whole. */
static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("plugout: ", stderr);
	va_start(ap, fmt);
	finish(fmt, ap);
	va_end(ap);
	exit(EXIT_VIOLATION);
}

/* Not the plugin's fault: usage, I/O, memory. */
static void
trouble(const char *fmt, ...)
{
	va_list ap;

	fputs("plugout: ", stderr);
	va_start(ap, fmt);
	finish(fmt, ap);
	va_end(ap);
	exit(EXIT_TROUBLE);
}

/* A violation at byte `at` of the input, located by line and column. */
static void
die_at(const char *at, const char *fmt, ...)
{
	size_t line = 1, col = 1;
	const char *p;
	va_list ap;

	for (p = R.input; p < at; p++) {
		col++;
		if (*p == '\n') {
			line++;
			col = 1;
		}
	}
	fprintf(stderr, "plugout: line %zu column %zu: ", line, col);
	va_start(ap, fmt);
	finish(fmt, ap);
	va_end(ap);
	exit(EXIT_VIOLATION);
}

/* A violation in one perfdata item; long items are cut for the message
 * only, and say so with "...". */
static void
die_item(const struct item *it, const char *field, const char *fmt, ...)
{
	int show = it->raw.n > SHOW_MAX ? SHOW_MAX : (int)it->raw.n;
	va_list ap;

	fprintf(stderr, "plugout: perfdata item %zu '%.*s%s': %s: ", it->no,
	    show, it->raw.p, it->raw.n > SHOW_MAX ? "..." : "", field);
	va_start(ap, fmt);
	finish(fmt, ap);
	va_end(ap);
	exit(EXIT_VIOLATION);
}

static void
usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "plugout: %s '%s'\n%s", what, arg, usage_text);
	exit(EXIT_TROUBLE);
}

/* N of --max-label: decimal digits only, at least 1; a zero limit would
 * reject every label and is surely a mistake. */
static size_t
parse_count(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 ||
	    v == 0 || v > (unsigned long long)MAX_INPUT)
		usage_error("--max-label wants a positive number, not", s);
	return (size_t)v;
}

/* The value of option `name` given as "name VALUE" or "name=VALUE";
 * NULL if argv[*i] is not that option. */
static const char *
option_value(const char *name, int argc, char **argv, int *i)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc)
		usage_error("missing value for", name);
	return argv[++*i];
}

static void
parse_args(int argc, char **argv)
{
	const char *v;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			fputs(usage_text, stdout);
			exit(fflush(stdout) != 0 || ferror(stdout) ?
			    EXIT_TROUBLE : 0);
		} else if ((v = option_value("--status-re", argc, argv, &i)))
			O.prefix = v;
		else if ((v = option_value("--max-label", argc, argv, &i)))
			O.max_label = parse_count(v);
		else
			usage_error("unknown argument", argv[i]);
	}
}

/* All of stdin, NUL-terminated.  One byte more than the limit is asked
 * for, so that "exactly 1 MiB" and "more" can be told apart. */
static void
read_input(void)
{
	size_t got, room;

	if ((R.input = malloc(MAX_INPUT + 1)) == NULL)
		trouble("out of memory");
	while ((room = MAX_INPUT + 1 - R.len) > 0 &&
	    (got = fread(R.input + R.len, 1, room, stdin)) > 0)
		R.len += got;
	if (ferror(stdin))
		trouble("reading standard input: %s", strerror(errno));
	if (R.len > MAX_INPUT)
		die("output longer than %zu bytes", MAX_INPUT);
	R.input[R.len] = '\0';
	if (R.len == 0)
		die("empty output");
}

/* Why byte `c` cannot appear anywhere in plugin output, or NULL.  A CR
 * would end up in Nagios's text (it splits on LF only), other control
 * bytes garble the web UI and notifications; tabs are ordinary text. */
static const char *
byte_problem(unsigned char c)
{
	if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f))
		return NULL;
	if (c == '\0')
		return "NUL byte";
	if (c == '\r')
		return "carriage return: lines must end in LF alone";
	return "control character";
}

static void
check_bytes(void)
{
	const char *why;
	size_t i;

	for (i = 0; i < R.len; i++)
		if ((why = byte_problem((unsigned char)R.input[i])) != NULL)
			die_at(R.input + i, "%s (byte 0x%02x)", why,
			    (unsigned char)R.input[i]);
}

/* Counts of lines and of '=' bound the tables, so they are allocated
 * once, in full, and never grow or overflow. */
static void
allocate(void)
{
	size_t i, lines = 1, eqs = 0;

	for (i = 0; i < R.len; i++) {
		lines += R.input[i] == '\n';
		eqs += R.input[i] == '=';
	}
	R.longs = calloc(lines, sizeof(*R.longs));
	R.items = calloc(eqs + 1, sizeof(*R.items));
	R.arena = malloc(R.len + 1);
	if (R.longs == NULL || R.items == NULL || R.arena == NULL)
		trouble("out of memory");
	R.maxitems = eqs;
	R.maxlongs = lines;
}

/* Without trailing blanks: Nagios shows them, but they are padding
 * before the '|', not part of the message. */
static struct span
trim_end(struct span s)
{
	while (s.n > 0 && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t'))
		s.n--;
	return s;
}

/* ---- numbers and ranges ---------------------------------------------- */

static size_t
digits(struct span s, size_t i)
{
	size_t n = 0;

	while (i + n < s.n && s.p[i + n] >= '0' && s.p[i + n] <= '9')
		n++;
	return n;
}

/*
 * Length of the longest prefix of `s` that is a number, 0 if none.  The
 * guidelines: "value, min and max in class [-0-9.]"; of the strings made
 * of those, only -?[0-9]+(\.[0-9]+)? is a number every consumer reads
 * the same way ("1.", ".5", "1-2", "1..2" are not, nor "+1" or "1e3",
 * which are outside the class).
 */
static size_t
number_len(struct span s)
{
	size_t i = s.n > 0 && s.p[0] == '-', d, f;

	if ((d = digits(s, i)) == 0)
		return 0;
	i += d;
	if (i < s.n && s.p[i] == '.' && (f = digits(s, i + 1)) > 0)
		i += 1 + f;
	return i;
}

static bool
is_number(struct span s)
{
	return s.n > 0 && number_len(s) == s.n;
}

/* A number cut into sign, integer digits without leading zeros and
 * fraction digits without trailing zeros, so -0, 0.0 and 00 agree. */
struct dec {
	bool neg;
	struct span ip, fp;
};

static struct dec
dec_split(struct span s)
{
	struct dec d;
	size_t i = s.p[0] == '-', k;

	k = digits(s, i);
	d.ip = (struct span){ s.p + i, k };
	i += k;
	d.fp = (struct span){ s.p + s.n, 0 };
	if (i < s.n)
		d.fp = (struct span){ s.p + i + 1, s.n - i - 1 };
	while (d.ip.n > 0 && d.ip.p[0] == '0') {
		d.ip.p++;
		d.ip.n--;
	}
	while (d.fp.n > 0 && d.fp.p[d.fp.n - 1] == '0')
		d.fp.n--;
	d.neg = s.p[0] == '-' && (d.ip.n > 0 || d.fp.n > 0);
	return d;
}

static int
cmp_magnitude(struct dec a, struct dec b)
{
	size_t i;
	int c;

	if (a.ip.n != b.ip.n)
		return a.ip.n < b.ip.n ? -1 : 1;
	if (a.ip.n > 0 && (c = memcmp(a.ip.p, b.ip.p, a.ip.n)) != 0)
		return c < 0 ? -1 : 1;
	for (i = 0; i < a.fp.n || i < b.fp.n; i++) {
		char x = i < a.fp.n ? a.fp.p[i] : '0';
		char y = i < b.fp.n ? b.fp.p[i] : '0';

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* Compares two checked numbers exactly, in decimal: no strtod(), so no
 * rounding, no locale and no need for a NUL after the number. */
static int
cmp_number(struct span a, struct span b)
{
	struct dec x = dec_split(a), y = dec_split(b);

	if (x.neg != y.neg)
		return x.neg ? -1 : 1;
	return x.neg ? -cmp_magnitude(x, y) : cmp_magnitude(x, y);
}

/* A range without ':' is the end of 0:N (guidelines: "start and ':' is
 * not required if start=0"), so with "start <= end" N cannot be < 0. */
static const char *
bare_range_problem(struct span r)
{
	static const struct span zero = { "0", 1 };

	if (!is_number(r))
		return "not a range ([@]start:end)";
	if (cmp_number(zero, r) > 0)
		return "not a range: a bare N means 0:N, so N must be >= 0";
	return NULL;
}

/*
 * Why `r` is not a range of the guidelines' threshold format, or NULL:
 * [@]start:end, start a number or "~", end a number or nothing (infinity),
 * start <= end; or [@]N for 0:N.  ":N" is refused: the guidelines drop
 * start and ':' together.
 */
static const char *
range_problem(struct span r)
{
	const char *colon;
	struct span lo, hi;
	bool lo_inf;

	if (r.n > 0 && r.p[0] == '@') {
		r.p++;
		r.n--;
	}
	if (r.n == 0)
		return "not a range: nothing after '@'";
	if ((colon = memchr(r.p, ':', r.n)) == NULL)
		return bare_range_problem(r);
	lo = (struct span){ r.p, (size_t)(colon - r.p) };
	hi = (struct span){ colon + 1, r.n - lo.n - 1 };
	lo_inf = lo.n == 1 && lo.p[0] == '~';
	if (memchr(hi.p, ':', hi.n) != NULL)
		return "not a range: more than one ':'";
	if (lo.n == 0)
		return "not a range: nothing before ':' (0:N is written N)";
	if (!lo_inf && !is_number(lo))
		return "not a range: start is neither a number nor '~'";
	if (hi.n > 0 && !is_number(hi))
		return "not a range: end is not a number";
	if (!lo_inf && hi.n > 0 && cmp_number(lo, hi) > 0)
		return "not a range: start is greater than end";
	return NULL;
}

/* ---- one perfdata item ----------------------------------------------- */

/* Exactly the guidelines' list: none, s, us, ms, %, B, KB, MB, TB, c.
 * Not GB, not lower case: other consumers' extensions are not the rule. */
static bool
uom_ok(struct span u)
{
	static const char *const uoms[] =
	    { "", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c" };
	size_t i;

	for (i = 0; i < sizeof(uoms) / sizeof(uoms[0]); i++)
		if (strlen(uoms[i]) == u.n && memcmp(uoms[i], u.p, u.n) == 0)
			return true;
	return false;
}

/* Splits value[UOM] at the end of the number (or of the "U" that says
 * the value could not be determined); why the value is bad, or NULL. */
static const char *
split_value(struct span f, struct span *value, struct span *uom)
{
	size_t k;

	if (f.n == 0)
		return "missing (write U if it could not be determined)";
	k = f.p[0] == 'U' ? 1 : number_len(f);
	if (k == 0)
		return "not a number";
	*value = (struct span){ f.p, k };
	*uom = (struct span){ f.p + k, f.n - k };
	/* "1.2.3" or "5-": a number that goes wrong, not a unit */
	if (uom->n > 0 && memchr("0123456789.-+", uom->p[0], 13) != NULL)
		return "not a number";
	return NULL;
}

/* Splits `s` at ';' into at most `max` fields; more than `max` (a stray
 * trailing ';' included) is reported as max + 1. */
static size_t
split_fields(struct span s, struct span *f, size_t max)
{
	const char *p = s.p, *end = s.p + s.n, *semi;
	size_t n = 0;

	for (;;) {
		if (n == max)
			return max + 1;
		semi = memchr(p, ';', (size_t)(end - p));
		f[n++] = (struct span){ p, (size_t)((semi ? semi : end) - p) };
		if (semi == NULL)
			return n;
		p = semi + 1;
	}
}

/* value[UOM];[warn];[crit];[min];[max], trailing fields optional, each
 * of the last four possibly empty ("warn, crit, min or max may be null
 * ... Trailing unfilled semicolons can be dropped"). */
static void
parse_fields(struct item *it, struct span s)
{
	struct span f[5] = { { s.p, 0 }, { s.p, 0 }, { s.p, 0 }, { s.p, 0 },
	    { s.p, 0 } };
	const char *why;

	if (split_fields(s, f, 5) > 5)
		die_item(it, "item", "more than 5 fields (4 ';' at most)");
	if ((why = split_value(f[0], &it->value, &it->uom)) != NULL)
		die_item(it, "value", "%s", why);
	if (!uom_ok(it->uom))
		die_item(it, "uom", "not one of s ms us %% B KB MB TB c "
		    "(or none)");
	if (f[1].n > 0 && (why = range_problem(f[1])) != NULL)
		die_item(it, "warn", "%s", why);
	if (f[2].n > 0 && (why = range_problem(f[2])) != NULL)
		die_item(it, "crit", "%s", why);
	if (f[3].n > 0 && !is_number(f[3]))
		die_item(it, "min", "not a number");
	if (f[4].n > 0 && !is_number(f[4]))
		die_item(it, "max", "not a number");
	it->warn = f[1];
	it->crit = f[2];
	it->min = f[3];
	it->max = f[4];
}

/* 'quoted label'=: '' stands for one quote; '=' is refused even here
 * ("label can contain any characters except the equals sign"). */
static const char *
quoted_label(struct span t, struct span *label, struct span *rest)
{
	char *out = R.arena + R.arena_used;
	const char *p, *end = t.p + t.n, *close = NULL;
	size_t n = 0;

	for (p = t.p + 1; p < end && close == NULL; p++) {
		if (*p != '\'')
			out[n++] = *p;
		else if (p + 1 == end || p[1] != '\'')
			close = p;
		else
			out[n++] = *p++;
	}
	if (close == NULL)
		return "unterminated quoted label";
	if (memchr(out, '=', n) != NULL)
		return "'=' in a label (not allowed, quoted or not)";
	if (close + 1 == end || close[1] != '=')
		return "'=' must follow the closing quote";
	*label = (struct span){ out, n };
	*rest = (struct span){ close + 2, (size_t)(end - close - 2) };
	return NULL;
}

/* label=: no quote in it, and no space (the item would have ended). */
static const char *
plain_label(struct span t, struct span *label, struct span *rest)
{
	const char *eq = memchr(t.p, '=', t.n);
	size_t n = eq ? (size_t)(eq - t.p) : t.n;

	if (memchr(t.p, '\'', n) != NULL)
		return "single quote in an unquoted label (quote the label, "
		    "double the quote)";
	if (eq == NULL)
		return "no '=' (a label with spaces must be quoted)";
	memcpy(R.arena + R.arena_used, t.p, n);
	*label = (struct span){ R.arena + R.arena_used, n };
	*rest = (struct span){ eq + 1, t.n - n - 1 };
	return NULL;
}

/* Labels are unescaped into the arena; it holds them all because no
 * label is longer than its item and items do not overlap. */
static void
parse_label(struct item *it, struct span *rest)
{
	const char *why;

	if (R.arena_used + it->raw.n > R.len)
		trouble("internal error: label arena full");
	why = it->raw.p[0] == '\'' ? quoted_label(it->raw, &it->label, rest) :
	    plain_label(it->raw, &it->label, rest);
	if (why == NULL && it->label.n == 0)
		why = "empty label";
	if (why != NULL)
		die_item(it, "label", "%s", why);
	if (O.max_label > 0 && it->label.n > O.max_label)
		die_item(it, "label", "%zu bytes, longer than --max-label %zu",
		    it->label.n, O.max_label);
	R.arena_used += it->label.n;
}

static void
parse_item(struct span raw)
{
	struct item it;
	struct span rest;

	memset(&it, 0, sizeof(it));
	it.no = R.nitems + 1;
	it.raw = raw;
	parse_label(&it, &rest);
	parse_fields(&it, rest);
	/* each stored item owns one '=' outside quotes: the table fits */
	if (R.nitems >= R.maxitems)
		trouble("internal error: item table full");
	R.items[R.nitems++] = it;
}

/* ---- perfdata sections ----------------------------------------------- */

/*
 * Where the item starting at `p` ends: at the first space or newline
 * outside its quoted label.  A quote left open runs to the end of the
 * line, so the message shows what the plugin wrote.
 */
static const char *
item_end(const char *p, const char *end)
{
	const char *q = p;

	if (*q == '\'')
		for (q++; q < end && *q != '\n'; q++) {
			if (*q != '\'')
				continue;
			if (q + 1 == end || q[1] != '\'') {
				q++;
				break;
			}
			q++;
		}
	while (q < end && *q != ' ' && *q != '\n')
		q++;
	return q;
}

/*
 * Bytes a perfdata section must not hold.  A second '|': Nagios keeps it
 * as part of the perfdata (it splits line 1 at the first '|' only, later
 * lines likewise), where it would start or sit inside a label, and other
 * consumers split at every '|'.  A tab: "space separated list".
 */
static void
check_section_bytes(struct span sec)
{
	size_t i;

	for (i = 0; i < sec.n; i++)
		if (sec.p[i] == '|' || sec.p[i] == '\t')
			die_at(sec.p + i, "%s", sec.p[i] == '|' ?
			    "a second '|'; perfdata already started" :
			    "tab in perfdata; items are separated by spaces");
}

/* The items after a '|' (at `bar`) to the end of `sec`.  A '|' with no
 * item after it is refused: it announces perfdata that is not there. */
static void
parse_section(const char *bar, struct span sec)
{
	const char *p = sec.p, *end = sec.p + sec.n, *q;
	size_t before = R.nitems;

	check_section_bytes(sec);
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\n'))
			p++;
		if (p == end)
			break;
		q = item_end(p, end);
		parse_item((struct span){ p, (size_t)(q - p) });
		p = q;
	}
	if (R.nitems == before)
		die_at(bar, "'|' with no performance data after it");
}

/*
 * Whether Nagios would glue the last item of line 1 to the first of the
 * long perfdata: it appends the text after the later '|' (or, if that is
 * empty, the next line) straight after line 1's perfdata; guidelines:
 * "it currently does not insert additional whitespace between both, so
 * the plugin needs to provide some".
 */
static bool
runs_together(struct span sec1, struct span sec2)
{
	const char *p = sec2.p, *end = sec2.p + sec2.n;

	if (sec1.p[sec1.n - 1] == ' ' || p == end || *p == ' ')
		return false;
	if (*p == '\n')
		p++;
	return p < end && *p != ' ' && *p != '\n';
}

/* ---- lines ----------------------------------------------------------- */

static const char *const states[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };

/* Why the status text is not PREFIX STATE " - " text, or NULL; sets
 * R.state. */
static const char *
status_problem(struct span t)
{
	size_t i, pn = strlen(O.prefix), wn;

	if (t.n < pn || memcmp(t.p, O.prefix, pn) != 0)
		return "does not start with the --status-re prefix";
	t.p += pn;
	t.n -= pn;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		wn = strlen(states[i]);
		if (t.n < wn || memcmp(t.p, states[i], wn) != 0)
			continue;
		R.state = states[i];
		if (t.n > wn + 3 && memcmp(t.p + wn, " - ", 3) == 0)
			return NULL;
		return "expected \" - \" and a text after the state";
	}
	return "expected OK, WARNING, CRITICAL or UNKNOWN after the prefix";
}

/* Line 1: the status text up to the first '|', then perfdata.  Returns
 * the perfdata section, empty if none. */
static struct span
parse_line1(struct span line)
{
	const char *bar = memchr(line.p, '|', line.n);
	struct span sec = { line.p + line.n, 0 };
	const char *why;

	R.text = trim_end((struct span){ line.p,
	    bar ? (size_t)(bar - line.p) : line.n });
	if (R.text.n == 0)
		die_at(line.p, "empty status text");
	if (O.prefix != NULL && (why = status_problem(R.text)) != NULL)
		die("line 1: %s (--status-re '%s'): '%.*s'", why, O.prefix,
		    R.text.n > SHOW_MAX ? SHOW_MAX : (int)R.text.n, R.text.p);
	if (bar != NULL) {
		sec.p = bar + 1;
		sec.n = (size_t)(line.p + line.n - sec.p);
		parse_section(bar, sec);
	}
	return sec;
}

static void
add_long(struct span s)
{
	if (R.nlongs >= R.maxlongs)
		trouble("internal error: line table full");
	R.longs[R.nlongs++] = s;
}

/* Lines 2..n: long output until the first '|', perfdata from there to
 * the end.  Returns that perfdata section, empty if none. */
static struct span
parse_long(const char *p, const char *end)
{
	const char *nl, *bar;
	struct span line, text, sec;

	for (; p < end; p = nl ? nl + 1 : end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		line = (struct span){ p, (size_t)((nl ? nl : end) - p) };
		if ((bar = memchr(line.p, '|', line.n)) == NULL) {
			add_long(line);
			continue;
		}
		text = trim_end((struct span){ p, (size_t)(bar - p) });
		if (text.n > 0)
			add_long(text);
		sec = (struct span){ bar + 1, (size_t)(end - bar - 1) };
		parse_section(bar, sec);
		return sec;
	}
	return (struct span){ end, 0 };
}

/* Duplicates, found by sorting: (label, position), so the first repeat
 * in output order is the one reported, whatever the labels. */
static int
by_label(const void *a, const void *b)
{
	const struct item *x = *(const struct item *const *)a;
	const struct item *y = *(const struct item *const *)b;
	size_t n = x->label.n < y->label.n ? x->label.n : y->label.n;
	int c = memcmp(x->label.p, y->label.p, n);

	if (c != 0)
		return c;
	if (x->label.n != y->label.n)
		return x->label.n < y->label.n ? -1 : 1;
	return x->no < y->no ? -1 : x->no > y->no;
}

static bool
same_label(const struct item *a, const struct item *b)
{
	return a->label.n == b->label.n &&
	    memcmp(a->label.p, b->label.p, a->label.n) == 0;
}

static void
check_duplicates(void)
{
	const struct item **v, *dup = NULL, *first = NULL, *run;
	size_t i;

	if (R.nitems < 2)
		return;
	if ((v = calloc(R.nitems, sizeof(*v))) == NULL)
		trouble("out of memory");
	for (i = 0; i < R.nitems; i++)
		v[i] = &R.items[i];
	qsort(v, R.nitems, sizeof(*v), by_label);
	/* `run`: the first use of the label at hand; every later one in its
	 * run is a repeat */
	for (run = v[0], i = 1; i < R.nitems; i++) {
		if (!same_label(v[i], run)) {
			run = v[i];
			continue;
		}
		if (dup == NULL || v[i]->no < dup->no) {
			dup = v[i];
			first = run;
		}
	}
	free(v);
	if (dup != NULL)
		die_item(dup, "label", "duplicate, first used by item %zu",
		    first->no);
}

/* ---- output ---------------------------------------------------------- */

static void
put_span(struct span s)
{
	fwrite(s.p, 1, s.n, stdout);
}

/* Space and backslash escaped, so LABEL is one awk field and the
 * escaping cannot be confused with a label that contains "\x20". */
static void
put_label(struct span s)
{
	size_t i;

	for (i = 0; i < s.n; i++) {
		if (s.p[i] == ' ' || s.p[i] == '\\')
			printf("\\x%02x", (unsigned char)s.p[i]);
		else
			putchar(s.p[i]);
	}
}

static void
put_field(struct span s)
{
	putchar(' ');
	if (s.n == 0)
		putchar('-');
	else
		put_span(s);
}

static void
print_result(void)
{
	const struct item *it;
	size_t i;

	if (R.state != NULL)
		printf("state %s\n", R.state);
	fputs("text ", stdout);
	put_span(R.text);
	putchar('\n');
	for (i = 0; i < R.nlongs; i++) {
		fputs("long ", stdout);
		put_span(R.longs[i]);
		putchar('\n');
	}
	for (i = 0; i < R.nitems; i++) {
		it = &R.items[i];
		fputs("perf ", stdout);
		put_label(it->label);
		put_field(it->value);
		put_field(it->uom);
		put_field(it->warn);
		put_field(it->crit);
		put_field(it->min);
		put_field(it->max);
		putchar('\n');
	}
	printf("labels %zu\n", R.nitems);
	if (fflush(stdout) != 0 || ferror(stdout))
		trouble("writing standard output: %s", strerror(errno));
}

int
main(int argc, char **argv)
{
	const char *nl, *end;
	struct span sec1, sec2;

	parse_args(argc, argv);
	read_input();
	check_bytes();
	allocate();
	end = R.input + R.len;
	nl = memchr(R.input, '\n', R.len);
	sec1 = parse_line1((struct span){ R.input,
	    (size_t)((nl ? nl : end) - R.input) });
	sec2 = parse_long(nl ? nl + 1 : end, end);
	if (sec1.n > 0 && sec2.n > 0 && runs_together(sec1, sec2))
		die_at(sec2.p, "this perfdata would run into line 1's: Nagios "
		    "joins them without a space");
	check_duplicates();
	print_result();
	free(R.arena);
	free(R.items);
	free(R.longs);
	free(R.input);
	return 0;
}

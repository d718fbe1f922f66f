/* The option table and its validators. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "state.h"
#include "suggest.h"

enum opt_type {
	OT_THRESHOLD,   /* struct cp_threshold */
	OT_DURATION,    /* int64_t milliseconds, bounded by `max` */
	OT_TEXT,        /* char *: any non-empty text */
	OT_PATH,        /* char *: a file name */
	OT_HOST,        /* char *: a DNS name */
	OT_ADDR,        /* char *: an IPv4 or IPv6 address */
	OT_MAILBOXES,   /* char *: one or more addresses, comma-separated */
	OT_MAILBOX,     /* char *: one address */
	OT_RELAY,       /* char *: host[:port] or [v6]:port */
	OT_ENUM,        /* int: index into `values` */
	OT_BOOL,        /* int: 1 or 0 */
	OT_STATE,       /* int: enum cp_state */
	OT_JOBS,        /* int: 1 .. max */
};

struct cp_option {
	const char *name;       /* first: cp_suggest reads the table by it */
	enum opt_type type;
	int global;             /* lives in cp_globals, only with `set` */
	size_t off;             /* offset in cp_settings or cp_globals */
	unsigned applies;       /* CP_FOR_FILE | CP_FOR_ENDPOINT */
	int64_t max;            /* OT_DURATION (ms), OT_JOBS */
	const char *const *values;  /* OT_ENUM: accepted words */
};

static const char *const family_words[] = { "any", "4", "6", NULL };
static const char *const chain_words[] = { "verified", "served", "leaf",
	"all", NULL };
static const char *const starttls_words[] = { "required", "opportunistic",
	"off", NULL };

#define S(f) offsetof(struct cp_settings, f)
#define G(f) offsetof(struct cp_globals, f)
#define F CP_FOR_FILE
#define E CP_FOR_ENDPOINT

/* Bit i of cp_settings.given is row i: keep check options first. */
static const struct cp_option options[] = {
	{ "warn", OT_THRESHOLD, 0, S(warn), F | E, 0, NULL },
	{ "crit", OT_THRESHOLD, 0, S(crit), F | E, 0, NULL },
	{ "timeout", OT_DURATION, 0, S(timeout_ms), E, 3600 * 1000, NULL },
	{ "name", OT_TEXT, 0, S(name), F | E, 0, NULL },
	{ "sni", OT_HOST, 0, S(sni), E, 0, NULL },
	{ "addr", OT_ADDR, 0, S(addr), E, 0, NULL },
	{ "family", OT_ENUM, 0, S(family), E, 0, family_words },
	{ "cafile", OT_PATH, 0, S(cafile), E, 0, NULL },
	{ "verify", OT_BOOL, 0, S(verify), E, 0, NULL },
	{ "chain", OT_ENUM, 0, S(chain), E, 0, chain_words },
	{ "expect", OT_PATH, 0, S(expect), E, 0, NULL },
	{ "key", OT_PATH, 0, S(key), F, 0, NULL },
	{ "password_file", OT_PATH, 0, S(password_file), F, 0, NULL },
	{ "renew", OT_TEXT, 0, S(renew), F | E, 0, NULL },
	{ "renew_timeout", OT_DURATION, 0, S(renew_timeout_ms), F | E,
	    86400 * 1000, NULL },
	{ "unreachable", OT_STATE, 0, S(unreachable), E, 0, NULL },
	{ "jobs", OT_JOBS, 1, G(jobs), 0, 1024, NULL },
	{ "mail_to", OT_MAILBOXES, 1, G(mail_to), 0, 0, NULL },
	{ "mail_from", OT_MAILBOX, 1, G(mail_from), 0, 0, NULL },
	{ "smtp_relay", OT_RELAY, 1, G(smtp_relay), 0, 0, NULL },
	{ "smtp_starttls", OT_ENUM, 1, G(smtp_starttls), 0, 0, starttls_words },
	{ "smtp_user", OT_TEXT, 1, G(smtp_user), 0, 0, NULL },
	{ "smtp_password_file", OT_PATH, 1, G(smtp_password_file), 0, 0, NULL },
	{ "mail_always", OT_BOOL, 1, G(mail_always), 0, 0, NULL },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

const struct cp_option *
cp_option_find(const char *name)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++)
		if (strcmp(options[i].name, name) == 0)
			return &options[i];
	return NULL;
}

const char *
cp_option_suggest(const char *name)
{
	return cp_suggest(name, options, NOPTIONS, sizeof(options[0]));
}

int
cp_option_is_global(const struct cp_option *o)
{
	return o->global;
}

unsigned
cp_option_applies(const struct cp_option *o)
{
	return o->applies;
}

const char *
cp_mailbox_next(const char **s, size_t *n)
{
	const char *p = *s, *comma;

	if (p == NULL)
		return NULL;
	while (*p == ' ')
		p++;
	comma = strchr(p, ',');
	*n = comma ? (size_t)(comma - p) : strlen(p);
	*s = comma ? comma + 1 : NULL;
	return p;
}

int
cp_valid_host(const char *s)
{
	size_t i, n = strlen(s), label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (isalnum((unsigned char)s[i]) || s[i] == '-' ||
		    s[i] == '_') {
			if (++label > 63)
				return 0;
		} else
			return 0;
	}
	return 1;
}

/* local@domain, printable ASCII, nothing that could split a header, and
 * no longer than SMTP carries (RFC 5321 4.5.3.1.3). */
static int
valid_mailbox(const char *s, size_t n)
{
	const char *at = NULL;
	size_t i;

	if (n > 254)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] >= 0x7f || strchr("\"(),:;<>[\\]", s[i]))
			return 0;
		if (s[i] == '@') {
			if (at != NULL)
				return 0;
			at = s + i;
		}
	}
	return at != NULL && at > s && at < s + n - 1;
}

static int
valid_mailboxes(const char *s)
{
	const char *m;
	size_t n;

	while ((m = cp_mailbox_next(&s, &n)) != NULL)
		if (!valid_mailbox(m, n))
			return 0;
	return 1;
}

static int
valid_relay(const char *s)
{
	const char *port = strchr(s, ':');
	size_t n = port ? (size_t)(port - s) : strlen(s);
	char host[300], *end;
	unsigned long v;

	/* No [IPv6]: libesmtp splits host and port at the first ':'. */
	if (n >= sizeof(host))
		return 0;
	snprintf(host, sizeof(host), "%.*s", (int)n, s);
	if (!cp_valid_host(host))
		return 0;
	if (port == NULL)
		return 1;
	if (!isdigit((unsigned char)*++port))
		return 0;
	errno = 0;
	v = strtoul(port, &end, 10);
	return errno == 0 && *end == '\0' && v >= 1 && v <= 65535;
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1", NULL };
	static const char *const no[] = { "off", "no", "false", "0", NULL };
	size_t i;

	for (i = 0; yes[i] != NULL; i++)
		if (strcmp(v, yes[i]) == 0)
			return *out = 1, 0;
	for (i = 0; no[i] != NULL; i++)
		if (strcmp(v, no[i]) == 0)
			return *out = 0, 0;
	return -1;
}

static int
parse_enum(const struct cp_option *o, const char *v, int *out, char *err,
    size_t errlen)
{
	const char *hint;
	size_t i, n;

	for (n = 0; o->values[n] != NULL; n++)
		if (strcmp(v, o->values[n]) == 0)
			return *out = (int)n, 0;
	hint = cp_suggest(v, o->values, n, sizeof(o->values[0]));
	if (hint != NULL) {
		snprintf(err, errlen, "%s: '%s' is not allowed (did you mean "
		    "'%s'?)", o->name, v, hint);
		return -1;
	}
	snprintf(err, errlen, "%s: '%s' is not one of", o->name, v);
	for (i = 0; i < n; i++) {
		size_t used = strlen(err);

		snprintf(err + used, errlen - used, "%s %s", i ? "," : "",
		    o->values[i]);
	}
	return -1;
}

/* Parses the value of an int-valued option into `*out`. */
static int
set_int(const struct cp_option *o, const char *v, int *out, char *err,
    size_t errlen)
{
	enum cp_state st;
	long n;
	char *end;

	switch (o->type) {
	case OT_ENUM:
		if (parse_enum(o, v, out, err, errlen) == -1)
			return -1;
		if (o->values == family_words)
			*out = *out == 0 ? 0 : *out == 1 ? 4 : 6;
		return 0;
	case OT_BOOL:
		if (parse_bool(v, out) == 0)
			return 0;
		snprintf(err, errlen, "%s: '%s' is not on or off", o->name, v);
		return -1;
	case OT_STATE:
		if (cp_state_parse(v, &st) == 0)
			return *out = (int)st, 0;
		snprintf(err, errlen, "%s: '%s' is not ok, warning, critical or "
		    "unknown", o->name, v);
		return -1;
	default:
		errno = 0;
		n = isdigit((unsigned char)v[0]) ? strtol(v, &end, 10) : -1;
		if (n < 1 || n > o->max || errno != 0 || *end != '\0') {
			snprintf(err, errlen, "%s: '%s' is not a whole number "
			    "from 1 to %lld", o->name, v, (long long)o->max);
			return -1;
		}
		*out = (int)n;
		return 0;
	}
}

/* Validates a string-valued option; the caller stores it. */
static int
check_text(const struct cp_option *o, const char *v, char *err, size_t errlen)
{
	const char *what = NULL;
	unsigned char a[16];

	if (*v == '\0')
		what = "must not be empty";
	else if (o->type == OT_HOST && !cp_valid_host(v))
		what = "is not a host name";
	else if (o->type == OT_ADDR && inet_pton(AF_INET, v, a) != 1 &&
	    inet_pton(AF_INET6, v, a) != 1)
		what = "is not an IPv4 or IPv6 address";
	else if (o->type == OT_MAILBOXES && !valid_mailboxes(v))
		what = "is not a list of mail addresses (user@example.com, ...)";
	else if (o->type == OT_MAILBOX && !valid_mailbox(v, strlen(v)))
		what = "is not a mail address (user@example.com)";
	else if (o->type == OT_RELAY && !valid_relay(v))
		what = "is not host[:port] (a name or an IPv4 address: "
		    "libesmtp takes no IPv6 literal)";
	if (what == NULL)
		return 0;
	snprintf(err, errlen, "%s: '%s' %s", o->name, v, what);
	return -1;
}

int
cp_option_set(const struct cp_option *o, const char *v, struct cp_settings *s,
    struct cp_globals *g, char *err, size_t errlen)
{
	char *base = o->global ? (char *)g : (char *)s;
	void *field = base + o->off;
	char why[256];
	char *copy;

	switch (o->type) {
	case OT_THRESHOLD:
		if (cp_threshold_parse(v, field, why, sizeof(why)) == -1)
			goto why;
		break;
	case OT_DURATION:
		if (cp_duration_parse(v, o->max, field, why, sizeof(why)) == -1)
			goto why;
		break;
	case OT_ENUM:
	case OT_BOOL:
	case OT_STATE:
	case OT_JOBS:
		if (set_int(o, v, field, err, errlen) == -1)
			return -1;
		break;
	default:
		if (check_text(o, v, err, errlen) == -1)
			return -1;
		if ((copy = strdup(v)) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		free(*(char **)field);
		*(char **)field = copy;
		break;
	}
	if (!o->global)
		s->given |= 1u << (o - options);
	return 0;
why:
	snprintf(err, errlen, "%s: %s", o->name, why);
	return -1;
}

void
cp_settings_init(struct cp_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->warn = cp_threshold_days(30);
	s->crit = cp_threshold_days(14);
	s->timeout_ms = 10 * 1000;
	s->renew_timeout_ms = 300 * 1000;
	s->verify = 1;
	s->chain = CP_CHAIN_VERIFIED;
	s->unreachable = CP_CRITICAL;
}

static int
is_string(const struct cp_option *o)
{
	return o->type == OT_TEXT || o->type == OT_PATH || o->type == OT_HOST ||
	    o->type == OT_ADDR || o->type == OT_MAILBOXES ||
	    o->type == OT_MAILBOX || o->type == OT_RELAY;
}

static size_t
value_size(const struct cp_option *o)
{
	if (o->type == OT_THRESHOLD)
		return sizeof(struct cp_threshold);
	if (o->type == OT_DURATION)
		return sizeof(int64_t);
	if (is_string(o))
		return sizeof(char *);
	return sizeof(int);
}

/* Copies option `o` of `src` into `dst` (a deep copy for strings). */
static int
copy_one(const struct cp_option *o, struct cp_settings *dst,
    const struct cp_settings *src)
{
	char **to = (char **)((char *)dst + o->off);
	char *const *from = (char *const *)((const char *)src + o->off);
	char *copy = NULL;

	if (!is_string(o)) {
		memcpy((char *)dst + o->off, (const char *)src + o->off,
		    value_size(o));
		return 0;
	}
	if (*from != NULL && (copy = strdup(*from)) == NULL)
		return -1;
	free(*to);
	*to = copy;
	return 0;
}

void
cp_settings_free(struct cp_settings *s)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		if (!options[i].global && is_string(&options[i])) {
			free(*(char **)((char *)s + options[i].off));
			*(char **)((char *)s + options[i].off) = NULL;
		}
	}
}

int
cp_settings_copy(struct cp_settings *dst, const struct cp_settings *src)
{
	size_t i;

	memcpy(dst, src, sizeof(*dst));
	for (i = 0; i < NOPTIONS; i++)
		if (!options[i].global && is_string(&options[i]))
			*(char **)((char *)dst + options[i].off) = NULL;
	for (i = 0; i < NOPTIONS; i++) {
		if (!options[i].global && is_string(&options[i]) &&
		    copy_one(&options[i], dst, src) == -1) {
			cp_settings_free(dst);
			return -1;
		}
	}
	return 0;
}

int
cp_settings_override(struct cp_settings *dst, const struct cp_settings *src)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		if (options[i].global || !(src->given & (1u << i)))
			continue;
		if (copy_one(&options[i], dst, src) == -1)
			return -1;
		dst->given |= 1u << i;
	}
	return 0;
}

void
cp_globals_init(struct cp_globals *g)
{
	memset(g, 0, sizeof(*g));
	g->jobs = 8;
	g->smtp_starttls = CP_STARTTLS_OPPORTUNISTIC;
}

void
cp_globals_free(struct cp_globals *g)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		if (options[i].global && is_string(&options[i])) {
			free(*(char **)((char *)g + options[i].off));
			*(char **)((char *)g + options[i].off) = NULL;
		}
	}
}

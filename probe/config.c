/* The configuration grammar and the files it is read from. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "readfile.h"
#include "config.h"
#include "dirlist.h"
#include "perms.h"

#define MAX_TOKENS 64

/* A token of a line, unquoted. */
struct token {
	char *text;        /* NUL-terminated, inside the line's scratch copy */
	long eq;           /* offset of a '=' met outside quotes, or -1 */
};

/* Context while parsing one file. */
struct parsing {
	struct cp_config *cfg;
	const char *name;          /* file name for messages */
	unsigned line;
	struct cp_settings defs;   /* defaults in force at this point */
	int is_main;
};

void
cp_config_init(struct cp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cp_settings_init(&cfg->defaults);
	cp_globals_init(&cfg->g);
}

static void
check_free(struct cp_check *c)
{
	free(c->text);
	free(c->origin);
	cp_target_free(&c->target);
	cp_settings_free(&c->s);
}

void
cp_config_drop_checks(struct cp_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nchecks; i++)
		check_free(&cfg->checks[i]);
	cfg->nchecks = 0;
}

void
cp_config_free(struct cp_config *cfg)
{
	size_t i;

	cp_config_drop_checks(cfg);
	free(cfg->checks);
	for (i = 0; i < cfg->ndiags; i++) {
		free(cfg->diags[i].origin);
		free(cfg->diags[i].msg);
	}
	free(cfg->diags);
	for (i = 0; i < cfg->nwarns; i++) {
		free(cfg->warns[i].origin);
		free(cfg->warns[i].msg);
	}
	free(cfg->warns);
	cp_settings_free(&cfg->defaults);
	cp_globals_free(&cfg->g);
	free(cfg->main_path);
	memset(cfg, 0, sizeof(*cfg));
}

/* Appends a diagnostic to `*list`; -1 when memory runs out. */
static int
add_diag(struct cp_diag **list, size_t *n, size_t *cap, const char *origin,
    const char *msg)
{
	struct cp_diag *d;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 8;

		if ((d = realloc(*list, c * sizeof(*d))) == NULL)
			return -1;
		*list = d;
		*cap = c;
	}
	d = &(*list)[*n];
	d->origin = origin ? strdup(origin) : NULL;
	d->msg = strdup(msg);
	if (d->msg == NULL || (origin != NULL && d->origin == NULL)) {
		free(d->origin);
		free(d->msg);
		return -1;
	}
	(*n)++;
	return 0;
}

int
cp_config_error(struct cp_config *cfg, const char *origin, const char *fmt, ...)
{
	char msg[CP_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return add_diag(&cfg->diags, &cfg->ndiags, &cfg->capdiags, origin,
	    msg);
}

int
cp_config_warn(struct cp_config *cfg, const char *origin, const char *fmt, ...)
{
	char msg[CP_ERROR_MAX];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < cfg->nwarns; i++)
		if (strcmp(cfg->warns[i].msg, msg) == 0)
			return 0;
	return add_diag(&cfg->warns, &cfg->nwarns, &cfg->capwarns, origin,
	    msg);
}

/* Records an error at the current line of `p`. */
static int
line_error(struct parsing *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
line_error(struct parsing *p, const char *fmt, ...)
{
	char origin[CP_ERROR_MAX], msg[CP_ERROR_MAX];
	va_list ap;

	snprintf(origin, sizeof(origin), "%s:%u", p->name, p->line);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return cp_config_error(p->cfg, origin, "%s", msg);
}

/*
 * Splits a line (already copied into `s`, which it rewrites in place) into
 * tokens. A token is a run of non-blank characters and double-quoted
 * parts; inside quotes, \" and \\ are the only escapes. '#' at the start
 * of a token begins a comment. Returns the count, or -1 with `err`.
 */
static int
tokenize(char *s, struct token *tok, int max, char *err, size_t errlen)
{
	char *r = s, *w;
	int n = 0, quoted;

	for (;;) {
		while (*r == ' ' || *r == '\t')
			r++;
		if (*r == '\0' || *r == '#')
			return n;
		if (n == max) {
			snprintf(err, errlen, "more than %d words on one line", max);
			return -1;
		}
		tok[n].text = w = r;
		tok[n].eq = -1;
		for (quoted = 0; *r != '\0' && (quoted || (*r != ' ' &&
		    *r != '\t')); r++) {
			if (*r == '"') {
				quoted = !quoted;
				continue;
			}
			if (quoted && *r == '\\') {
				if (r[1] != '"' && r[1] != '\\') {
					snprintf(err, errlen, "only \\\" and \\\\ "
					    "may follow a backslash in quotes");
					return -1;
				}
				r++;
			} else if (!quoted && *r == '=' && tok[n].eq == -1 &&
			    w == r)
				tok[n].eq = w - tok[n].text;
			*w++ = *r;
		}
		if (quoted) {
			snprintf(err, errlen, "a quote is not closed");
			return -1;
		}
		/* The token ends where the next begins: terminate in place. */
		if (*r != '\0')
			r++;
		*w = '\0';
		n++;
	}
}

/* The option of a `key=value` token, recording an error if there is
 * none or it does not belong on this line. */
static const struct cp_option *
token_option(struct parsing *p, struct token *t,
    const struct cp_target *target)
{
	const struct cp_option *o;
	const char *hint;
	unsigned kind;

	if (t->eq <= 0) {
		line_error(p, "'%s' is not an option (key=value)%s", t->text,
		    target ? ": one target per line" : "");
		return NULL;
	}
	t->text[t->eq] = '\0';
	if ((o = cp_option_find(t->text)) == NULL) {
		hint = cp_option_suggest(t->text);
		line_error(p, "unknown option '%s'%s%s%s", t->text,
		    hint ? " (did you mean '" : "", hint ? hint : "",
		    hint ? "'?)" : "");
		return NULL;
	}
	if (target == NULL)
		return o;
	kind = cp_target_is_file(target) ? CP_FOR_FILE : CP_FOR_ENDPOINT;
	if (cp_option_is_global(o)) {
		line_error(p, "'%s' is a global option: give it on a 'set' line",
		    t->text);
		return NULL;
	}
	if (!(cp_option_applies(o) & kind)) {
		line_error(p, "'%s' does not apply to %s", t->text,
		    kind == CP_FOR_FILE ? "certificate files" : "live endpoints");
		return NULL;
	}
	return o;
}

/* Applies `key=value` tokens to `s` (and the globals); `target` is NULL on
 * a `set` line. Returns the number of errors recorded. */
static int
apply_options(struct parsing *p, struct token *tok, int n,
    struct cp_settings *s, const struct cp_target *target)
{
	const struct cp_option *o, *seen[MAX_TOKENS];
	char err[CP_ERROR_MAX];
	int i, j, errors = 0;

	for (i = 0; i < n; i++) {
		seen[i] = o = token_option(p, &tok[i], target);
		for (j = 0; o != NULL && j < i; j++) {
			if (seen[j] == o) {
				line_error(p, "'%s' is given twice", tok[i].text);
				o = NULL;
			}
		}
		if (o == NULL)
			errors++;
		else if (cp_option_set(o, tok[i].text + tok[i].eq + 1, s,
		    &p->cfg->g, err, sizeof(err)) == -1) {
			errors++;
			line_error(p, "%s", err);
		}
	}
	return errors;
}

/* Appends a check that takes over `target` and `s`. */
static int
push_check(struct cp_config *cfg, const char *text, struct cp_target *target,
    struct cp_settings *s, const char *origin)
{
	struct cp_check *c;

	if (cfg->nchecks == cfg->capchecks) {
		size_t cap = cfg->capchecks ? cfg->capchecks * 2 : 16;

		if ((c = realloc(cfg->checks, cap * sizeof(*c))) == NULL)
			return -1;
		cfg->checks = c;
		cfg->capchecks = cap;
	}
	c = &cfg->checks[cfg->nchecks];
	memset(c, 0, sizeof(*c));
	if ((c->text = strdup(text)) == NULL ||
	    (c->origin = strdup(origin)) == NULL) {
		free(c->text);
		return -1;
	}
	c->target = *target;
	c->s = *s;
	memset(target, 0, sizeof(*target));
	memset(s, 0, sizeof(*s));
	cfg->nchecks++;
	return 0;
}

/* A target line: the target, then its options. */
static int
target_line(struct parsing *p, struct token *tok, int n)
{
	struct cp_target target;
	struct cp_settings s;
	char err[CP_ERROR_MAX], origin[CP_ERROR_MAX];
	int rc = -1;

	memset(&target, 0, sizeof(target));
	/* "warn=5" alone is an option that lost its target, not a file. */
	if (tok[0].eq > 0 && tok[0].eq < (long)sizeof(err)) {
		snprintf(err, sizeof(err), "%.*s", (int)tok[0].eq, tok[0].text);
		if (cp_option_find(err) != NULL)
			return line_error(p, "option '%s' needs a target before "
			    "it, or 'set' to make it a default", err);
	}
	if (cp_target_parse(tok[0].text, &target, err, sizeof(err)) == -1)
		return line_error(p, "%s: %s", tok[0].text, err);
	if (cp_settings_copy(&s, &p->defs) == -1) {
		cp_target_free(&target);
		return -1;
	}
	s.given = 0;
	snprintf(origin, sizeof(origin), "%s:%u", p->name, p->line);
	if (apply_options(p, tok + 1, n - 1, &s, &target) > 0)
		rc = 0;    /* errors recorded: the check does not run */
	else
		rc = push_check(p->cfg, tok[0].text, &target, &s, origin);
	cp_target_free(&target);
	cp_settings_free(&s);
	return rc;
}

/* Makes `dst` a deep copy of `src`. */
static int
replace_settings(struct cp_settings *dst, const struct cp_settings *src)
{
	struct cp_settings copy;

	if (cp_settings_copy(&copy, src) == -1)
		return -1;
	cp_settings_free(dst);
	*dst = copy;
	return 0;
}

/* One line; -1 only when memory runs out. */
static int
parse_line(struct parsing *p, char *line)
{
	struct token tok[MAX_TOKENS];
	char err[CP_ERROR_MAX];
	int n;

	if ((n = tokenize(line, tok, MAX_TOKENS, err, sizeof(err))) == -1)
		return line_error(p, "%s", err);
	if (n == 0)
		return 0;
	if (strcmp(tok[0].text, "set") == 0) {
		if (n == 1)
			return line_error(p, "'set' needs at least one "
			    "option=value");
		apply_options(p, tok + 1, n - 1, &p->defs, NULL);
		return p->is_main ? replace_settings(&p->cfg->defaults,
		    &p->defs) : 0;
	}
	return target_line(p, tok, n);
}

int
cp_config_parse(struct cp_config *cfg, const char *name, const char *text,
    size_t len, int is_main)
{
	struct parsing p;
	const char *line = text, *nl;
	char *copy = NULL;
	size_t n;
	int rc = -1;

	memset(&p, 0, sizeof(p));
	p.cfg = cfg;
	p.name = name;
	p.is_main = is_main;
	if (cp_settings_copy(&p.defs, &cfg->defaults) == -1)
		return -1;
	if ((copy = malloc(CP_CONFIG_LINE_MAX + 1)) == NULL)
		goto out;
	while (line < text + len) {
		p.line++;
		nl = memchr(line, '\n', (size_t)(text + len - line));
		n = nl ? (size_t)(nl - line) : (size_t)(text + len - line);
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (n > CP_CONFIG_LINE_MAX) {
			if (line_error(&p, "line longer than %d bytes",
			    CP_CONFIG_LINE_MAX) == -1)
				goto out;
		} else if (memchr(line, '\0', n) != NULL) {
			if (line_error(&p, "line holds a NUL byte") == -1)
				goto out;
		} else {
			memcpy(copy, line, n);
			copy[n] = '\0';
			if (parse_line(&p, copy) == -1)
				goto out;
		}
		line = nl ? nl + 1 : text + len;
	}
	rc = 0;
out:
	free(copy);
	cp_settings_free(&p.defs);
	return rc;
}

/*
 * Reads and parses one file; a missing optional file is no error. One
 * that someone else could write is refused: its renew= commands would
 * run with our privileges.
 */
static int
load_file(struct cp_config *cfg, const char *path, int required, int is_main)
{
	struct cp_load_error err = { CP_FAIL_NONE, "" };
	char why[CP_ERROR_MAX];
	struct cp_buf b;
	struct stat st;
	int fd, rc;

	if (!required && stat(path, &st) == -1 && errno == ENOENT)
		return 0;
	cfg->found = 1;
	cp_buf_init(&b, CP_CONFIG_MAX + 1);
	if ((fd = cp_open_file(AT_FDCWD, path, &st, &err)) == -1)
		rc = cp_config_error(cfg, path, "cannot read: %s", err.msg);
	else if (!cp_perms_trusted(path, &st, why, sizeof(why)) ||
	    !cp_perms_dirs_trusted(path, why, sizeof(why)))
		rc = cp_config_error(cfg, path, "refused: %s", why);
	else if (cp_read_fd(fd, &st, &b, CP_CONFIG_MAX, &err) == -1)
		rc = cp_config_error(cfg, path, "cannot read: %s", err.msg);
	else
		rc = cp_config_parse(cfg, path, b.data, b.len, is_main);
	if (fd != -1)
		close(fd);
	cp_buf_free(&b);
	return rc;
}

/* Every *.conf of a checks.d directory (hidden ones aside), in lexical
 * order. */
static int
load_dir(struct cp_config *cfg, const char *dir, int required)
{
	struct cp_buf path;
	char **names, why[CP_ERROR_MAX];
	struct stat st;
	size_t n = 0, i;
	DIR *d;
	int err, rc = 0;

	if ((d = opendir(dir)) == NULL) {
		if (!required && errno == ENOENT)
			return 0;
		return cp_config_error(cfg, dir, "cannot read directory: %s",
		    cp_errno_text(errno));
	}
	cfg->found = 1;
	if (fstat(dirfd(d), &st) == 0 && (!cp_perms_trusted(dir, &st, why,
	    sizeof(why)) || !cp_perms_dirs_trusted(dir, why, sizeof(why)))) {
		closedir(d);
		return cp_config_error(cfg, dir, "refused, and every file in "
		    "it: %s", why);
	}
	names = cp_dir_list(d, "*.conf", &n, &err);
	closedir(d);
	if (names == NULL)
		return err == ENOMEM ? -1 : cp_config_error(cfg, dir,
		    "cannot read directory: %s", cp_errno_text(err));
	cp_buf_init(&path, 4096);
	for (i = 0; i < n && rc == 0; i++) {
		cp_buf_reset(&path);
		if (cp_buf_printf(&path, "%s/%s", dir, names[i]) == -1)
			rc = cp_config_error(cfg, dir, "path too long");
		else
			rc = load_file(cfg, path.data, 1, 0);
	}
	cp_buf_free(&path);
	cp_dir_list_free(names, n);
	return rc;
}

int
cp_config_load(struct cp_config *cfg, const struct cp_config_paths *paths)
{
	if ((cfg->main_path = strdup(paths->main)) == NULL)
		return -1;
	if (load_file(cfg, paths->main, paths->main_required, 1) == -1)
		return -1;
	return load_dir(cfg, paths->checks_dir, paths->dir_required);
}

int
cp_config_add_target(struct cp_config *cfg, const char *text,
    const char *origin)
{
	struct cp_target target;
	struct cp_settings s;
	char err[CP_ERROR_MAX];
	int rc;

	if (cp_target_parse(text, &target, err, sizeof(err)) == -1)
		return cp_config_error(cfg, origin, "%s: %s", text, err);
	if (cp_settings_copy(&s, &cfg->defaults) == -1) {
		cp_target_free(&target);
		return -1;
	}
	s.given = 0;
	rc = push_check(cfg, text, &target, &s, origin);
	cp_target_free(&target);
	cp_settings_free(&s);
	return rc;
}

int
cp_config_override(struct cp_config *cfg, const struct cp_settings *ovr)
{
	size_t i;

	for (i = 0; i < cfg->nchecks; i++)
		if (cp_settings_override(&cfg->checks[i].s, ovr) == -1)
			return -1;
	return 0;
}

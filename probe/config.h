/*
 * The configuration (SPEC section 8): certprobe.conf, then every *.conf
 * in checks.d in lexical order, one grammar for both.
 *
 *     set warn=25 crit=7          # defaults for what follows
 *     /etc/letsencrypt/live/(name)/cert.pem key=privkey.pem
 *     smtp://mail.example.com warn=14 renew="/usr/local/sbin/refresh"
 *
 * A `set` in certprobe.conf sets defaults for every later line, in it and
 * in checks.d; in a checks.d file, for the rest of that file. Errors are
 * collected with file and line, never fatal: the valid checks still run.
 */
#ifndef CP_CONFIG_H
#define CP_CONFIG_H

#include <stddef.h>

#include "options.h"
#include "target.h"

/* One check: a target with the settings it runs with. */
struct cp_check {
	char *text;                /* the target as written */
	struct cp_target target;
	struct cp_settings s;
	char *origin;              /* "FILE:LINE", or "command line" */
};

/* One configuration error. */
struct cp_diag {
	char *origin;              /* "FILE:LINE", or "FILE" */
	char *msg;                 /* what is wrong, with a suggestion */
};

struct cp_config {
	struct cp_check *checks;   /* in the order read */
	size_t nchecks, capchecks;
	struct cp_diag *diags;     /* errors, in the order found */
	size_t ndiags, capdiags;
	struct cp_diag *warns;     /* warnings: said, and nothing refused */
	size_t nwarns, capwarns;
	struct cp_settings defaults;  /* from certprobe.conf's `set` lines */
	struct cp_globals g;
	int found;                 /* a configuration file or checks.d existed */
	char *main_path;           /* the certprobe.conf used (for messages) */
};

/* Where to read from. */
struct cp_config_paths {
	const char *main;          /* certprobe.conf */
	int main_required;         /* named by -C or CERTPROBE_CONFIG */
	const char *checks_dir;    /* checks.d */
	int dir_required;          /* named by -D */
};

void cp_config_init(struct cp_config *);
void cp_config_free(struct cp_config *);

/* Reads the files; errors are collected in cfg->diags. -1 only when
 * memory runs out. */
int cp_config_load(struct cp_config *, const struct cp_config_paths *);

/*
 * Parses one file's text; `is_main` says whether its `set` lines are the
 * defaults of everything after it. `name` is used in messages.
 */
int cp_config_parse(struct cp_config *, const char *name, const char *text,
    size_t len, int is_main);

/* Adds a check for a target given on the command line, with the defaults. */
int cp_config_add_target(struct cp_config *, const char *text,
    const char *origin);

/* Records an error (origin may be NULL). -1 when memory runs out. */
int cp_config_error(struct cp_config *, const char *origin, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* Records a warning, once however often it is met. -1 when memory runs
 * out. */
int cp_config_warn(struct cp_config *, const char *origin, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* Applies command-line settings on top of every check. */
int cp_config_override(struct cp_config *, const struct cp_settings *);

/* Drops the checks, keeping defaults, globals and errors: for a run over
 * targets given on the command line only. */
void cp_config_drop_checks(struct cp_config *);

#endif

/*
 * The pipeline every program runs: parse, build a const configuration,
 * run, report, exit. A program's main() is these calls in order; only
 * front ends print and exit.
 */
#ifndef CP_FRONTEND_H
#define CP_FRONTEND_H

#include <stdint.h>

#include "cli.h"
#include "config.h"
#include "output.h"
#include "result.h"

/* Exit status for usage and setup errors (UNKNOWN, as Nagios expects). */
#define CP_EXIT_USAGE 3

/* Prints "PROG: MSG" and the usage line to stderr; returns CP_EXIT_USAGE. */
int cp_fe_usage_error(const char *prog, const char *usage, const char *msg);

/*
 * The opening every main() shares once the command line is parsed: -h
 * prints `help`, -V the version, else the evaluation time (--now, else
 * CERTPROBE_NOW, else the clock) goes to *now. Returns -1 to go on, or
 * the exit status.
 */
int cp_fe_start(const char *prog, const struct cp_cli *, void (*help)(void),
    int64_t *now);

/*
 * Builds the configuration the run will use: reads -C, -D,
 * CERTPROBE_CONFIG or the defaults; when the command line names targets,
 * they replace the configured checks; with `builtin` and no configuration
 * at all, the built-in example check (the system's trust store); then the
 * command line's settings override every check. Returns 0, or an exit
 * status after printing why.
 */
int cp_fe_load(const char *prog, const struct cp_cli *, int builtin,
    struct cp_config *);

/* Prints the configuration's warnings to stderr, once it knows its final
 * settings: those of its loading, and password files that group or
 * others can read. -1 when memory runs out. */
int cp_fe_warn(const char *prog, struct cp_config *);

/* --check-config: prints every error (or a summary) and returns the exit
 * status: 0 when the configuration is valid, 3 otherwise. */
int cp_fe_check_config(const char *prog, const struct cp_config *);

/* Runs the checks (and --renew) into `rep`, made with its evaluation
 * time, asking for the certificate fields `want`. 0, or the exit status
 * after printing why. */
int cp_fe_collect(const char *prog, const struct cp_cli *,
    const struct cp_config *, unsigned want, struct cp_report *rep);

/* Writes the report in `format` to stdout or --output; returns the exit
 * status. */
int cp_fe_report(const char *prog, const struct cp_cli *, enum cp_format,
    const struct cp_report *);

/* Both in turn: the whole run of a program that only reports. */
int cp_fe_run(const char *prog, const struct cp_cli *,
    const struct cp_config *, enum cp_format format, int64_t now);

#endif

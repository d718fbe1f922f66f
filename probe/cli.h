/*
 * The command line shared by the programs. One table of options; each
 * program accepts the groups that make sense for it, and its --help is
 * made from the same table, so usage and parsing cannot drift apart.
 * Settings given here are validated by the configuration's own option
 * table (options.h) and override the configuration.
 */
#ifndef CP_CLI_H
#define CP_CLI_H

#include <stdint.h>
#include <stdio.h>

#include "options.h"
#include "output.h"

/* Groups of options a program accepts (-h and -V always). */
#define CP_CLI_THRESHOLDS 0x01u  /* -w -c */
#define CP_CLI_NET        0x02u  /* -t -4 -6 --sni --cafile --no-verify */
#define CP_CLI_CONFIG     0x04u  /* -C -D --check-config */
#define CP_CLI_RUNNER     0x08u  /* --jobs -q --mail --renew --dry-run */
#define CP_CLI_FORMAT     0x10u  /* --format */
#define CP_CLI_DAYS       0x20u  /* -d N */
#define CP_CLI_COMMON     0x40u  /* --now -v */
#define CP_CLI_PLUGIN     0x80u  /* -H -p -P -f (check_cert_expiry) */
#define CP_CLI_FILES      0x100u /* --password-file */

struct cp_cli {
	struct cp_settings ovr;    /* settings given on the command line */
	int64_t now;               /* --now, when have_now */
	int have_now;
	enum cp_format format;     /* --format, when have_format */
	int have_format;
	int jobs;                  /* --jobs, 0 when not given */
	int verbose;               /* -v, counted */
	int quiet;                 /* -q */
	int check_config;          /* --check-config */
	int mail;                  /* --mail */
	int renew;                 /* --renew */
	int dry_run;               /* --dry-run */
	int help;                  /* -h */
	int version;               /* -V */
	const char *config;        /* -C FILE */
	const char *checks_dir;    /* -D DIR */
	const char *days;          /* -d N, unparsed */
	const char *output;        /* --output FILE: the report goes there */
	const char *host;          /* -H HOST */
	const char *port;          /* -p PORT, unparsed */
	const char *proto;         /* -P PROTO */
	const char **files;        /* -f FILE, each (an array of nfiles) */
	int nfiles;
	char **targets;            /* the operands, in argv */
	int ntargets;
};

/*
 * Parses argv for a program that accepts the groups in `accept`. 0, or
 * -1 with the reason in `err` (a usage error: exit 3).
 */
int cp_cli_parse(int argc, char **argv, unsigned accept, struct cp_cli *,
    char *err, size_t errlen);
void cp_cli_free(struct cp_cli *);

/* Prints the option lines of the groups in `accept`, for --help. */
void cp_cli_help(FILE *, unsigned accept);

#endif

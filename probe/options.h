/*
 * The options of SPEC section 8, one table: per-check options (also
 * usable as defaults with `set`) and global ones. The configuration file,
 * the command line and the documentation all go through this table, so an
 * option is parsed and validated the same way wherever it is given.
 */
#ifndef CP_OPTIONS_H
#define CP_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "threshold.h"

enum cp_chain {
	CP_CHAIN_VERIFIED,  /* leaf and the verified chain, anchor excluded */
	CP_CHAIN_SERVED,    /* all served but a self-signed root */
	CP_CHAIN_LEAF,      /* the leaf alone */
	CP_CHAIN_ALL,       /* everything, trust anchor included */
};

enum cp_starttls {
	CP_STARTTLS_REQUIRED,
	CP_STARTTLS_OPPORTUNISTIC,
	CP_STARTTLS_OFF,
};

/* What one check is run with. Strings are owned, NULL when unset. */
struct cp_settings {
	struct cp_threshold warn;    /* WARNING within this (default 30 days) */
	struct cp_threshold crit;    /* CRITICAL within this (default 14 days) */
	int64_t timeout_ms;          /* per address, all waits (default 10 s) */
	int64_t renew_timeout_ms;    /* bound on the renew command (300 s) */
	int family;                  /* 0 any, 4 or 6 */
	int verify;                  /* 1: chain and host name must verify */
	int chain;                   /* enum cp_chain */
	int unreachable;             /* enum cp_state for network failures */
	char *name;                  /* label in reports */
	char *sni;                   /* SNI and verification name */
	char *addr;                  /* check this address only */
	char *cafile;                /* trust these instead of the system */
	char *expect;                /* the served leaf must be this file's */
	char *key;                   /* private key that must match (files) */
	char *password_file;         /* opens a PKCS#12 file */
	char *renew;                 /* shell command that renews */
	uint32_t given;              /* bit i: option i was given explicitly */
};

/* Options of the whole run. */
struct cp_globals {
	int jobs;                    /* endpoints checked at once (default 8) */
	int smtp_starttls;           /* enum cp_starttls (opportunistic) */
	int mail_always;             /* mail even when nothing is due */
	char *mail_to;               /* comma-separated recipients */
	char *mail_from;             /* envelope and From: sender */
	char *smtp_relay;            /* host[:port] (localhost:25) */
	char *smtp_user;             /* AUTH user, NULL for none */
	char *smtp_password_file;    /* AUTH password */
};

/* Which targets an option makes sense for. */
#define CP_FOR_FILE 1u
#define CP_FOR_ENDPOINT 2u

struct cp_option;

/* Whether `s` is a host name as DNS allows it: labels of letters,
 * digits, '-' and '_'. */
int cp_valid_host(const char *s);

/*
 * The next address of a comma-separated list (mail_to) at *s, spaces
 * before it skipped: its start, its length in *n; *s moves past it.
 * NULL at the end. An empty item is returned, for the check to refuse.
 */
const char *cp_mailbox_next(const char **s, size_t *n);

/* The option called `name`, or NULL. */
const struct cp_option *cp_option_find(const char *name);
/* A close option name for a typo, or NULL. */
const char *cp_option_suggest(const char *name);
int cp_option_is_global(const struct cp_option *);
/* CP_FOR_FILE and/or CP_FOR_ENDPOINT; 0 for global options. */
unsigned cp_option_applies(const struct cp_option *);

/*
 * Validates `value` and stores it in `s` (check options) or `g` (global
 * ones). 0, or -1 with the reason in `err`, which quotes the value.
 */
int cp_option_set(const struct cp_option *, const char *value,
    struct cp_settings *s, struct cp_globals *g, char *err, size_t errlen);

void cp_settings_init(struct cp_settings *);
void cp_settings_free(struct cp_settings *);
/* A deep copy; -1 when out of memory. */
int cp_settings_copy(struct cp_settings *dst, const struct cp_settings *src);
/* Copies into `dst` every option given explicitly in `src`. */
int cp_settings_override(struct cp_settings *dst, const struct cp_settings *src);

void cp_globals_init(struct cp_globals *);
void cp_globals_free(struct cp_globals *);

#endif

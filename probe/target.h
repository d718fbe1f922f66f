/*
 * Targets: what a check looks at (SPEC section 2). The same syntax on the
 * command line and in the configuration.
 */
#ifndef CP_TARGET_H
#define CP_TARGET_H

#include <stddef.h>

struct cp_proto;

enum cp_target_kind {
	CP_TARGET_PATH,      /* a file or a directory (searched recursively) */
	CP_TARGET_GLOB,      /* a pattern that expands to paths */
	CP_TARGET_ENDPOINT,  /* PROTO://HOST[:PORT] */
};

struct cp_target {
	enum cp_target_kind kind;
	char *path;                    /* PATH, GLOB: file: prefix removed */
	const struct cp_proto *proto;  /* ENDPOINT: its protocol row */
	char *host;                    /* ENDPOINT: name or address, no brackets */
	unsigned port;                 /* ENDPOINT: given, or the default */
	char *url_path;                /* ENDPOINT https: "/path", or NULL */
};

/*
 * Parses a target. 0 on success; -1 with the reason in `err`. The result
 * owns its strings; cp_target_free releases them.
 */
int cp_target_parse(const char *text, struct cp_target *out, char *err,
    size_t errlen);
void cp_target_free(struct cp_target *);

/* Whether the target is about files (as opposed to a live endpoint). */
int cp_target_is_file(const struct cp_target *);

#endif

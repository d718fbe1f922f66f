/*
 * The protocols of SPEC section 2, one row each.
 *
 * This table is the only place that knows a scheme's name, default port
 * and how TLS starts on it; target parsing, the endpoint engine and the
 * documentation all read it.
 */
#ifndef CP_PROTO_H
#define CP_PROTO_H

#include <stddef.h>
#include <stdio.h>

struct cp_dialect;

struct cp_proto {
	const char *name;          /* scheme, lower case: "smtp" */
	unsigned default_port;     /* 0: the target must give one */
	const struct cp_dialect *dialect;  /* the way to TLS; NULL: at once */
	int http;                  /* through libcurl where a proxy applies */
};

/* The row for a scheme (case-insensitive), or NULL. */
const struct cp_proto *cp_proto_find(const char *name, size_t len);

/* Every row, for listing and "did you mean"; ends with a NULL name. */
extern const struct cp_proto cp_protos[];

/* The row of `name` (len bytes), or NULL with "unknown protocol 'x'
 * (did you mean 'y'?)" in err. */
const struct cp_proto *cp_proto_lookup(const char *name, size_t len,
    char *err, size_t errlen);

/* Prints " https smtp ..." (every protocol's name, each after a space),
 * for --help. */
void cp_protos_print(FILE *);

#endif

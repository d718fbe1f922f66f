/*
 * Resolving a host name without blocking the run: every address of the
 * name (A and AAAA) becomes a result of its own, and a resolver that
 * hangs is abandoned at the check's timeout.
 */
#ifndef CP_RESOLVE_H
#define CP_RESOLVE_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>

struct cp_addr {
	struct sockaddr_storage sa;
	socklen_t len;
	char text[INET6_ADDRSTRLEN];   /* "192.0.2.1", "2001:db8::1" */
};

struct cp_resolve;

/*
 * Starts resolving `host` for `port`, IPv4 and/or IPv6 (`family` 0, 4
 * or 6). An address literal is answered at once. NULL when memory runs
 * out.
 */
struct cp_resolve *cp_resolve_start(const char *host, unsigned port,
    int family);

/*
 * 0 while still resolving; 1 when done, with the addresses in *addrs
 * (the caller frees them); -1 when the name does not resolve, the reason
 * in `err`.
 */
int cp_resolve_check(struct cp_resolve *, struct cp_addr **addrs,
    size_t *n, char *err, size_t errlen);

/* Frees the request, or leaves it to the resolver thread if that still
 * runs (it cannot be stopped; it ends by itself). */
void cp_resolve_end(struct cp_resolve *);

/* Whether `host` is an IPv4 or IPv6 address literal. */
int cp_is_address(const char *host);

#endif

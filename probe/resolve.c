/* Asynchronous name resolution with glibc's getaddrinfo_a. */
#define _GNU_SOURCE     /* getaddrinfo_a */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

struct cp_resolve {
	struct gaicb cb;
	struct gaicb *list[1];
	struct addrinfo hints;
	char host[256];
	char port[8];
	int family;
	int sync_rc;            /* a literal's answer, or EAI_INPROGRESS */
};

int
cp_is_address(const char *host)
{
	unsigned char buf[16];

	return inet_pton(AF_INET, host, buf) == 1 ||
	    inet_pton(AF_INET6, host, buf) == 1;
}

struct cp_resolve *
cp_resolve_start(const char *host, unsigned port, int family)
{
	struct cp_resolve *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	snprintf(r->host, sizeof(r->host), "%s", host);
	snprintf(r->port, sizeof(r->port), "%u", port);
	r->family = family;
	r->hints.ai_family = family == 4 ? AF_INET : family == 6 ? AF_INET6 :
	    AF_UNSPEC;
	r->hints.ai_socktype = SOCK_STREAM;
	r->hints.ai_flags = AI_NUMERICSERV;
	r->cb.ar_name = r->host;
	r->cb.ar_service = r->port;
	r->cb.ar_request = &r->hints;
	r->list[0] = &r->cb;
	r->sync_rc = EAI_INPROGRESS;
	if (cp_is_address(host)) {
		/* Literals need no resolver thread. */
		r->hints.ai_flags |= AI_NUMERICHOST;
		r->sync_rc = getaddrinfo(r->host, r->port, &r->hints,
		    &r->cb.ar_result);
	} else if (getaddrinfo_a(GAI_NOWAIT, r->list, 1, NULL) != 0)
		r->sync_rc = EAI_SYSTEM;
	return r;
}

/* The addresses of `ai`, each once, in the resolver's order. */
static int
collect(const struct addrinfo *ai, struct cp_addr **out, size_t *n)
{
	const struct addrinfo *a;
	struct cp_addr *v;
	size_t cap = 0, i;

	for (a = ai; a != NULL; a = a->ai_next)
		cap++;
	if ((v = calloc(cap ? cap : 1, sizeof(*v))) == NULL)
		return -1;
	*n = 0;
	for (a = ai; a != NULL; a = a->ai_next) {
		struct cp_addr *c = &v[*n];

		if (a->ai_addrlen > sizeof(c->sa))
			continue;
		memcpy(&c->sa, a->ai_addr, a->ai_addrlen);
		c->len = a->ai_addrlen;
		getnameinfo(a->ai_addr, a->ai_addrlen, c->text,
		    sizeof(c->text), NULL, 0, NI_NUMERICHOST);
		for (i = 0; i < *n; i++)
			if (strcmp(v[i].text, c->text) == 0)
				break;
		if (i == *n)
			(*n)++;
	}
	*out = v;
	return 0;
}

int
cp_resolve_check(struct cp_resolve *r, struct cp_addr **addrs, size_t *n,
    char *err, size_t errlen)
{
	int rc = r->sync_rc != EAI_INPROGRESS ? r->sync_rc :
	    gai_error(&r->cb);
	const char *fam = r->family == 4 ? "IPv4 " : r->family == 6 ?
	    "IPv6 " : "";

	switch (rc) {
	case EAI_INPROGRESS:
		return 0;
	case 0:
		if (collect(r->cb.ar_result, addrs, n) == -1) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		return 1;
	case EAI_NONAME:
	case EAI_NODATA:
	case EAI_ADDRFAMILY:
		snprintf(err, errlen, "'%s' has no %saddress", r->host, fam);
		return -1;
	default:
		snprintf(err, errlen, "cannot resolve '%s': %s", r->host,
		    gai_strerror(rc));
		return -1;
	}
}

void
cp_resolve_end(struct cp_resolve *r)
{
	if (r == NULL)
		return;
	if (r->sync_rc == EAI_INPROGRESS && gai_error(&r->cb) ==
	    EAI_INPROGRESS && gai_cancel(&r->cb) == EAI_NOTCANCELED)
		return;     /* the thread still writes into it */
	if (r->cb.ar_result != NULL)
		freeaddrinfo(r->cb.ar_result);
	free(r);
}

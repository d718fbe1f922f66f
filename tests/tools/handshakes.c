/*
 * handshakes - the floor for the endpoint benchmark: TLS handshakes with
 * loopback ports, K at once, as any client makes them (the server's chain
 * verified with CAFILE, as a browser or curl would), nothing else: no
 * resolving, no chain kept, no report. What certprobe does on top of
 * this is its own cost.
 *
 *     handshakes [-j K] [-C CAFILE] PORT...
 *
 * Prints "N handshakes, F failed" and exits 1 if any failed.
 *
 * Build: gcc -std=gnu11 -O2 -o handshakes handshakes.c -lssl -lcrypto
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

struct hs {
	int fd;
	SSL *ssl;
	short events;
};

static int
start(SSL_CTX *ctx, struct hs *h, unsigned port)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (h->fd == -1 || (connect(h->fd, (struct sockaddr *)&sin,
	    sizeof(sin)) == -1 && errno != EINPROGRESS))
		return -1;
	if ((h->ssl = SSL_new(ctx)) == NULL || !SSL_set_fd(h->ssl, h->fd))
		return -1;
	SSL_set_connect_state(h->ssl);
	h->events = POLLOUT;
	return 0;
}

/* 1: done, 0: waiting, -1: failed. */
static int
step(struct hs *h)
{
	int rc = SSL_do_handshake(h->ssl);

	if (rc == 1)
		return 1;
	switch (SSL_get_error(h->ssl, rc)) {
	case SSL_ERROR_WANT_READ:
		h->events = POLLIN;
		return 0;
	case SSL_ERROR_WANT_WRITE:
		h->events = POLLOUT;
		return 0;
	default:
		return -1;
	}
}

static void
finish(struct hs *h)
{
	if (h->ssl != NULL)
		SSL_free(h->ssl);
	if (h->fd != -1)
		close(h->fd);
	memset(h, 0, sizeof(*h));
	h->fd = -1;
}

int
main(int argc, char **argv)
{
	struct hs *hs;
	struct pollfd *pfd;
	SSL_CTX *ctx;
	int k = 8, i, n, next, active = 0, failed = 0, argi = 1;

	const char *cafile = NULL;

	while (argi + 1 < argc && argv[argi][0] == '-') {
		if (strcmp(argv[argi], "-j") == 0)
			k = atoi(argv[argi + 1]);
		else if (strcmp(argv[argi], "-C") == 0)
			cafile = argv[argi + 1];
		else
			k = 0;
		argi += 2;
	}
	n = argc - argi;
	if (k < 1 || n < 1) {
		fprintf(stderr, "usage: handshakes [-j K] [-C CAFILE] PORT...\n");
		return 2;
	}
	ctx = SSL_CTX_new(TLS_client_method());
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (cafile != NULL) {
		if (!SSL_CTX_load_verify_locations(ctx, cafile, NULL)) {
			fprintf(stderr, "handshakes: cannot load %s\n", cafile);
			return 2;
		}
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	}
	hs = calloc((size_t)k, sizeof(*hs));
	pfd = calloc((size_t)k, sizeof(*pfd));
	for (i = 0; i < k; i++)
		hs[i].fd = -1;
	for (next = 0; next < n || active > 0;) {
		for (i = 0; i < k && next < n; i++) {
			if (hs[i].ssl != NULL || hs[i].fd != -1)
				continue;
			if (start(ctx, &hs[i], (unsigned)atoi(argv[argi +
			    next++])) == -1) {
				failed++;
				finish(&hs[i]);
				continue;
			}
			active++;
		}
		for (i = 0; i < k; i++) {
			pfd[i].fd = hs[i].fd;
			pfd[i].events = hs[i].events;
			pfd[i].revents = 0;
		}
		if (poll(pfd, (nfds_t)k, 10000) <= 0)
			break;
		for (i = 0; i < k; i++) {
			if (pfd[i].revents == 0 || hs[i].ssl == NULL)
				continue;
			switch (step(&hs[i])) {
			case -1:
				failed++;
				/* FALLTHROUGH */
			case 1:
				finish(&hs[i]);
				active--;
			}
		}
	}
	printf("%d handshakes, %d failed\n", n, failed + active);
	SSL_CTX_free(ctx);
	free(hs);
	free(pfd);
	return failed + active ? 1 : 0;
}

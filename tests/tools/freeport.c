/*
 * freeport - print TCP ports free on loopback, for test daemons.
 *
 *     freeport [N]
 *
 * Prints N (default 1) distinct ports, one a line, each of which the
 * kernel handed out for 127.0.0.1 and that is also free on ::1 where
 * IPv6 exists, so a test can listen on both addresses with one port.
 * The sockets are closed before exit; the small race with other
 * programs is acceptable for a test suite.
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -O2 -o freeport freeport.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXPORTS 2048

/* Binds `fd` to loopback:port (0: any); the port bound, or 0. */
static unsigned
bind_loopback(int family, unsigned port, int *fd)
{
	struct sockaddr_storage ss;
	socklen_t len;

	memset(&ss, 0, sizeof(ss));
	if ((*fd = socket(family, SOCK_STREAM, 0)) == -1)
		return 0;
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((unsigned short)port);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((unsigned short)port);
		in6->sin6_addr = in6addr_loopback;
		len = sizeof(*in6);
	}
	if (bind(*fd, (struct sockaddr *)&ss, len) == -1 ||
	    getsockname(*fd, (struct sockaddr *)&ss, &len) == -1)
		return 0;
	return ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	    : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

int
main(int argc, char **argv)
{
	static int fds[MAXPORTS * 2];
	struct rlimit rl;
	int n = argc > 1 ? atoi(argv[1]) : 1, got = 0, nfd = 0, tries = 0;

	if (n < 1 || n > MAXPORTS) {
		fprintf(stderr, "usage: freeport [N], N from 1 to %d\n",
		    MAXPORTS);
		return 2;
	}
	/* Every port is held open until all are chosen: room for them. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	while (got < n && tries++ < 4 * n + 100 && nfd < MAXPORTS * 2 - 2) {
		int fd4, fd6;
		unsigned port = bind_loopback(AF_INET, 0, &fd4);

		if (port == 0) {
			perror("freeport: bind 127.0.0.1");
			return 1;
		}
		fds[nfd++] = fd4;
		/* Kept open either way, so the kernel hands out another. */
		if (bind_loopback(AF_INET6, port, &fd6) == 0 &&
		    errno == EADDRINUSE) {
			if (fd6 != -1)
				close(fd6);
			continue;
		}
		if (fd6 != -1)
			fds[nfd++] = fd6;
		printf("%u\n", port);
		got++;
	}
	while (nfd > 0)
		close(fds[--nfd]);
	return got == n ? 0 : 1;
}

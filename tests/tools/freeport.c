/*
 * freeport - print TCP ports free on loopback, for test daemons.
 *
 *     freeport [N]
 *
 * Prints N (default 1) distinct ports, one a line, each free on
 * 127.0.0.1 and on ::1 where IPv6 exists, so that a test can listen on
 * both addresses with one port.
 *
 * Two races made daemons fail to start ("Address already in use") when
 * tests ran side by side, and each has its answer:
 *  - a port the kernel hands out for bind(port 0) comes from the
 *    ephemeral range, where every outgoing connection of every test also
 *    takes its local port: ports are chosen below that range
 *    (/proc/sys/net/ipv4/ip_local_port_range);
 *  - two tests asking at once could be given the same port: the ports
 *    given out are kept for ten minutes in a registry, under a lock,
 *    and not given again ($FREEPORT_REGISTRY, else
 *    $TMPDIR/certprobe-freeport-UID).
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -O2 -o freeport freeport.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXPORTS 2048
#define LOWEST 10000            /* below: well-known services' ports */
#define KEEP_SECONDS 600        /* how long a given port stays given */
#define REGISTRY_MAX 32768     /* more than there are ports to give */

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

/* The first port of the ephemeral range: ports from there are not ours. */
static unsigned
ephemeral_low(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	unsigned low = 32768;

	if (f != NULL) {
		if (fscanf(f, "%u", &low) != 1)
			low = 32768;
		fclose(f);
	}
	return low;
}

/* Whether `port` binds on 127.0.0.1 and, where IPv6 exists, on ::1. */
static int
bindable(unsigned port)
{
	int fd4 = -1, fd6 = -1, ok;

	ok = bind_loopback(AF_INET, port, &fd4) == port;
	if (ok && bind_loopback(AF_INET6, port, &fd6) != port &&
	    errno == EADDRINUSE)
		ok = 0;
	if (fd4 != -1)
		close(fd4);
	if (fd6 != -1)
		close(fd6);
	return ok;
}

struct registry {
	unsigned port[REGISTRY_MAX];
	long long when[REGISTRY_MAX];
	size_t n;
};

/* Reads the ports given out within KEEP_SECONDS. */
static void
registry_read(int fd, struct registry *r, long long now)
{
	FILE *f = fdopen(dup(fd), "r");
	unsigned port;
	long long when;

	r->n = 0;
	if (f == NULL)
		return;
	while (r->n < REGISTRY_MAX && fscanf(f, "%u %lld", &port, &when) == 2)
		if (now - when < KEEP_SECONDS) {
			r->port[r->n] = port;
			r->when[r->n++] = when;
		}
	fclose(f);
}

static int
registry_has(const struct registry *r, unsigned port)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->port[i] == port)
			return 1;
	return 0;
}

/* Writes the registry back, the new ports with it. */
static int
registry_write(int fd, const struct registry *r)
{
	FILE *f;
	size_t i;

	if (ftruncate(fd, 0) == -1 || lseek(fd, 0, SEEK_SET) == -1 ||
	    (f = fdopen(dup(fd), "w")) == NULL)
		return -1;
	for (i = 0; i < r->n; i++)
		fprintf(f, "%u %lld\n", r->port[i], r->when[i]);
	return fclose(f) == 0 ? 0 : -1;
}

/* Chooses n ports, from a random place in [LOWEST, low): printed, and
 * added to the registry. */
static int
choose(struct registry *r, int n, long long now)
{
	unsigned low = ephemeral_low(), span, start, i, port;
	int got = 0;

	if (low <= LOWEST + (unsigned)n)
		return -1;
	span = low - LOWEST;
	start = (unsigned)random() % span;
	for (i = 0; i < span && got < n && r->n < REGISTRY_MAX; i++) {
		port = LOWEST + (start + i) % span;
		if (registry_has(r, port) || !bindable(port))
			continue;
		r->port[r->n] = port;
		r->when[r->n++] = now;
		printf("%u\n", port);
		got++;
	}
	return got == n ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static struct registry r;
	const char *path = getenv("FREEPORT_REGISTRY"), *tmp = getenv("TMPDIR");
	char buf[4096];
	long long now = (long long)time(NULL);
	int n = argc > 1 ? atoi(argv[1]) : 1, fd, rc = 1;

	if (n < 1 || n > MAXPORTS) {
		fprintf(stderr, "usage: freeport [N], N from 1 to %d\n",
		    MAXPORTS);
		return 2;
	}
	if (path == NULL || *path == '\0') {
		snprintf(buf, sizeof(buf), "%s/certprobe-freeport-%u",
		    tmp != NULL && *tmp != '\0' ? tmp : "/tmp",
		    (unsigned)getuid());
		path = buf;
	}
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1 ||
	    flock(fd, LOCK_EX) == -1) {
		fprintf(stderr, "freeport: %s: %s\n", path, strerror(errno));
		return 1;
	}
	srandom((unsigned)getpid() ^ (unsigned)now);
	registry_read(fd, &r, now);
	if (choose(&r, n, now) == 0 && registry_write(fd, &r) == 0)
		rc = 0;
	else
		fprintf(stderr, "freeport: cannot find %d free ports\n", n);
	close(fd);
	return rc;
}

/* Target syntax: paths, globs, file:PATH and PROTO://HOST[:PORT]. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "proto.h"
#include "target.h"

void
cp_target_free(struct cp_target *t)
{
	free(t->path);
	free(t->host);
	free(t->url_path);
	t->path = t->host = t->url_path = NULL;
}

int
cp_target_is_file(const struct cp_target *t)
{
	return t->kind != CP_TARGET_ENDPOINT;
}

/* Length of a URL scheme at the start of `s` followed by "://", or 0. */
static size_t
scheme_len(const char *s)
{
	size_t i = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
	    s[i] == '.')
		i++;
	return strncmp(s + i, "://", 3) == 0 ? i : 0;
}

static int
parse_port(const char *s, unsigned *out)
{
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || v == 0 || v > 65535)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* A host name: letters, digits, '-', '_', '.'; not empty, not too long. */
static int
valid_hostname(const char *h)
{
	size_t i, n = strlen(h);

	if (n == 0 || n > 253)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)h[i]) && h[i] != '-' &&
		    h[i] != '.' && h[i] != '_')
			return 0;
	}
	return 1;
}

/* Splits "HOST[:PORT]" or "[V6][:PORT]" of an endpoint into the target. */
static int
parse_authority(char *auth, struct cp_target *t, char *err, size_t errlen)
{
	struct in6_addr a6;
	char *host = auth, *port = NULL, *close;

	if (auth[0] == '[') {
		if ((close = strchr(auth, ']')) == NULL) {
			snprintf(err, errlen, "missing ']' after IPv6 address");
			return -1;
		}
		*close = '\0';
		host = auth + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0') {
			snprintf(err, errlen, "unexpected text after ']'");
			return -1;
		}
		if (inet_pton(AF_INET6, host, &a6) != 1) {
			snprintf(err, errlen, "'%s' is not an IPv6 address", host);
			return -1;
		}
	} else {
		if ((port = strchr(auth, ':')) != NULL) {
			*port++ = '\0';
			if (strchr(port, ':') != NULL) {
				snprintf(err, errlen, "an IPv6 address must be in "
				    "brackets: [%s:%s]", host, port);
				return -1;
			}
		}
		if (!valid_hostname(host)) {
			snprintf(err, errlen, "'%s' is not a host name or address",
			    host);
			return -1;
		}
	}
	if (port != NULL && parse_port(port, &t->port) == -1) {
		snprintf(err, errlen, "'%s' is not a port (1 to 65535)", port);
		return -1;
	}
	if ((t->host = strdup(host)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

static int
parse_endpoint(const char *text, size_t slen, struct cp_target *t, char *err,
    size_t errlen)
{
	char *auth = NULL, *slash;
	int rc = -1;

	if ((t->proto = cp_proto_lookup(text, slen, err, errlen)) == NULL)
		goto out;
	t->kind = CP_TARGET_ENDPOINT;
	t->port = t->proto->default_port;
	if ((auth = strdup(text + slen + 3)) == NULL)
		goto oom;
	if ((slash = strchr(auth, '/')) != NULL) {
		if (!t->proto->http) {
			snprintf(err, errlen, "%s endpoints take no path",
			    t->proto->name);
			goto out;
		}
		if ((t->url_path = strdup(slash)) == NULL)
			goto oom;
		*slash = '\0';
	}
	if (parse_authority(auth, t, err, errlen) == -1)
		goto out;
	if (t->port == 0) {
		snprintf(err, errlen, "%s needs a port: %s://HOST:PORT",
		    t->proto->name, t->proto->name);
		goto out;
	}
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	free(auth);
	return rc;
}

/* "smtp:/host" or "smtp:host", a URL missing a slash, is not a file of
 * that name that does not exist: 1 with the fix in `err`, unless there
 * is such a file (file: forces a path). */
static int
one_slash(const char *text, char *err, size_t errlen)
{
	size_t n = strspn(text, "abcdefghijklmnopqrstuvwxyz0123456789");
	const char *host = text + n + 1;
	struct stat st;

	if (n == 0 || text[n] != ':' || cp_proto_find(text, n) == NULL ||
	    lstat(text, &st) == 0)
		return 0;
	host += strspn(host, "/");
	snprintf(err, errlen, "neither a file nor a URL (did you mean "
	    "'%.*s://%s'?)", (int)n, text, host);
	return 1;
}

int
cp_target_parse(const char *text, struct cp_target *t, char *err,
    size_t errlen)
{
	struct stat st;
	const char *path = text;
	size_t slen;

	memset(t, 0, sizeof(*t));
	if (strncmp(text, "file:", 5) == 0)
		path = text + 5;
	else if ((slen = scheme_len(text)) > 0) {
		if (parse_endpoint(text, slen, t, err, errlen) == 0)
			return 0;
		cp_target_free(t);
		return -1;
	}
	if (*path == '\0') {
		snprintf(err, errlen, "empty path");
		return -1;
	}
	if (path == text && one_slash(text, err, errlen))
		return -1;
	/* A path that exists is taken literally, even with glob characters. */
	t->kind = (strpbrk(path, "*?[") != NULL && lstat(path, &st) == -1) ?
	    CP_TARGET_GLOB : CP_TARGET_PATH;
	if ((t->path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

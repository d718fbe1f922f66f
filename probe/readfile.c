/* Bounded whole-file reads. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "buf.h"
#include "readfile.h"

void
cp_load_fail(struct cp_load_error *err, enum cp_fail f, const char *fmt, ...)
{
	va_list ap;

	if (err->fail != CP_FAIL_NONE)
		return;
	err->fail = f;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

const char *
cp_errno_text(int e)
{
	switch (e) {
	case ENOENT:
		return "no such file or directory (or a broken symbolic link)";
	case ELOOP:
		return "too many levels of symbolic links (a link loop?)";
	case EACCES:
		return "permission denied";
	default:
		return strerror(e);
	}
}

/* Reads from `fd` until end of file, keeping under `max` bytes. */
static int
read_all(int fd, struct cp_buf *into, size_t max, struct cp_load_error *err)
{
	ssize_t n;

	for (;;) {
		/* The file may grow while read: the ceiling still holds. */
		if (into->cap - into->len < 2 && cp_buf_reserve(into,
		    into->len + 4096 <= max ? 4096 : max - into->len + 1) == -1)
			break;
		n = read(fd, into->data + into->len, into->cap - into->len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			cp_load_fail(err, CP_FAIL_FILE, "%s", cp_errno_text(errno));
			return -1;
		}
		if (n == 0) {
			into->data[into->len] = '\0';
			return 0;
		}
		into->len += (size_t)n;
		if (into->len > max)
			break;
	}
	cp_load_fail(err, CP_FAIL_FILE, "larger than %zu MiB, refused",
	    max >> 20);
	return -1;
}

int
cp_read_file(const char *path, struct cp_buf *into, size_t max,
    struct cp_load_error *err)
{
	struct stat st;
	int fd, rc = -1;

	cp_buf_reset(into);
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1) {
		cp_load_fail(err, CP_FAIL_FILE, "%s", cp_errno_text(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1)
		cp_load_fail(err, CP_FAIL_FILE, "%s", cp_errno_text(errno));
	else if (S_ISDIR(st.st_mode))
		cp_load_fail(err, CP_FAIL_FILE, "is a directory");
	else if (!S_ISREG(st.st_mode))
		cp_load_fail(err, CP_FAIL_FILE, "not a regular file");
	else if ((uintmax_t)st.st_size > max)
		cp_load_fail(err, CP_FAIL_FILE, "larger than %zu MiB, refused",
		    max >> 20);
	else if (cp_buf_reserve(into, (size_t)st.st_size + 1) == -1)
		cp_load_fail(err, CP_FAIL_INTERNAL, "out of memory");
	else
		rc = read_all(fd, into, max, err);
	close(fd);
	return rc;
}

int
cp_read_secret(const char *path, char *out, size_t outlen,
    struct cp_load_error *err)
{
	struct cp_buf b;
	int rc = -1;

	cp_buf_init(&b, CP_PASSWORD_MAX);
	if (cp_read_file(path, &b, CP_PASSWORD_MAX, err) == -1)
		goto out;
	while (b.len > 0 && (b.data[b.len - 1] == '\n' ||
	    b.data[b.len - 1] == '\r'))
		b.data[--b.len] = '\0';
	if (b.len >= outlen || memchr(b.data, '\0', b.len) != NULL ||
	    memchr(b.data, '\n', b.len) != NULL) {
		cp_load_fail(err, CP_FAIL_FILE, "must hold one line of at most "
		    "%zu bytes", outlen - 1);
		goto out;
	}
	memcpy(out, b.data, b.len + 1);
	rc = 0;
out:
	if (b.data != NULL)
		OPENSSL_cleanse(b.data, b.cap);
	cp_buf_free(&b);
	return rc;
}

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

/*
 * Reads from `fd` until end of file, keeping under `max` bytes. `size`
 * (from fstat) lets an unchanged file be read in one call: asking for one
 * byte more than it holds, a short read that ends at `size` is its end.
 */
/* The ceiling in the unit it was chosen in: 16 MiB, or 1024 bytes. */
static void
too_large(struct cp_load_error *err, size_t max)
{
	if (max >= (1u << 20) && max % (1u << 20) == 0)
		cp_load_fail(err, CP_FAIL_FILE, "larger than %zu MiB, refused",
		    max >> 20);
	else
		cp_load_fail(err, CP_FAIL_FILE, "larger than %zu bytes, refused",
		    max);
}

static int
read_all(int fd, size_t size, struct cp_buf *into, size_t max,
    struct cp_load_error *err)
{
	size_t room;
	ssize_t n;

	for (;;) {
		room = into->len <= size ? size - into->len + 1 : 4096;
		if (room > max + 1 - into->len)
			room = max + 1 - into->len;
		if (cp_buf_reserve(into, room) == -1) {
			cp_load_fail(err, CP_FAIL_INTERNAL, "out of memory");
			return -1;
		}
		n = read(fd, into->data + into->len, room);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			cp_load_fail(err, CP_FAIL_FILE, "%s", cp_errno_text(errno));
			return -1;
		}
		into->len += (size_t)n;
		into->data[into->len] = '\0';
		if (into->len > max) {
			too_large(err, max);
			return -1;
		}
		if (n == 0 || ((size_t)n < room && into->len == size))
			return 0;
	}
}

int
cp_read_fd(int fd, const struct stat *st, struct cp_buf *into, size_t max,
    struct cp_load_error *err)
{
	cp_buf_reset(into);
	if (S_ISDIR(st->st_mode))
		cp_load_fail(err, CP_FAIL_FILE, "is a directory");
	else if (!S_ISREG(st->st_mode))
		cp_load_fail(err, CP_FAIL_FILE, "not a regular file");
	else if ((uintmax_t)st->st_size > max)
		too_large(err, max);
	else
		return read_all(fd, (size_t)st->st_size, into, max, err);
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
	else
		rc = cp_read_fd(fd, &st, into, max, err);
	close(fd);
	return rc;
}

int
cp_read_secret(const char *path, char *out, size_t outlen,
    struct cp_load_error *err)
{
	struct cp_buf b;
	int rc = -1;

	cp_buf_init(&b, CP_PASSWORD_MAX + 1);
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

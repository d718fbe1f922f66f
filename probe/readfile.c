/* Bounded whole-file reads. */
#define _GNU_SOURCE     /* O_PATH */
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

/* A file is read without blocking and never becomes our terminal. */
#define READ_FLAGS (O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)

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

const char *
cp_file_type_text(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	if (S_ISSOCK(m))
		return "a socket";
	return "neither a file nor a directory";
}

/* The same file as `st`, open for reading by its path again: where /proc
 * is not mounted, or where the descriptors left allow one file only.
 * Refused, ESTALE, unless it is still the file that was examined. */
static int
open_again(int dirfd, const char *path, const struct stat *st)
{
	struct stat now;
	int fd, e;

	if ((fd = openat(dirfd, path, READ_FLAGS)) == -1)
		return -1;
	if (fstat(fd, &now) == -1 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino) {
		e = errno;
		close(fd);
		errno = e != 0 ? e : ESTALE;
		return -1;
	}
	return fd;
}

/* The file behind `pathfd` (an O_PATH descriptor, which it closes),
 * opened for reading through /proc, which names that very file. */
static int
reopen(int pathfd, int dirfd, const char *path, const struct stat *st)
{
	char self[64];
	int fd, e;

	snprintf(self, sizeof(self), "/proc/self/fd/%d", pathfd);
	fd = open(self, READ_FLAGS);
	e = errno;
	close(pathfd);
	if (fd != -1)
		return fd;
	if (e == EMFILE || e == ENFILE || (e == ENOENT &&
	    access("/proc/self/fd", F_OK) == -1))
		return open_again(dirfd, path, st);
	errno = e;
	return -1;
}

int
cp_open_file(int dirfd, const char *path, struct stat *st,
    struct cp_load_error *err)
{
	int pathfd, fd = -1, e = 0;

	if ((pathfd = openat(dirfd, path, O_PATH | O_CLOEXEC)) == -1 ||
	    fstat(pathfd, st) == -1) {
		e = errno;
		cp_load_fail(err, CP_FAIL_FILE, "%s", cp_errno_text(e));
	} else if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode))
		cp_load_fail(err, CP_FAIL_FILE, "not a regular file (%s)",
		    cp_file_type_text(st->st_mode));
	else {
		fd = reopen(pathfd, dirfd, path, st);
		pathfd = -1;
		if (fd == -1) {
			e = errno;
			cp_load_fail(err, CP_FAIL_FILE, "%s", e == ESTALE ?
			    "changed while it was being opened" :
			    cp_errno_text(e));
		}
	}
	if (pathfd != -1)
		close(pathfd);
	errno = e;
	return fd;
}

int
cp_read_fd(int fd, const struct stat *st, struct cp_buf *into, size_t max,
    struct cp_load_error *err)
{
	cp_buf_reset(into);
	if (S_ISDIR(st->st_mode))
		cp_load_fail(err, CP_FAIL_FILE, "is a directory");
	else if (!S_ISREG(st->st_mode))
		cp_load_fail(err, CP_FAIL_FILE, "not a regular file (%s)",
		    cp_file_type_text(st->st_mode));
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
	if ((fd = cp_open_file(AT_FDCWD, path, &st, err)) == -1)
		return -1;
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

/*
 * Reading a whole file with a ceiling: certificates, keys, configuration
 * and password files all come in through here, so none of them can block
 * on a FIFO, grow without bound or be something other than a file.
 */
#ifndef CP_READFILE_H
#define CP_READFILE_H

#include <stddef.h>
#include <sys/stat.h>

#include "bounds.h"
#include "state.h"

struct cp_buf;

/* What went wrong with a file, if anything. */
struct cp_load_error {
	enum cp_fail fail;             /* CP_FAIL_NONE when all went well */
	char msg[CP_ERROR_MAX];        /* what, without the file name */
};

/*
 * Opens `path` (relative to `dirfd`, or AT_FDCWD) for reading when it is
 * a regular file or a directory, its status in *st. Anything else (a
 * FIFO, a device, a socket) is never opened for reading: that could
 * block, release a writer waiting on a FIFO, or act on a device. The
 * path is resolved once, the type read off that descriptor, and the
 * same file reopened through it: no window between check and open.
 * The descriptor, or -1 with the reason in `err` (CP_FAIL_FILE) and
 * errno the system's (0 for a file refused for its type).
 */
int cp_open_file(int dirfd, const char *path, struct stat *st,
    struct cp_load_error *err);

/* "a FIFO", "a character device", ...: what a file that is neither a
 * regular file nor a directory is, in words. */
const char *cp_file_type_text(mode_t);

/*
 * Replaces the content of `into` with the file's bytes. Refuses what is
 * not a regular file and files over `max` bytes. 0, or -1 with `err`
 * (CP_FAIL_FILE, or CP_FAIL_INTERNAL when memory runs out).
 */
int cp_read_file(const char *path, struct cp_buf *into, size_t max,
    struct cp_load_error *err);

/*
 * The same for a file already open on `fd`, whose status is `st` (the
 * walk opens each file once). The caller keeps and closes `fd`.
 */
int cp_read_fd(int fd, const struct stat *st, struct cp_buf *into,
    size_t max, struct cp_load_error *err);

/* Records the first problem; later ones add nothing. */
void cp_load_fail(struct cp_load_error *, enum cp_fail, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* strerror, with clearer words for the errors users meet here. */
const char *cp_errno_text(int);

/*
 * Reads a one-line secret (a password_file) into `out`, without its line
 * end, and wipes every other copy. 0, or -1 with the reason in `err`.
 */
int cp_read_secret(const char *path, char *out, size_t outlen,
    struct cp_load_error *err);

#endif

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

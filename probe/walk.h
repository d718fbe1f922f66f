/*
 * Expanding a file target into the files it names (SPEC sections 2, 4):
 * a file, a directory searched recursively, or a glob. Symlinks are
 * followed (the letsencrypt live/ tree is links) and directory loops are
 * not. Every path that cannot be reached is reported, not dropped.
 *
 * The walk opens each file once and hands over the descriptor, so that a
 * file costs one path lookup: ten thousand files are mostly syscalls.
 */
#ifndef CP_WALK_H
#define CP_WALK_H

#include <sys/stat.h>

#include "target.h"

/*
 * Called once per file, in a stable order (sorted within each directory).
 * `fd` is the file, open for reading (the walk closes it afterwards), and
 * `st` its status; or `fd` is -1 and `error` says why the path cannot be
 * reached. `named` is 1 for a path named on purpose (or matched by a
 * glob), 0 for one found by a directory search. Returns 0 to go on, -1 to
 * stop the walk.
 */
typedef int (*cp_walk_cb)(void *arg, const char *path, int fd,
    const struct stat *st, int named, const char *error);

/* Walks a PATH or GLOB target. 0, or -1 if the callback stopped it. */
int cp_walk(const struct cp_target *, cp_walk_cb cb, void *arg);

#endif

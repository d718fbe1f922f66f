/*
 * Expanding a file target into the files it names (SPEC sections 2, 4):
 * a file, a directory searched recursively, or a glob. Symlinks are
 * followed (the letsencrypt live/ tree is links) and directory loops are
 * not. Every path that cannot be reached is reported, not dropped.
 */
#ifndef CP_WALK_H
#define CP_WALK_H

#include "target.h"

/*
 * Called once per file in a stable order (sorted within each directory).
 * `named` is 1 for a path named on purpose (or matched by a glob), 0 for
 * one found by a directory search. `error` is NULL, or why the path
 * cannot be reached. Returns 0 to go on, -1 to stop the walk.
 */
typedef int (*cp_walk_cb)(void *arg, const char *path, int named,
    const char *error);

/* Walks a PATH or GLOB target. 0, or -1 if the callback stopped it or
 * memory ran out (reported through the callback as an error). */
int cp_walk(const struct cp_target *, cp_walk_cb cb, void *arg);

#endif

/*
 * Directory listings in a stable order, so that a run over a tree or a
 * checks.d directory reads the same way every time.
 */
#ifndef CP_DIRLIST_H
#define CP_DIRLIST_H

#include <dirent.h>
#include <stddef.h>

/*
 * The entries of an open directory, sorted by name, "." and ".." left
 * out; with `pattern`, only those fnmatch(3) matches, a leading dot only
 * when the pattern has one (as the shell does). NULL with *err set on
 * failure; an empty listing is not NULL.
 */
char **cp_dir_list(DIR *, const char *pattern, size_t *count, int *err);
void cp_dir_list_free(char **, size_t count);

#endif

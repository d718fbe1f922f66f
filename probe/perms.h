/*
 * Who may change what the probe reads. A configuration holds renew=
 * commands that run with the probe's privileges, so a file or directory
 * of it that someone else can write is refused, as sshd's StrictModes
 * refuses an authorized_keys file. A secret that others can read is
 * still used, with a warning: refusing it would stop the checks and
 * protect nothing already exposed.
 */
#ifndef CP_PERMS_H
#define CP_PERMS_H

#include <stddef.h>
#include <sys/stat.h>

/*
 * Whether the file or directory of status `st` can be changed only by
 * root or the user running the probe: owned by one of them, and writable
 * by neither group nor others. 1 when it is; 0 with the reason and the
 * fix for `path` in `why` ("writable by group and others (mode 0666,
 * owner root): chmod go-w PATH").
 */
int cp_perms_trusted(const char *path, const struct stat *st, char *why,
    size_t len);

/*
 * The same for every directory above `path` (resolved through its
 * links), up to /. A world-writable directory with the sticky bit
 * (/tmp) passes: nobody else can rename or remove what is ours in it.
 * 1, or 0 with the first directory that fails and why.
 */
int cp_perms_dirs_trusted(const char *path, char *why, size_t len);

/*
 * Whether the secret at `path` can be read by group or others. 1 with the
 * mode and the fix in `why`; 0 when it cannot (or cannot be examined:
 * reading it will say why).
 */
int cp_perms_exposed(const char *path, char *why, size_t len);

#endif

/* Ownership and mode rules for what the probe reads (see perms.h). */
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "perms.h"

/* "root", or the uid where no user has it. */
static void
owner_name(uid_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw != NULL && pw->pw_name != NULL)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "uid %lu", (unsigned long)uid);
}

/* "group", "others" or "group and others": who `bits` let in. */
static const char *
who(mode_t m, mode_t grp, mode_t oth)
{
	if ((m & grp) && (m & oth))
		return "group and others";
	return (m & grp) ? "group" : "others";
}

int
cp_perms_trusted(const char *path, const struct stat *st, char *why,
    size_t len)
{
	char owner[64];
	uid_t me = geteuid();
	unsigned mode = (unsigned)(st->st_mode & 07777);

	owner_name(st->st_uid, owner, sizeof(owner));
	if (st->st_uid != 0 && st->st_uid != me) {
		snprintf(why, len, "owned by %s, neither root nor the user "
		    "running the probe (mode %04o): chown root %s", owner,
		    mode, path);
		return 0;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, len, "writable by %s (mode %04o, owner %s): "
		    "chmod go-w %s", who(st->st_mode, S_IWGRP, S_IWOTH), mode,
		    owner, path);
		return 0;
	}
	return 1;
}

/* A directory that is world-writable but sticky is safe for what we
 * own in it; the entry below it is checked on its own. */
static int
dir_trusted(const char *dir, char *why, size_t len)
{
	struct stat st;

	if (stat(dir, &st) == -1)
		return 1;
	if ((st.st_mode & S_ISVTX) && st.st_uid == 0)
		return 1;
	return cp_perms_trusted(dir, &st, why, len);
}

int
cp_perms_dirs_trusted(const char *path, char *why, size_t len)
{
	char *real = realpath(path, NULL), *slash;
	char reason[512];
	int ok = 1;

	/* A path that cannot be resolved is not read either: reading it
	 * says why. */
	if (real == NULL)
		return 1;
	while (ok && (slash = strrchr(real, '/')) != NULL) {
		*(slash == real ? slash + 1 : slash) = '\0';
		ok = dir_trusted(real, reason, sizeof(reason));
		if (slash == real)
			break;
	}
	if (!ok)
		snprintf(why, len, "its directory is %s", reason);
	free(real);
	return ok;
}

int
cp_perms_exposed(const char *path, char *why, size_t len)
{
	struct stat st;

	if (stat(path, &st) == -1 || !S_ISREG(st.st_mode) ||
	    !(st.st_mode & (S_IRGRP | S_IROTH)))
		return 0;
	snprintf(why, len, "readable by %s (mode %04o): chmod go-r %s",
	    who(st.st_mode, S_IRGRP, S_IROTH), (unsigned)(st.st_mode & 07777),
	    path);
	return 1;
}

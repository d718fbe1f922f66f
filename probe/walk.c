/* Target expansion: files, recursive directories and globs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bounds.h"
#include "buf.h"
#include "dirlist.h"
#include "readfile.h"
#include "walk.h"

struct walk {
	cp_walk_cb cb;
	void *arg;
	struct { dev_t dev; ino_t ino; } open[CP_DIR_DEPTH_MAX]; /* ancestors */
	int depth;                /* directories on the stack */
	int stopped;              /* the callback asked to stop */
	size_t found;             /* paths handed over */
};

static int
report(struct walk *w, const char *path, int fd, const struct stat *st,
    int named, const char *error)
{
	if (w->stopped)
		return -1;
	w->found++;
	if (w->cb(w->arg, path, fd, st, named, error) == -1)
		w->stopped = 1;
	return w->stopped ? -1 : 0;
}

static int
report_error(struct walk *w, const char *path, int named, const char *error)
{
	return report(w, path, -1, NULL, named, error);
}

/* "dir" + "/" + "name", without doubling a trailing slash. */
static int
join(struct cp_buf *b, const char *dir, const char *name)
{
	cp_buf_reset(b);
	if (cp_buf_addstr(b, dir) == -1)
		return -1;
	if (b->len > 0 && b->data[b->len - 1] != '/' && cp_buf_addc(b, '/') == -1)
		return -1;
	return cp_buf_addstr(b, name);
}

static int walk_opened(struct walk *, const char *, int fd,
    const struct stat *, int named);

/*
 * One entry of a directory being searched. Regular files and directories
 * are opened by name relative to the directory; links are followed;
 * what is neither a file nor a directory (FIFOs, sockets, devices) is
 * passed over without being opened for reading, since that could block
 * or act.
 */
static int
walk_entry(struct walk *w, int dirfd, const char *name, const char *path)
{
	struct cp_load_error err = { CP_FAIL_NONE, "" };
	struct stat st;
	int fd;

	if ((fd = cp_open_file(dirfd, name, &st, &err)) != -1)
		return walk_opened(w, path, fd, &st, 0);
	if (errno == 0)
		return 0;
	return report_error(w, path, 0, err.msg);
}

/* Searches the directory open on `fd` (which it takes over), refusing
 * loops. */
static int
walk_dir(struct walk *w, const char *path, int fd, const struct stat *st,
    int named)
{
	struct cp_buf child;
	char **names = NULL;
	size_t n = 0, i;
	DIR *d = NULL;
	int k, err = 0, rc = 0;

	for (k = 0; k < w->depth; k++) {
		if (w->open[k].dev == st->st_dev && w->open[k].ino == st->st_ino) {
			close(fd);
			return report_error(w, path, named, "directory loop: a "
			    "link leads back to a directory being searched");
		}
	}
	if (w->depth == CP_DIR_DEPTH_MAX) {
		close(fd);
		return report_error(w, path, named, "directories nested too deep");
	}
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return report_error(w, path, named, cp_errno_text(errno));
	}
	if ((names = cp_dir_list(d, NULL, &n, &err)) == NULL) {
		closedir(d);
		return report_error(w, path, named, cp_errno_text(err));
	}
	w->open[w->depth].dev = st->st_dev;
	w->open[w->depth].ino = st->st_ino;
	w->depth++;
	cp_buf_init(&child, 4096);
	for (i = 0; i < n && rc == 0; i++) {
		if (join(&child, path, names[i]) == -1)
			rc = report_error(w, path, named, "path too long");
		else
			rc = walk_entry(w, dirfd(d), names[i], child.data);
	}
	w->depth--;
	cp_buf_free(&child);
	cp_dir_list_free(names, n);
	closedir(d);
	return rc;
}

/* What an open path is: a directory is searched, a file handed over. */
static int
walk_opened(struct walk *w, const char *path, int fd, const struct stat *st,
    int named)
{
	int rc;

	if (S_ISDIR(st->st_mode))
		return walk_dir(w, path, fd, st, named);
	rc = report(w, path, fd, st, named, NULL);
	close(fd);
	return rc;
}

/* A path named on purpose. In a glob, a path that does not exist is just
 * no match, but a link that exists and leads nowhere (a renewal that
 * removed its target) is reported, like everything else that stops it. */
static int
walk_named(struct walk *w, const char *path, int in_glob)
{
	struct cp_load_error err = { CP_FAIL_NONE, "" };
	struct stat st;
	int fd, e;

	if ((fd = cp_open_file(AT_FDCWD, path, &st, &err)) != -1)
		return walk_opened(w, path, fd, &st, 1);
	e = errno;
	if (in_glob && (e == ENOENT || e == ENOTDIR) && lstat(path, &st) == -1)
		return 0;
	return report_error(w, path, 1, err.msg);
}

static int
has_magic(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || s[i] == '[' || s[i] == '\\')
			return 1;
	return 0;
}

/*
 * Expands `rest` (the components of a pattern still to match) below
 * `prefix` ("" or a path ending in '/'): a literal component is appended as it is, a pattern is
 * matched against the directory's entries in sorted order. The last
 * component is opened directly, which is the existence check too.
 */
static int
glob_from(struct walk *w, const char *prefix, const char *rest)
{
	struct cp_buf next;
	const char *slash, *after;
	char comp[256], **names = NULL;
	size_t len, n = 0, i;
	DIR *d;
	int err = 0, rc = 0;

	while (*rest == '/')
		rest++;
	slash = strchr(rest, '/');
	len = slash ? (size_t)(slash - rest) : strlen(rest);
	after = slash ? slash : rest + len;
	cp_buf_init(&next, 4096);
	if (!has_magic(rest, len)) {
		if (cp_buf_addstr(&next, prefix) == -1 || cp_buf_add(&next, rest,
		    len) == -1 || (*after != '\0' && cp_buf_addc(&next, '/') == -1))
			rc = report_error(w, prefix, 1, "path too long");
		else if (*after == '\0')
			rc = walk_named(w, next.data, 1);
		else
			rc = glob_from(w, next.data, after);
		goto out;
	}
	if (len >= sizeof(comp)) {
		rc = report_error(w, prefix, 1, "pattern component too long");
		goto out;
	}
	memcpy(comp, rest, len);
	comp[len] = '\0';
	if ((d = opendir(*prefix ? prefix : ".")) == NULL) {
		if (errno != ENOENT && errno != ENOTDIR)
			rc = report_error(w, *prefix ? prefix : ".", 1,
			    cp_errno_text(errno));
		goto out;
	}
	names = cp_dir_list(d, comp, &n, &err);
	closedir(d);
	if (names == NULL) {
		rc = report_error(w, prefix, 1, cp_errno_text(err));
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		cp_buf_reset(&next);
		if (cp_buf_addstr(&next, prefix) == -1 ||
		    cp_buf_addstr(&next, names[i]) == -1 ||
		    (*after != '\0' && cp_buf_addc(&next, '/') == -1))
			rc = report_error(w, prefix, 1, "path too long");
		else if (*after == '\0')
			rc = walk_named(w, next.data, 1);
		else
			rc = glob_from(w, next.data, after);
	}
out:
	cp_dir_list_free(names, n);
	cp_buf_free(&next);
	return rc;
}

int
cp_walk(const struct cp_target *t, cp_walk_cb cb, void *arg)
{
	struct walk w;
	int rc;

	memset(&w, 0, sizeof(w));
	w.cb = cb;
	w.arg = arg;
	if (t->kind != CP_TARGET_GLOB)
		return walk_named(&w, t->path, 0);
	rc = glob_from(&w, t->path[0] == '/' ? "/" : "", t->path);
	if (rc == 0 && w.found == 0)
		rc = report_error(&w, t->path, 1, "no file matches this pattern");
	return rc;
}

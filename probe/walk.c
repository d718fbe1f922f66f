/* Target expansion: files, recursive directories and globs. */
#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bounds.h"
#include "buf.h"
#include "walk.h"

struct walk {
	cp_walk_cb cb;
	void *arg;
	struct { dev_t dev; ino_t ino; } open[CP_DIR_DEPTH_MAX]; /* ancestors */
	int depth;                /* directories on the stack */
	int stopped;              /* the callback asked to stop */
};

static int
report(struct walk *w, const char *path, int named, const char *error)
{
	if (w->stopped)
		return -1;
	if (w->cb(w->arg, path, named, error) == -1)
		w->stopped = 1;
	return w->stopped ? -1 : 0;
}

static const char *
reach_error(int e)
{
	switch (e) {
	case ENOENT:
		return "no such file or directory (or a broken symbolic link)";
	case ELOOP:
		return "too many levels of symbolic links (a link loop?)";
	default:
		return strerror(e);
	}
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in a directory, sorted, "." and ".." left out. */
static char **
list_dir(const char *path, size_t *count, int *err)
{
	struct dirent *de;
	char **names = NULL, **grown;
	size_t n = 0, cap = 0;
	DIR *d;

	*err = 0;
	if ((d = opendir(path)) == NULL) {
		*err = errno;
		return NULL;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			if ((grown = realloc(names, cap * sizeof(*names))) == NULL)
				goto nomem;
			names = grown;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto nomem;
		n++;
	}
	*err = errno;
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	*count = n;
	return names ? names : calloc(1, sizeof(*names));
nomem:
	closedir(d);
	while (n > 0)
		free(names[--n]);
	free(names);
	*err = ENOMEM;
	return NULL;
}

static int walk_path(struct walk *, const char *, int named);

/* Searches a directory whose stat is `st`, refusing loops. */
static int
walk_dir(struct walk *w, const char *path, const struct stat *st, int named)
{
	struct cp_buf child;
	char **names;
	size_t n = 0, i;
	int i_depth, err, rc = 0;

	for (i_depth = 0; i_depth < w->depth; i_depth++) {
		if (w->open[i_depth].dev == st->st_dev &&
		    w->open[i_depth].ino == st->st_ino)
			return report(w, path, named, "directory loop: a link "
			    "leads back to a directory being searched");
	}
	if (w->depth == CP_DIR_DEPTH_MAX)
		return report(w, path, named, "directories nested too deep");
	if ((names = list_dir(path, &n, &err)) == NULL)
		return report(w, path, named, reach_error(err));
	w->open[w->depth].dev = st->st_dev;
	w->open[w->depth].ino = st->st_ino;
	w->depth++;
	cp_buf_init(&child, 4096);
	for (i = 0; i < n && rc == 0; i++) {
		cp_buf_reset(&child);
		if (cp_buf_addstr(&child, path) == -1 ||
		    (child.data[child.len - 1] != '/' &&
		    cp_buf_addc(&child, '/') == -1) ||
		    cp_buf_addstr(&child, names[i]) == -1)
			rc = report(w, path, named, "path too long");
		else
			rc = walk_path(w, child.data, 0);
	}
	w->depth--;
	if (rc == 0 && err != 0)
		rc = report(w, path, named, reach_error(err));
	cp_buf_free(&child);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* A path: a directory is searched, anything else handed over. Inside a
 * search, what is neither a file nor a directory (FIFOs, sockets,
 * devices) is skipped: opening it could block or mean nothing. */
static int
walk_path(struct walk *w, const char *path, int named)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return report(w, path, named, reach_error(errno));
	if (S_ISDIR(st.st_mode))
		return walk_dir(w, path, &st, named);
	if (!named && !S_ISREG(st.st_mode))
		return 0;
	return report(w, path, named, NULL);
}

/* glob(3) gives its error callback no context, so the walk in progress
 * is kept per thread for the duration of one glob() call. */
static _Thread_local struct walk *glob_walk;

static int
glob_error(const char *path, int e)
{
	if (glob_walk != NULL)
		(void)report(glob_walk, path, 1, reach_error(e));
	return 0;
}

static int
walk_glob(struct walk *w, const char *pattern)
{
	glob_t g;
	size_t i;
	int rc = 0, grc;

	memset(&g, 0, sizeof(g));
	glob_walk = w;
	grc = glob(pattern, 0, glob_error, &g);
	glob_walk = NULL;
	if (grc == GLOB_NOMATCH)
		rc = report(w, pattern, 1, "no file matches this pattern");
	else if (grc != 0)
		rc = report(w, pattern, 1, "cannot expand this pattern");
	for (i = 0; rc == 0 && grc == 0 && i < g.gl_pathc; i++)
		rc = walk_path(w, g.gl_pathv[i], 1);
	globfree(&g);
	return w->stopped ? -1 : rc;
}

int
cp_walk(const struct cp_target *t, cp_walk_cb cb, void *arg)
{
	struct walk w;

	memset(&w, 0, sizeof(w));
	w.cb = cb;
	w.arg = arg;
	if (t->kind == CP_TARGET_GLOB)
		return walk_glob(&w, t->path);
	return walk_path(&w, t->path, 1);
}

/* Sorted directory listings, for the walk and for checks.d. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "dirlist.h"

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
cp_dir_list_free(char **names, size_t n)
{
	while (n > 0)
		free(names[--n]);
	free(names);
}

char **
cp_dir_list(DIR *d, const char *pattern, size_t *count, int *err)
{
	struct dirent *de;
	char **names = NULL, **grown;
	size_t n = 0, cap = 0;

	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (pattern != NULL && fnmatch(pattern, de->d_name, FNM_PERIOD) != 0)
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
	if ((*err = errno) != 0) {
		cp_dir_list_free(names, n);
		return NULL;
	}
	/* Never hand qsort a NULL base: it is declared nonnull, and the
	 * compiler would then take `names` for non-NULL everywhere after. */
	if (names == NULL && (names = calloc(1, sizeof(*names))) == NULL)
		goto nomem;
	qsort(names, n, sizeof(*names), cmp_names);
	*count = n;
	return names;
nomem:
	cp_dir_list_free(names, n);
	*err = ENOMEM;
	return NULL;
}


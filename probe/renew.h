/*
 * Renewal (SPEC section 7): with --renew, every check that its dates
 * made WARNING or CRITICAL runs its renew= command, each distinct command
 * once a run, with the values of its most urgent check in an environment
 * built here (never in the command's text). Where the command succeeds,
 * every check that asked for it is checked again and the report shows
 * the result after renewal; where it fails or times out, those checks
 * say so, with the exit status and the end of its output.
 */
#ifndef CP_RENEW_H
#define CP_RENEW_H

#include <stdio.h>

struct cp_config;
struct cp_report;
struct cp_run_params;

/*
 * Renews what `rep` says is due, and updates `rep`. With `dry_run`,
 * runs nothing and says on `say` what would run. -1 only when memory
 * runs out.
 */
int cp_renew(const struct cp_config *, const struct cp_run_params *,
    struct cp_report *rep, int dry_run, FILE *say);

#endif

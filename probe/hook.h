/*
 * Running one bounded child: a renewal command (`/bin/sh -c COMMAND`,
 * with the environment given and nothing inherited), or a function of
 * ours that must not hold the run (the mail relay's dialog, which
 * libesmtp bounds only reply by reply). Either runs in a process group of
 * its own, standard input from /dev/null, its output kept to the last
 * bytes, with a bound on its time after which the whole group is ended.
 */
#ifndef CP_HOOK_H
#define CP_HOOK_H

#include <stdint.h>

#define CP_HOOK_TAIL 512   /* bytes of output kept */

struct cp_hook_result {
	int started;             /* 0: fork or pipe failed (errno in err) */
	int timed_out;
	int exited;              /* it exited (else a signal ended it) */
	int code;                /* exit status, or the signal */
	char tail[CP_HOOK_TAIL + 1];  /* the end of its output, raw */
	int err;
};

/* Runs `command` with `env` (NULL-terminated "NAME=value"), for at most
 * `timeout_ms`. */
void cp_hook_run(const char *command, char *const env[], int64_t timeout_ms,
    struct cp_hook_result *);

/* Runs fn(arg) in a child the same way (environment and descriptors
 * inherited): its exit status is what fn returns, its output (stdout and
 * stderr) the tail. */
void cp_hook_call(int (*fn)(void *), void *arg, int64_t timeout_ms,
    struct cp_hook_result *);

#endif

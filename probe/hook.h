/*
 * Running one renewal command: `/bin/sh -c COMMAND` in a process group
 * of its own, with the environment given (nothing inherited), standard
 * input from /dev/null, its output kept to the last bytes, and a bound on
 * its time after which the whole group is ended.
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

#endif

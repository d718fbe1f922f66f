/* One renewal command, bounded (see hook.h). */
#define _GNU_SOURCE     /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine.h"
#include "hook.h"

/* How long a group has between TERM and KILL. */
#define GRACE_MS 2000

/* What the child runs: a shell command, or a function of ours. */
struct job {
	const char *command;
	char *const *env;
	int (*fn)(void *);
	void *arg;
};

static void
child(const struct job *job, int out)
{
	int null = open("/dev/null", O_RDONLY);

	setpgid(0, 0);
	if (null == -1 || dup2(null, 0) == -1 || dup2(out, 1) == -1 ||
	    dup2(out, 2) == -1)
		_exit(127);
	if (job->fn != NULL) {
		/* _exit: the parent's atexit work is not the child's. */
		int rc = job->fn(job->arg);

		fflush(stdout);
		fflush(stderr);
		_exit(rc);
	}
	closefrom(3);
	execle("/bin/sh", "sh", "-c", job->command, (char *)NULL, job->env);
	_exit(127);
}

/* Keeps the last CP_HOOK_TAIL bytes of what was read. */
static void
keep(struct cp_hook_result *r, size_t *len, const char *buf, size_t n)
{
	if (n >= CP_HOOK_TAIL) {
		memcpy(r->tail, buf + n - CP_HOOK_TAIL, CP_HOOK_TAIL);
		*len = CP_HOOK_TAIL;
	} else {
		if (*len + n > CP_HOOK_TAIL) {
			memmove(r->tail, r->tail + (*len + n - CP_HOOK_TAIL),
			    CP_HOOK_TAIL - n);
			*len = CP_HOOK_TAIL - n;
		}
		memcpy(r->tail + *len, buf, n);
		*len += n;
	}
	r->tail[*len] = '\0';
}

/*
 * One read of the pipe into the tail: 1 when it gave bytes, 0 when it
 * has none for now (the pipe does not block; EINTR as good as EAGAIN),
 * -1 when it is done with: end of file, every writer gone, or an error
 * that reading again would only repeat.
 */
static int
take(int fd, struct cp_hook_result *r, size_t *len)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf));
	int rc = -1;

	if (n > 0) {
		keep(r, len, buf, (size_t)n);
		rc = 1;
	} else if (n == -1 && (errno == EAGAIN || errno == EINTR))
		rc = 0;
	return rc;
}

/*
 * Reads its output until the shell has exited, or the deadline. A hook
 * may close its output long before it exits (`exec >>log 2>&1`): a pipe
 * at end of file is always ready, so it leaves the poll set, and poll
 * only paces the wait for the shell. Then what the shell wrote before it
 * exited, without waiting for more: a background child of the hook that
 * keeps the pipe open does not hold the run, nor one that writes without
 * end (the same deadline). Such a child is not ended: the hook's outcome
 * is the shell's, and what it started (a service it restarted) may be
 * meant to outlive it; once we close the pipe, its next write fails
 * (SIGPIPE). 1 when the shell has exited (status in *status), 0 at the
 * deadline.
 */
static int
collect(pid_t pid, int fd, int64_t deadline, struct cp_hook_result *r,
    int *status)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t len = 0;
	int done, wait_ms;

	while (!(done = waitpid(pid, status, WNOHANG) == pid)) {
		if ((wait_ms = (int)(deadline - cp_clock_ms())) <= 0)
			break;
		/* poll skips a negative fd. EINTR: round again, against
		 * the same deadline. */
		if (poll(&p, 1, wait_ms < 100 ? wait_ms : 100) > 0 &&
		    take(p.fd, r, &len) == -1)
			p.fd = -1;
	}
	while (done && p.fd != -1 && cp_clock_ms() < deadline &&
	    take(p.fd, r, &len) == 1)
		continue;
	return done;
}

/* Ends the group: TERM, then KILL after a grace; reaps the shell. */
static void
end_group(pid_t pid, int *status)
{
	int64_t until = cp_clock_ms() + GRACE_MS;

	kill(-pid, SIGTERM);
	while (waitpid(pid, status, WNOHANG) == 0 && cp_clock_ms() < until)
		usleep(20000);
	kill(-pid, SIGKILL);
	waitpid(pid, status, 0);
}

static void
run(const struct job *job, int64_t timeout_ms, struct cp_hook_result *r)
{
	int fds[2] = { -1, -1 }, status = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	/* Only our end does not block: a hook that writes much must wait
	 * for us, not fail. */
	/* What stdio holds would otherwise be written twice, once by the
	 * child, into the pipe. */
	fflush(NULL);
	if (pipe2(fds, O_CLOEXEC) == -1 ||
	    fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1 || (pid = fork()) == -1) {
		r->err = errno;
		goto out;
	}
	if (pid == 0)
		child(job, fds[1]);
	close(fds[1]);
	fds[1] = -1;
	setpgid(pid, pid);     /* as the child does: no race either way */
	r->started = 1;
	if (!collect(pid, fds[0], cp_clock_ms() + timeout_ms, r, &status)) {
		r->timed_out = 1;
		end_group(pid, &status);
	}
	r->exited = WIFEXITED(status);
	r->code = r->exited ? WEXITSTATUS(status) : WTERMSIG(status);
out:
	if (fds[0] != -1)
		close(fds[0]);
	if (fds[1] != -1)
		close(fds[1]);
}

void
cp_hook_run(const char *command, char *const env[], int64_t timeout_ms,
    struct cp_hook_result *r)
{
	struct job job = { .command = command, .env = env };

	run(&job, timeout_ms, r);
}

void
cp_hook_call(int (*fn)(void *), void *arg, int64_t timeout_ms,
    struct cp_hook_result *r)
{
	struct job job = { .fn = fn, .arg = arg };

	run(&job, timeout_ms, r);
}

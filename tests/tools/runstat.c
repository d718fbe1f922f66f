/*
 * runstat - time a command and measure its peak RSS.
 *
 * A dependency-free stand-in for hyperfine + /usr/bin/time -v, for
 * certprobe's benchmark scripts: warm-up runs, then measured runs, one
 * summary line that is easy to grep.
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -O2 -o runstat runstat.c
 */

#define _GNU_SOURCE     /* pipe2 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define EXIT_USAGE 2
#define MAX_RUNS 1000000

static const char usage_text[] =
    "Usage: runstat [-n RUNS] [-w WARMUP] [-v] -- CMD [ARGS...]\n"
    "\n"
    "Run CMD WARMUP times unmeasured, then RUNS times measured, and print\n"
    "  min_s=S median_s=S median_cpu_s=S median_self_cpu_s=S max_rss_kib=K exit=N\n"
    "(wall-clock seconds per run; CPU seconds of CMD and the children it\n"
    "waited for, then of CMD alone, -1 where /proc cannot say; largest peak\n"
    "RSS of the measured runs; exit status of the last run or 128+signal).\n"
    "\n"
    "  -n RUNS    measured runs, 1..1000000 (default 5)\n"
    "  -w WARMUP  unmeasured warm-up runs, 0..1000000 (default 1)\n"
    "  -v         keep CMD's stdout and stderr (default: /dev/null)\n"
    "  -h         show this help\n"
    "\n"
    "Exits 0 if CMD could be run, whatever its status; 2 on usage errors or\n"
    "if CMD cannot be executed.\n";

struct opts {
    long runs, warmup;
    int verbose, help;
    char **cmd;
};

struct run {
    double secs;
    double cpu_secs;    /* user + system time of the child */
    double self_cpu_secs;   /* the same, without its own children's; -1:
                               unknown */
    long maxrss_kib;
    int exit_code;
};

static int parse_count(const char *s, long min, long *out)
{
    int rc = -1;
    char *end = NULL;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (*s != '\0' && *end == '\0' && errno == 0 && v >= min && v <= MAX_RUNS) {
        *out = v;
        rc = 0;
    }
    return rc;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    int rc = -1;
    int c;

    /* '+': stop at the first non-option so CMD's own flags are left alone. */
    while ((c = getopt(argc, argv, "+n:w:vh")) != -1) {
        switch (c) {
        case 'n':
            if (parse_count(optarg, 1, &o->runs) != 0) {
                fprintf(stderr, "runstat: bad -n \"%s\"\n", optarg);
                goto out;
            }
            break;
        case 'w':
            if (parse_count(optarg, 0, &o->warmup) != 0) {
                fprintf(stderr, "runstat: bad -w \"%s\"\n", optarg);
                goto out;
            }
            break;
        case 'v': o->verbose = 1; break;
        case 'h': o->help = 1; break;
        default: goto out;      /* getopt already said what was wrong */
        }
    }
    if (!o->help && optind >= argc) {
        fputs("runstat: no command given\n", stderr);
        goto out;
    }
    o->cmd = argv + optind;
    rc = 0;
out:
    return rc;
}

static double now_secs(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Child side: only async-signal-safe calls between fork and exec. If exec
 * fails, errno goes up the close-on-exec pipe so the parent can tell
 * "could not run" apart from "ran and exited 127".
 */
static void child(char **cmd, int devnull, int errfd)
{
    int err;

    if (devnull >= 0
        && (dup2(devnull, STDOUT_FILENO) < 0
            || dup2(devnull, STDERR_FILENO) < 0)) {
        err = errno;
    } else {
        execvp(cmd[0], cmd);
        err = errno;
    }
    if (write(errfd, &err, sizeof(err)) != (ssize_t)sizeof(err)) {
        /* Nothing left to try; the parent sees only exit status 127. */
    }
    _exit(127);
}

/* Block until exec succeeded (EOF) or the child reported its errno. */
static int exec_errno(int fd)
{
    int err = 0;
    ssize_t n;

    do
        n = read(fd, &err, sizeof(err));
    while (n < 0 && errno == EINTR);
    if (n != (ssize_t)sizeof(err))
        err = 0;
    return err;
}

/*
 * The user + system time of the exited but not yet reaped child pid
 * alone: wait4's rusage adds that of the children it waited for, which
 * for a program that runs commands hides its own; /proc keeps both apart
 * (fields 14 and 15 after the name, which may hold blanks and ')', hence
 * from the last one). -1 if /proc cannot say.
 */
static double self_cpu(pid_t pid)
{
    double secs = -1;
    char path[64], buf[1024], *p;
    unsigned long utime, stime;
    long tick = sysconf(_SC_CLK_TCK);
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    if ((f = fopen(path, "r")) == NULL)
        goto out;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* After the name: state and 10 more fields, then utime and stime. */
    if (tick > 0 && (p = strrchr(buf, ')')) != NULL &&
        sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
               &utime, &stime) == 2)
        secs = (double)(utime + stime) / (double)tick;
out:
    return secs;
}

static int wait_child(pid_t pid, struct run *r)
{
    int rc = -1;
    int status;
    struct rusage ru;
    siginfo_t info;
    pid_t got;

    /* WNOWAIT: exited, but still there for self_cpu() to read. */
    r->self_cpu_secs = -1;
    while ((got = waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT)) < 0 &&
           errno == EINTR)
        continue;
    if (got == 0)
        r->self_cpu_secs = self_cpu(pid);
    do
        got = wait4(pid, &status, 0, &ru);
    while (got < 0 && errno == EINTR);
    if (got != pid) {
        fprintf(stderr, "runstat: wait4: %s\n", strerror(errno));
        goto out;
    }
    r->maxrss_kib = ru.ru_maxrss;   /* Linux reports KiB */
    r->cpu_secs = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
        (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    r->exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status)
                                       : WEXITSTATUS(status);
    rc = 0;
out:
    return rc;
}

/* One fork+exec+wait4; the clock covers all of it, as a caller would see. */
static int run_once(char **cmd, int devnull, struct run *r)
{
    int rc = -1;
    int pipefd[2] = { -1, -1 };
    int err;
    double start;
    pid_t pid;

    if (pipe2(pipefd, O_CLOEXEC) != 0) {
        fprintf(stderr, "runstat: pipe: %s\n", strerror(errno));
        goto out;
    }
    start = now_secs();
    pid = fork();
    if (pid < 0) {
        fprintf(stderr, "runstat: fork: %s\n", strerror(errno));
        goto out;
    }
    if (pid == 0)
        child(cmd, devnull, pipefd[1]);
    close(pipefd[1]);
    pipefd[1] = -1;
    err = exec_errno(pipefd[0]);
    if (wait_child(pid, r) != 0)
        goto out;
    r->secs = now_secs() - start;
    if (err != 0) {
        fprintf(stderr, "runstat: %s: %s\n", cmd[0], strerror(err));
        goto out;
    }
    rc = 0;
out:
    if (pipefd[0] >= 0)
        close(pipefd[0]);
    if (pipefd[1] >= 0)
        close(pipefd[1]);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* Sorts v in place; its median. */
static double median_of(double *v, long n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Sorts secs, cpu and self in place. */
static void print_summary(double *secs, double *cpu, double *self, long n,
                          long maxrss, int exit_code)
{
    double median = median_of(secs, n), cpu_median = median_of(cpu, n);
    double self_median = median_of(self, n);

    printf("min_s=%.6f median_s=%.6f median_cpu_s=%.6f median_self_cpu_s=%.6f "
           "max_rss_kib=%ld exit=%d\n", secs[0], median, cpu_median,
           self_median, maxrss, exit_code);
}

static int measure(const struct opts *o, int devnull)
{
    int rc = -1;
    double *secs = calloc((size_t)o->runs, sizeof(*secs));
    double *cpu = calloc((size_t)o->runs, sizeof(*cpu));
    double *self = calloc((size_t)o->runs, sizeof(*self));
    struct run r = { 0, 0, 0, 0, 0 };
    long i, maxrss = 0;

    if (secs == NULL || cpu == NULL || self == NULL) {
        fputs("runstat: out of memory\n", stderr);
        goto out;
    }
    for (i = 0; i < o->warmup; i++)
        if (run_once(o->cmd, devnull, &r) != 0)
            goto out;
    for (i = 0; i < o->runs; i++) {
        if (run_once(o->cmd, devnull, &r) != 0)
            goto out;
        secs[i] = r.secs;
        cpu[i] = r.cpu_secs;
        self[i] = r.self_cpu_secs;
        if (r.maxrss_kib > maxrss)
            maxrss = r.maxrss_kib;
    }
    print_summary(secs, cpu, self, o->runs, maxrss, r.exit_code);
    rc = 0;
out:
    free(self);
    free(cpu);
    free(secs);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = EXIT_USAGE;
    struct opts o = { 5, 1, 0, 0, NULL };
    int devnull = -1;

    if (parse_args(argc, argv, &o) != 0) {
        fputs(usage_text, stderr);
        goto out;
    }
    if (o.help) {
        fputs(usage_text, stdout);
        rc = 0;
        goto out;
    }
    /* Opened once; dup2 in the child drops O_CLOEXEC on the copies. */
    if (!o.verbose && (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
        fprintf(stderr, "runstat: /dev/null: %s\n", strerror(errno));
        goto out;
    }
    fflush(stdout);     /* don't let children inherit buffered output */
    if (measure(&o, devnull) == 0)
        rc = 0;
out:
    if (devnull >= 0)
        close(devnull);
    return rc;
}

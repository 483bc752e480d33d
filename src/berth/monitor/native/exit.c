/* The container's start and end: the start op (exec fifo), exit.json, the OOM count,
 * and the Python one-shots that do runtime work this program does not (hooks, delete).
 *
 * start keeps berth.runtime.start's semantics and messages: reading the init's byte
 * from <runtime-root>/<id>/exec.fifo frees it to execve the user's process; an init
 * that exits instead is noticed through a pidfd; the fifo is unlinked afterwards (the
 * runtime's status "created" is "the fifo exists"). Poststart hooks, when the spec has
 * any, run in a helper (berth.monitor.helper) before the reply, as the runtime's start
 * ran them.
 *
 * exit.json is written temp + rename, not fsync'ed (records.write_exit says why).
 */
#define _GNU_SOURCE /* accept4, signalfd, pidfd via syscall(), O_CLOEXEC, gzdopen */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mon.h"

int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Go's RFC3339Nano in UTC: trailing zeros of the fraction trimmed, no fraction if 0. */
void format_time(int64_t ns, char *out, size_t outn)
{
    time_t secs = (time_t)(ns / 1000000000);
    long frac = (long)(ns % 1000000000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(out, outn, "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac) {
        char digits[16];
        snprintf(digits, sizeof digits, "%09ld", frac);
        size_t k = 9;
        while (k && digits[k - 1] == '0')
            k--;
        digits[k] = 0;
        snprintf(out + n, outn - n, ".%sZ", digits);
    } else {
        snprintf(out + n, outn - n, "Z");
    }
}

/* --- helpers ------------------------------------------------------------------------ */

/* fork + exec the Python one-shot: <helper argv> <what> <runtime-root> <id> <init pid>.
 * keep_fd stays open in it (the runtime dir's lock, for the clean-up). */
static pid_t helper(const char *what, int keep_fd)
{
    char pid[24];
    size_t n = 0;
    while (M.helper && M.helper[n])
        n++;
    if (!n)
        return -1;
    char **argv = calloc(n + 5, sizeof *argv);
    if (!argv)
        return -1;
    memcpy(argv, M.helper, n * sizeof *argv);
    snprintf(pid, sizeof pid, "%d", (int)M.init_pid);
    argv[n] = (char *)what;
    argv[n + 1] = (char *)M.runtime_root;
    argv[n + 2] = (char *)M.id;
    argv[n + 3] = pid;
    pid_t child = fork();
    if (child == 0) {
        sigset_t all;
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL); /* signalfd needs SIGCHLD blocked; not here */
        signal(SIGPIPE, SIG_DFL);
        if (keep_fd >= 0)
            fcntl(keep_fd, F_SETFD, 0);
        execv(argv[0], argv);
        _exit(127);
    }
    free(argv);
    return child;
}

/* After the exit was recorded: delete the container (kill stragglers, remove cgroup and
 * state) in a helper that holds the runtime dir's lock until it is done, so a new create
 * of the same id (a restart) waits for it (berth.monitor.helper). Not waited for. */
void run_cleanup(void)
{
    if (M.runtime_root && M.id)
        helper("cleanup", M.lock_fd);
}

/* --- start -------------------------------------------------------------------------- */

/* 'R', 'S', … of /proc/<pid>/stat; 0 when the process is gone. */
static char proc_state(pid_t pid)
{
    char path[64], data[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, data, sizeof data - 1);
    close(fd);
    if (n <= 0)
        return 0;
    data[n] = 0;
    char *paren = strrchr(data, ')');
    return paren && paren[1] == ' ' ? paren[2] : 0;
}

static int fail(struct buf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct buf *err, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reply_error(err, "FailedPrecondition", msg);
    return -1;
}

/* Read the init's byte from the fifo; fail clearly if the init died instead. */
static int release(struct buf *err)
{
    int fd = open(M.exec_fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return fail(err, "container %s: already started", M.id);
    int pidfd = (int)syscall(SYS_pidfd_open, M.init_pid, 0);
    if (pidfd < 0) {
        close(fd);
        return fail(err, "container %s: init process %d is gone", M.id, (int)M.init_pid);
    }
    int rc = 0;
    int64_t deadline = now_ms() + 30000;
    for (;;) {
        struct pollfd p[2] = {{fd, POLLIN, 0}, {pidfd, POLLIN, 0}};
        int64_t left = deadline - now_ms();
        int n = left > 0 ? poll(p, 2, (int)left) : 0;
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = fail(err, "container %s: init did not open the exec fifo", M.id);
            break;
        }
        if (p[0].revents) {
            char byte;
            ssize_t r = read(fd, &byte, 1);
            if (r == 1)
                break;
            /* EOF before the writer came (or after it left): wait for the init */
        }
        if (p[1].revents & POLLIN) {
            rc = fail(err, "container %s: init process %d exited before start", M.id,
                      (int)M.init_pid);
            break;
        }
        if (p[0].revents & POLLHUP && !(p[1].revents & POLLIN)) {
            /* no writer: a hung-up fifo polls ready forever; sleep a little */
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
    close(fd);
    close(pidfd);
    return rc;
}

int do_start(struct buf *err)
{
    if (M.exited)
        return fail(err, "container %s: cannot start: it has exited", M.id);
    char st = proc_state(M.init_pid);
    if (st == 0 || st == 'Z' || st == 'X')
        return fail(err, "container %s: cannot start a container that has stopped", M.id);
    if (M.started || access(M.exec_fifo, F_OK) != 0)
        return fail(err, "container %s: cannot start a container in state running"
                    " (already started)", M.id);
    if (release(err))
        return -1;
    M.started = 1;
    unlink(M.exec_fifo);
    if (M.poststart) { /* the runtime's start ran them before returning: so do we */
        pid_t pid = helper("poststart", -1);
        int status;
        while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    return 0;
}

/* --- the end ------------------------------------------------------------------------ */

/* The cgroup's oom_kill count ("oom_kill N" in memory.events or memory.oom_control). */
long long oom_count(void)
{
    if (!M.oom_file)
        return 0;
    char data[4096];
    int fd = open(M.oom_file, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, data, sizeof data - 1);
    close(fd);
    if (n <= 0)
        return 0;
    data[n] = 0;
    for (char *line = data; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
        if (!strncmp(line, "oom_kill ", 9))
            return strtoll(line + 9, NULL, 10);
    return 0;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* exit.json in the state dir (our cwd), temp + rename. */
void write_exit(const char *error)
{
    struct buf b = {0};
    char tmp[64];
    buf_printf(&b, "{\"exit_code\": %d, \"oom_killed\": %s, \"finished_at\": ", M.exit_code,
               M.oom ? "true" : "false");
    json_str(&b, M.finished);
    buf_addstr(&b, ", \"error\": ");
    json_str(&b, error);
    buf_addstr(&b, "}");
    snprintf(tmp, sizeof tmp, ".exit.json.%d.tmp", (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
        int bad = write_all(fd, b.p + b.off, buf_size(&b));
        close(fd);
        if (bad || rename(tmp, "exit.json"))
            unlink(tmp);
    }
    buf_free(&b);
}

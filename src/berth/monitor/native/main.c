/* berth-monitor: arguments, the poll loop, and the end of the container's init.
 *
 * Started only by execve() from the Python set-up (berth.monitor.native), which made
 * everything before: the container (its init blocked on the exec fifo, a child of this
 * process, which is a child subreaper), the stdio pipes or the pty master, monitor.pid
 * ("<pid> <starttime>": execve keeps both) and the listening monitor.sock; our cwd is
 * the state dir. Arguments (all --name=value, fds are numbers already open here):
 *
 *   --id --state-dir --listen-fd --init-pid           always
 *   --out-fd --err-fd --in-fd                         pipes (in only with stdin)
 *   --pty-fd                                          TTY: the master, output and input
 *   --stdin-once                                      flag
 *   --log-driver --log-path --log-max-size --log-max-file --log-compress
 *   --exec-fifo --poststart                           the start op
 *   --oom-file --oom-base                             OOM: count above the base
 *   --runtime-root --lock-fd                          the clean-up after the exit
 *   --native-delete --cgroup (repeated)               delete it here (delete.c)
 *   -- <helper argv...>                               the Python one-shot (exit.c)
 *
 * On the init's exit: exit code (128+signal when killed), OOM, output drained for at most
 * DRAIN_MS, exit.json, monitor.sock and monitor.pid removed, waiters answered, then the
 * runtime delete (off the waiters' path): here without poststop hooks (delete.c), else
 * or on any failure in a helper, not waited for; and exit.
 */
#define _GNU_SOURCE /* accept4, signalfd, pidfd via syscall(), O_CLOEXEC, gzdopen */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mon.h"

struct mon M = {.listen_fd = -1, .lock_fd = -1, .sig_fd = -1, .out_fd = -1, .err_fd = -1,
                .in_fd = -1};

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A failure of the monitor itself: leave a record saying why (as the Python monitor's
 * last words), then exit. berthd reads exit.json or reports 255. */
void die(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (access("exit.json", F_OK) != 0) {
        char full[600];
        snprintf(full, sizeof full, "monitor failed: %s", msg);
        M.exit_code = 255;
        format_time(now_ns(), M.finished, sizeof M.finished);
        write_exit(full);
    }
    _exit(1);
}

static long long num(const char *name, const char *v)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end)
        die("bad argument --%s=%s", name, v);
    return n;
}

static void args(int argc, char **argv)
{
    const char *driver = "none", *path = NULL;
    long long max_size = -1, max_file = 1;
    int compress = 0;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (!strcmp(a, "--")) {
            M.helper = argv + i + 1;
            break;
        }
        if (strncmp(a, "--", 2))
            die("bad argument %s", a);
        char *name = a + 2, *v = strchr(name, '=');
        if (v)
            *v++ = 0;
        else
            v = "";
        if (!strcmp(name, "id")) M.id = v;
        else if (!strcmp(name, "state-dir")) M.state_dir = v;
        else if (!strcmp(name, "runtime-root")) M.runtime_root = v;
        else if (!strcmp(name, "listen-fd")) M.listen_fd = (int)num(name, v);
        else if (!strcmp(name, "lock-fd")) M.lock_fd = (int)num(name, v);
        else if (!strcmp(name, "init-pid")) M.init_pid = (pid_t)num(name, v);
        else if (!strcmp(name, "out-fd")) M.out_fd = (int)num(name, v);
        else if (!strcmp(name, "err-fd")) M.err_fd = (int)num(name, v);
        else if (!strcmp(name, "in-fd")) M.in_fd = (int)num(name, v);
        else if (!strcmp(name, "pty-fd")) { M.tty = 1; M.out_fd = M.in_fd = (int)num(name, v); }
        else if (!strcmp(name, "stdin-once")) M.stdin_once = 1;
        else if (!strcmp(name, "exec-fifo")) M.exec_fifo = v;
        else if (!strcmp(name, "poststart")) M.poststart = 1;
        else if (!strcmp(name, "oom-file")) M.oom_file = v;
        else if (!strcmp(name, "oom-base")) M.oom_base = num(name, v);
        else if (!strcmp(name, "log-driver")) driver = v;
        else if (!strcmp(name, "log-path")) path = v;
        else if (!strcmp(name, "log-max-size")) max_size = num(name, v);
        else if (!strcmp(name, "log-max-file")) max_file = num(name, v);
        else if (!strcmp(name, "log-compress")) compress = 1;
        else if (!strcmp(name, "native-delete")) M.native_delete = 1;
        else if (!strcmp(name, "cgroup")) {
            char **more = realloc(M.cgroups, (M.ncgroups + 1) * sizeof *more);
            if (!more)
                die("out of memory");
            M.cgroups = more;
            M.cgroups[M.ncgroups++] = v;
        }
        else die("unknown argument --%s", name);
    }
    if (!M.id || M.listen_fd < 0 || M.init_pid <= 0)
        die("--id, --listen-fd and --init-pid are required");
    if (!M.exec_fifo)
        M.started = 1; /* the set-up released the init: a start op is refused */
    if (strcmp(driver, "none") && !path)
        die("--log-path is required with --log-driver=%s", driver);
    if (log_open(driver, path, max_size, (int)max_file, compress))
        die("cannot open the log %s: %s", path, strerror(errno));
}

static void setup(void)
{
    sigset_t mask;
    prctl(PR_SET_CHILD_SUBREAPER, 1); /* execve kept it; say so again */
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, NULL);
    M.sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    if (M.sig_fd < 0)
        die("signalfd: %s", strerror(errno));
    /* everything handed over becomes ours alone: close-on-exec and non-blocking */
    int fds[] = {M.listen_fd, M.out_fd, M.err_fd, M.in_fd, M.lock_fd};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
        if (fds[i] < 0)
            continue;
        if (fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0)
            die("fd %d was not handed over: %s", fds[i], strerror(errno));
        if (fds[i] != M.lock_fd)
            fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
    }
}

/* --- children ----------------------------------------------------------------------- */
static void init_exited(int status)
{
    format_time(now_ns(), M.finished, sizeof M.finished);
    M.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
    M.oom = oom_count() > M.oom_base;
    M.exited = 1;
    M.deadline_ms = now_ms() + DRAIN_MS;
    buf_take(&M.stdin_buf, buf_size(&M.stdin_buf));
}

/* Reap every exited child: the init, helpers, and orphans of the container (we are a
 * subreaper, so they land here). */
static void reap(void)
{
    struct signalfd_siginfo si;
    while (read(M.sig_fd, &si, sizeof si) > 0)
        ;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            return;
        if (pid == M.init_pid && !M.exited)
            init_exited(status);
    }
}

/* --- the loop ----------------------------------------------------------------------- */
static int running(void)
{
    if (!M.exited)
        return 1;
    return (M.out_fd >= 0 || M.err_fd >= 0) && now_ms() < M.deadline_ms;
}

static int has_conn(const struct conn *c)
{
    for (size_t i = 0; i < M.nconns; i++)
        if (M.conns[i] == c)
            return 1;
    return 0;
}

static void serve(void)
{
    struct pollfd *pfd = NULL;
    struct conn **who = NULL;
    size_t cap = 0;
    reap(); /* the init may be gone already */
    while (running()) {
        size_t need = 5 + M.nconns, n = 0;
        if (need > cap) {
            cap = need * 2;
            pfd = realloc(pfd, cap * sizeof *pfd);
            who = realloc(who, cap * sizeof *who);
            if (!pfd || !who)
                die("out of memory");
        }
        pfd[n] = (struct pollfd){M.sig_fd, POLLIN, 0};
        who[n++] = NULL;
        pfd[n] = (struct pollfd){M.listen_fd, POLLIN, 0};
        who[n++] = NULL;
        int stdin_out = M.in_fd >= 0 && buf_size(&M.stdin_buf) ? POLLOUT : 0;
        if (M.out_fd >= 0) {
            pfd[n] = (struct pollfd){M.out_fd, (short)(POLLIN | (M.in_fd == M.out_fd ? stdin_out : 0)), 0};
            who[n++] = NULL;
        }
        if (M.err_fd >= 0) {
            pfd[n] = (struct pollfd){M.err_fd, POLLIN, 0};
            who[n++] = NULL;
        }
        if (stdin_out && M.in_fd != M.out_fd) {
            pfd[n] = (struct pollfd){M.in_fd, POLLOUT, 0};
            who[n++] = NULL;
        }
        for (size_t i = 0; i < M.nconns; i++) {
            pfd[n] = (struct pollfd){M.conns[i]->fd, (short)conn_poll_mask(M.conns[i]), 0};
            who[n++] = M.conns[i];
        }
        int timeout = -1;
        if (M.exited) {
            int64_t left = M.deadline_ms - now_ms();
            timeout = left > 0 ? (int)left : 0;
        }
        int ready = poll(pfd, n, timeout);
        if (ready < 0 && errno != EINTR)
            die("poll: %s", strerror(errno));
        for (size_t i = 0; ready > 0 && i < n; i++) {
            short ev = pfd[i].revents;
            int fd = pfd[i].fd;
            if (!ev)
                continue;
            if (who[i]) {
                if (has_conn(who[i]))
                    on_conn(who[i], ev);
            } else if (fd == M.sig_fd) {
                reap();
            } else if (fd == M.listen_fd) {
                accept_clients();
            } else if (fd == M.out_fd || fd == M.err_fd) {
                on_output(fd, ev);
            } else if (fd == M.in_fd) {
                flush_stdin();
            }
        }
    }
    free(pfd);
    free(who);
}

static void finish(void)
{
    char reply[512];
    if (M.out_fd >= 0)
        close_output(M.out_fd);
    if (M.err_fd >= 0)
        close_output(M.err_fd);
    log_close();
    write_exit("");
    close(M.listen_fd);
    unlink("monitor.sock"); /* before the waiters hear: a restart binds a new one */
    unlink("monitor.pid");
    snprintf(reply, sizeof reply, "{\"exit_code\": %d, \"oom_killed\": %s, \"finished_at\": "
             "\"%s\", \"error\": \"\"}\n", M.exit_code, M.oom ? "true" : "false", M.finished);
    finish_conns(reply);
    if (native_delete())
        run_cleanup();
}

int main(int argc, char **argv)
{
    args(argc, argv);
    setup();
    serve();
    finish();
    return 0;
}

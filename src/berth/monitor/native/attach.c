/* monitor.sock's clients and the container's stdio.
 *
 * Each client sends one request line, then: attach connections get the container's
 * output (stdcopy-framed: 8-byte header {stream, 0, 0, 0, u32be length} per chunk,
 * unless the container has a TTY) and send its stdin; wait connections get one line
 * when the monitor finishes; start, resize and signal get one reply and are closed.
 * Output is not line-split for attachers (raw chunks); the log is (logs.c).
 *
 * A client that falls MAX_PENDING behind is dropped rather than stall the container.
 * A client's half-close keeps output flowing to it; it ends the container's stdin only
 * with stdin_once. Attachers' input pauses while MAX_STDIN bytes wait for the
 * container (back-pressure instead of unbounded memory).
 */
#define _GNU_SOURCE /* accept4, signalfd, pidfd via syscall(), O_CLOEXEC, gzdopen */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#include "mon.h"

static int wants(const struct conn *c, int stream)
{
    if (c->op != OP_ATTACH)
        return 0;
    return stream == 0 ? c->rq.in : stream == 1 ? c->rq.out : c->rq.err;
}

void accept_clients(void)
{
    for (;;) {
        int fd = accept4(M.listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            return; /* EAGAIN, or a client gone already */
        struct conn *c = calloc(1, sizeof *c);
        struct conn **all = realloc(M.conns, (M.nconns + 1) * sizeof *all);
        if (!c || !all) {
            free(c);
            close(fd);
            if (all)
                M.conns = all;
            return;
        }
        M.conns = all;
        c->fd = fd;
        c->reading = 1;
        M.conns[M.nconns++] = c;
    }
}

void drop_conn(struct conn *c)
{
    for (size_t i = 0; i < M.nconns; i++) {
        if (M.conns[i] == c) {
            M.conns[i] = M.conns[--M.nconns];
            break;
        }
    }
    close(c->fd);
    buf_free(&c->in);
    buf_free(&c->out);
    free(c);
}

int conn_poll_mask(const struct conn *c)
{
    int stdin_full = wants(c, 0) && buf_size(&M.stdin_buf) > MAX_STDIN;
    return (c->reading && !stdin_full ? POLLIN : 0) | (buf_size(&c->out) ? POLLOUT : 0);
}

/* Write what the socket takes; drop the client when finished or broken. */
void conn_flush(struct conn *c)
{
    while (buf_size(&c->out)) {
        ssize_t n = send(c->fd, c->out.p + c->out.off, buf_size(&c->out), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            drop_conn(c);
            return;
        }
        buf_take(&c->out, (size_t)n);
    }
    if (c->close_after)
        drop_conn(c);
}

static void send_line(struct conn *c, const char *line, int close_after)
{
    buf_addstr(&c->out, line);
    c->close_after |= close_after;
}

/* --- stdin -------------------------------------------------------------------------- */
static void feed_stdin(const char *data, size_t n)
{
    if (M.in_fd < 0 || M.exited)
        return;
    buf_add(&M.stdin_buf, data, n);
    flush_stdin();
}

/* End the container's stdin (docker's StdinOnce); a pty gets EOT instead. */
static void close_stdin(void)
{
    if (M.in_fd < 0)
        return;
    if (M.tty) {
        ssize_t r = write(M.in_fd, "\x04", 1);
        (void)r;
        return;
    }
    close(M.in_fd);
    M.in_fd = -1;
}

void flush_stdin(void)
{
    while (M.in_fd >= 0 && buf_size(&M.stdin_buf)) {
        ssize_t n = write(M.in_fd, M.stdin_buf.p + M.stdin_buf.off, buf_size(&M.stdin_buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) { /* the container closed its stdin */
            buf_take(&M.stdin_buf, buf_size(&M.stdin_buf));
            M.stdin_eof = 1;
            break;
        }
        buf_take(&M.stdin_buf, (size_t)n);
    }
    if (M.stdin_eof && !buf_size(&M.stdin_buf))
        close_stdin();
}

void stdin_ended(void)
{
    M.stdin_eof = 1;
    flush_stdin();
}

/* --- output ------------------------------------------------------------------------- */
static int stream_of(int fd)
{
    return fd == M.err_fd ? 2 : 1;
}

void close_output(int fd)
{
    int stream = stream_of(fd);
    log_output(stream, "", 0, 1);
    if (fd == M.out_fd)
        M.out_fd = -1;
    else
        M.err_fd = -1;
    if (fd == M.in_fd) /* the pty master is both */
        M.in_fd = -1;
    close(fd);
}

void on_output(int fd, short revents)
{
    static char data[16384];
    if (revents & POLLOUT)
        flush_stdin();
    if (!(revents & (POLLIN | POLLGONE)))
        return;
    ssize_t n = read(fd, data, sizeof data);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) { /* EOF, or EIO: the pty's last slave fd closed */
        close_output(fd);
        return;
    }
    int stream = stream_of(fd);
    log_output(stream, data, (size_t)n, 0);
    unsigned char head[8] = {(unsigned char)stream, 0, 0, 0, (unsigned char)(n >> 24),
                             (unsigned char)(n >> 16), (unsigned char)(n >> 8),
                             (unsigned char)n};
    for (size_t i = 0; i < M.nconns;) {
        struct conn *c = M.conns[i];
        if (!wants(c, stream)) {
            i++;
            continue;
        }
        if (!M.tty)
            buf_add(&c->out, head, sizeof head);
        buf_add(&c->out, data, (size_t)n);
        if (buf_size(&c->out) > MAX_PENDING) {
            drop_conn(c); /* swapped the last one into i */
            continue;
        }
        size_t before = M.nconns;
        conn_flush(c);
        if (M.nconns == before)
            i++;
    }
}

/* --- requests ----------------------------------------------------------------------- */
static void resize(struct conn *c)
{
    struct request *rq = &c->rq;
    char msg[256];
    if (!rq->has_h || !rq->has_w || rq->height < 0 || rq->height >= 65536 || rq->width < 0 ||
        rq->width >= 65536) {
        snprintf(msg, sizeof msg, "resize: bad size height=%s width=%s",
                 rq->bad_h[0] ? rq->bad_h : "None", rq->bad_w[0] ? rq->bad_w : "None");
        reply_error(&c->out, "InvalidArgument", msg);
    } else if (!M.tty) {
        snprintf(msg, sizeof msg, "container %s: has no TTY to resize", M.id);
        reply_error(&c->out, "FailedPrecondition", msg);
    } else if (M.out_fd < 0) {
        snprintf(msg, sizeof msg, "container %s: is not running", M.id);
        reply_error(&c->out, "FailedPrecondition", msg);
    } else {
        struct winsize ws = {.ws_row = (unsigned short)rq->height,
                             .ws_col = (unsigned short)rq->width};
        if (ioctl(M.out_fd, TIOCSWINSZ, &ws) < 0) {
            snprintf(msg, sizeof msg, "resize: %s", strerror(errno));
            reply_error(&c->out, "Unavailable", msg);
        } else {
            send_line(c, "{\"ok\":true}\n", 1);
        }
    }
    c->close_after = 1;
}

static void do_signal(struct conn *c)
{
    struct request *rq = &c->rq;
    char msg[256];
    if (!rq->has_sig || rq->sig <= 0 || rq->sig >= 65) {
        snprintf(msg, sizeof msg, "signal: bad signal number %s",
                 rq->bad_sig[0] ? rq->bad_sig : "None");
        reply_error(&c->out, "InvalidArgument", msg);
    } else if (M.exited || M.init_pid <= 0 || kill(M.init_pid, (int)rq->sig) < 0) {
        /* the init is only ever reaped by us, so its pid cannot have been recycled */
        snprintf(msg, sizeof msg, "container %s: is not running", M.id);
        reply_error(&c->out, "FailedPrecondition", msg);
    } else {
        send_line(c, "{\"ok\":true}\n", 1);
    }
    c->close_after = 1;
}

static void dispatch(struct conn *c)
{
    char msg[256];
    switch (c->op) {
    case OP_WAIT:
        return; /* answered when the monitor finishes, after exit.json is written */
    case OP_START: {
        if (do_start(&c->out) == 0)
            buf_printf(&c->out, "{\"ok\":true,\"pid\":%d}\n", (int)M.init_pid);
        c->close_after = 1;
        return;
    }
    case OP_ATTACH:
        if (M.exited && M.out_fd < 0 && M.err_fd < 0) {
            snprintf(msg, sizeof msg, "container %s: is not running", M.id);
            reply_error(&c->out, "FailedPrecondition", msg);
            c->close_after = 1;
        } else {
            send_line(c, "{\"ok\":true}\n", 0);
        }
        return;
    case OP_RESIZE:
        resize(c);
        return;
    case OP_SIGNAL:
        do_signal(c);
        return;
    default:
        snprintf(msg, sizeof msg, "unknown monitor op '%s'", c->rq.name);
        reply_error(&c->out, "InvalidArgument", msg);
        c->close_after = 1;
    }
}

/* The request line: parse and answer it; bytes after it are an attacher's stdin. */
static void on_request_bytes(struct conn *c, const char *data, size_t n)
{
    buf_add(&c->in, data, n);
    char *line = c->in.p + c->in.off;
    char *nl = memchr(line, '\n', buf_size(&c->in));
    if (!nl) {
        if (buf_size(&c->in) > MAX_LINE) {
            /* answer, then read and drop the rest until the client's EOF: closing with
             * unread bytes would reset the connection and lose the answer */
            reply_error(&c->out, "InvalidArgument", "monitor request line too long");
            c->op = OP_UNKNOWN;
            buf_free(&c->in);
        }
        return;
    }
    int rc = parse_request(line, (size_t)(nl - line), &c->rq);
    size_t used = (size_t)(nl - line) + 1;
    if (rc) {
        reply_error(&c->out, "InvalidArgument", rc == -1 ? "monitor request is not JSON"
                    : "monitor request needs an \"op\"");
        c->close_after = 1;
        c->op = OP_UNKNOWN;
        c->reading = 0;
        return;
    }
    c->op = c->rq.op;
    dispatch(c);
    if (wants(c, 0) && !c->close_after && buf_size(&c->in) > used)
        feed_stdin(c->in.p + c->in.off + used, buf_size(&c->in) - used);
    buf_free(&c->in);
}

static void client_eof(struct conn *c)
{
    c->reading = 0;
    if (c->op == OP_ATTACH && !c->close_after) {
        if (wants(c, 0) && M.stdin_once)
            stdin_ended();
        if (wants(c, 1) || wants(c, 2))
            return; /* docker CLI half-closes at once when not sending stdin: keep writing */
    }
    if (c->op == OP_NONE || c->op == OP_WAIT || c->op == OP_ATTACH || !c->close_after)
        drop_conn(c);
    /* others finish once their reply is flushed */
}

void on_conn(struct conn *c, short revents)
{
    if (revents & (POLLIN | POLLGONE) && c->reading) {
        char data[16384];
        ssize_t n = recv(c->fd, data, sizeof data, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            client_eof(c);
            return;
        }
        if (c->op == OP_NONE)
            on_request_bytes(c, data, (size_t)n);
        else if (wants(c, 0))
            feed_stdin(data, (size_t)n);
    } else if (revents & POLLGONE && !c->reading) {
        drop_conn(c);
        return;
    }
    conn_flush(c);
}

/* The end: every client gets what is queued for it (waiters their exit record), each
 * within a second, then is closed. */
void finish_conns(const char *wait_reply)
{
    while (M.nconns) {
        struct conn *c = M.conns[M.nconns - 1];
        if (c->op == OP_WAIT)
            buf_addstr(&c->out, wait_reply);
        int flags = fcntl(c->fd, F_GETFL);
        fcntl(c->fd, F_SETFL, flags & ~O_NONBLOCK);
        struct timeval tv = {1, 0};
        setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        while (buf_size(&c->out)) {
            ssize_t n = send(c->fd, c->out.p + c->out.off, buf_size(&c->out), MSG_NOSIGNAL);
            if (n <= 0)
                break;
            buf_take(&c->out, (size_t)n);
        }
        drop_conn(c);
    }
}

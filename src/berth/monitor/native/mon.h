/* berth-monitor: the native steady state of a container's monitor (docs/design/monitor.md).
 *
 * Python (berth.monitor.monitor) sets the container up, replies to the spawner and then
 * execve()s this program with the fds it made; from then on this process is the
 * container's monitor for its whole life: it serves monitor.sock, writes the log, and
 * records the exit. It is small on purpose: a forked CPython monitor cannot get below
 * ~2 MiB of private pages, this one lives in a few dozen.
 *
 * Shared declarations of the modules: main.c (arguments, poll loop, the init's exit),
 * proto.c (request lines and replies), attach.c (monitor.sock clients and the
 * container's stdio), logs.c (json-file/local writers, rotation), exit.c (start op,
 * exit.json, helpers), delete.c (the runtime's delete after the exit, without hooks).
 */
#ifndef BERTH_MON_H
#define BERTH_MON_H

#include <stddef.h>
#include <stdint.h>
#include <poll.h>
#include <sys/types.h>

#define POLLGONE (POLLHUP | POLLERR | POLLNVAL)

/* A growable byte buffer: data is p[off..len). */
struct buf {
    char *p;
    size_t off, len, cap;
};
void buf_add(struct buf *b, const void *data, size_t n);
void buf_addstr(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t buf_size(const struct buf *b);
void buf_take(struct buf *b, size_t n); /* drop n bytes from the front */
void buf_free(struct buf *b);

enum op { OP_NONE, OP_START, OP_ATTACH, OP_WAIT, OP_RESIZE, OP_SIGNAL, OP_UNKNOWN };

/* What proto.c extracts from a request line (the keys the protocol uses). */
struct request {
    enum op op;
    char name[64];          /* the op as sent (for "unknown monitor op") */
    int in, out, err;       /* attach: truthy "stdin" / "stdout" / "stderr" */
    int has_h, has_w, has_sig;
    long long height, width, sig;
    char bad_h[32], bad_w[32], bad_sig[32]; /* the raw value when it is not an int */
};

/* Parse one line (without the newline). 0 ok; -1 not JSON; -2 no string "op". */
int parse_request(const char *line, size_t n, struct request *rq);

/* Reply lines. */
void json_str(struct buf *b, const char *s);
void reply_error(struct buf *b, const char *kind, const char *msg);

/* One monitor.sock client. */
struct conn {
    int fd;
    enum op op;
    int reading;       /* 0 after the client's EOF */
    int close_after;   /* finished once outbuf is flushed */
    struct request rq;
    struct buf in, out;
};

/* The monitor's whole state (one per process: a global, see main.c). */
struct mon {
    const char *id, *state_dir, *runtime_root;
    int listen_fd, lock_fd, sig_fd;
    int out_fd, err_fd, in_fd;   /* -1 when absent; with a TTY out == in (pty master) */
    int tty, stdin_once;
    pid_t init_pid;
    int started;                 /* the exec fifo was read */
    const char *exec_fifo;
    const char *oom_file;
    long long oom_base;
    int poststart;
    char **helper;               /* argv of the Python one-shot (poststart, cleanup) */
    int native_delete;           /* no poststop hooks: delete.c removes what follows */
    char **cgroups;              /* the container's cgroup dirs (--cgroup, repeated) */
    size_t ncgroups;
    /* stdin */
    struct buf stdin_buf;
    int stdin_eof;
    /* clients */
    struct conn **conns;
    size_t nconns;
    /* the exit */
    int exited, exit_code, oom;
    char finished[48];
    int64_t deadline_ms;
};
extern struct mon M;

#define MAX_LINE (1 << 16)      /* a request line longer than this is refused */
#define MAX_PENDING (4 << 20)   /* an attacher this far behind is dropped */
#define MAX_STDIN (1 << 20)     /* attachers' input pauses above this */
#define DRAIN_MS 2000           /* output read after the init's exit, at most */

/* main.c */
int64_t now_ms(void);
void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* attach.c */
void accept_clients(void);
void on_conn(struct conn *c, short revents);
void drop_conn(struct conn *c);
void on_output(int fd, short revents);
void close_output(int fd);
void flush_stdin(void);
void stdin_ended(void);
void conn_flush(struct conn *c);
int conn_poll_mask(const struct conn *c);
void finish_conns(const char *wait_reply);

/* logs.c */
int log_open(const char *driver, const char *path, long long max_size, int max_file,
             int compress);
void log_output(int stream, const char *data, size_t n, int eof);
void log_close(void);

/* exit.c */
void format_time(int64_t ns, char *out, size_t outn);
int64_t now_ns(void);
int do_start(struct buf *err);  /* the start op: 0, or -1 with an error reply in err */
long long oom_count(void);
void write_exit(const char *error);
void run_cleanup(void);

/* delete.c */
int native_delete(void);        /* 0 done (or not ours); -1: leave it to the helper */

#endif

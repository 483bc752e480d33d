/* The container's log: json-file (docker's format), local (berth's binary records), none.
 *
 * Output is cut into messages the way docker's copier does: a message ends at "\n"
 * (kept); a line longer than 16 KiB goes out in 16 KiB partial pieces, and what is left
 * when the stream closes is a partial message. Every message of one read() carries the
 * time of that read. berth.monitor.logs.reader reads both formats back, rotated and
 * compressed files included, and so does docker's CLI for json-file.
 *
 * json-file encoding is moby's jsonlog: "\n" "\r" "\t" '"' "\\" escaped short, other
 * bytes below 0x20 and < > & as \u00XX, U+2028/U+2029 as \u2028/\u2029, each byte of
 * invalid UTF-8 as \ufffd, valid non-ASCII as is; time is RFC3339Nano in UTC.
 *
 * Rotation is moby's LogFile: once a write brings the file to max-size or more,
 * path.N-1 -> path.N ... path -> path.1 (gzip'd to path.1.gz with compress: temp +
 * rename, so readers never see half a file) and a new empty path; max-file 1 truncates.
 */
#define _GNU_SOURCE /* accept4, signalfd, pidfd via syscall(), O_CLOEXEC, gzdopen */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "mon.h"

#define MAX_MESSAGE (16 * 1024)

enum driver { D_NONE, D_JSON, D_LOCAL };

static struct {
    enum driver driver;
    const char *path;
    long long max_size, size;
    int max_file, compress, fd;
    struct buf line[3];  /* per stream (1 stdout, 2 stderr): bytes of an unfinished line */
    struct buf enc;      /* the encoded records of one read, written at once */
} L = {.fd = -1};

static int open_log(int extra)
{
    return open(L.path, O_WRONLY | O_CREAT | O_CLOEXEC | extra, 0640);
}

int log_open(const char *driver, const char *path, long long max_size, int max_file,
             int compress)
{
    if (!strcmp(driver, "none"))
        return 0;
    L.driver = !strcmp(driver, "local") ? D_LOCAL : D_JSON;
    L.path = path;
    L.max_size = max_size;
    L.max_file = max_file < 1 ? 1 : max_file;
    L.compress = compress && L.max_file > 1;
    L.fd = open_log(O_APPEND);
    if (L.fd < 0)
        return -1;
    off_t end = lseek(L.fd, 0, SEEK_END);
    L.size = end > 0 ? end : 0;
    return 0;
}

/* --- json-file --------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid (as Go decodes:
 * no overlongs, no surrogates, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] > 0x9f))
            return 0;
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] > 0x8f))
            return 0;
        return 4;
    }
    return 0;
}

static void json_message(struct buf *b, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0; /* run: bytes from s+i-run.. to copy as they are */
    while (i < n) {
        unsigned char c = s[i];
        const char *esc = NULL;
        char u[6];
        size_t k = 1;
        if (c >= 0x80) {
            k = utf8_len(s + i, n - i);
            if (k == 0) {
                esc = "\\ufffd";
                k = 1;
            } else if (k == 3 && c == 0xe2 && s[i + 1] == 0x80 && (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
                esc = s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
            }
        } else if (c == '"') {
            esc = "\\\"";
        } else if (c == '\\') {
            esc = "\\\\";
        } else if (c == '\n') {
            esc = "\\n";
        } else if (c == '\r') {
            esc = "\\r";
        } else if (c == '\t') {
            esc = "\\t";
        } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
            memcpy(u, "\\u00", 4);
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
            if (run)
                buf_add(b, s + i - run, run);
            run = 0;
            buf_add(b, u, 6);
            i++;
            continue;
        }
        if (esc) {
            if (run)
                buf_add(b, s + i - run, run);
            run = 0;
            buf_addstr(b, esc);
        } else {
            run += k;
        }
        i += k;
    }
    if (run)
        buf_add(b, s + n - run, run);
}

static void encode(int stream, const char *data, size_t n, int partial, int64_t ns)
{
    if (L.driver == D_JSON) {
        char stamp[48];
        format_time(ns, stamp, sizeof stamp);
        buf_addstr(&L.enc, "{\"log\":\"");
        json_message(&L.enc, (const unsigned char *)data, n);
        buf_printf(&L.enc, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n",
                   stream == 2 ? "stderr" : "stdout", stamp);
        return;
    }
    /* local: u32be N | u8 stream | u8 flags | u64be time_ns | message | u32be N */
    unsigned char head[14];
    uint32_t len = (uint32_t)(10 + n);
    uint64_t t = (uint64_t)ns;
    for (int i = 0; i < 4; i++)
        head[i] = (unsigned char)(len >> (24 - 8 * i));
    head[4] = (unsigned char)stream;
    head[5] = partial ? 1 : 0;
    for (int i = 0; i < 8; i++)
        head[6 + i] = (unsigned char)(t >> (56 - 8 * i));
    buf_add(&L.enc, head, sizeof head);
    buf_add(&L.enc, data, n);
    buf_add(&L.enc, head, 4);
}

/* --- rotation ---------------------------------------------------------------------- */
static void gzip_file(const char *src, const char *dst)
{
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp", dst);
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    gzFile gz = out >= 0 ? gzdopen(out, "wb") : NULL;
    int ok = in >= 0 && gz != NULL;
    char chunk[16384];
    ssize_t n;
    while (ok && (n = read(in, chunk, sizeof chunk)) != 0) {
        if (n < 0) {
            if (errno == EINTR)
                continue;
            ok = 0;
        } else if (gzwrite(gz, chunk, (unsigned)n) != (int)n) {
            ok = 0;
        }
    }
    if (gz) {
        if (gzclose(gz) != Z_OK)
            ok = 0;
    } else if (out >= 0) {
        close(out);
    }
    if (in >= 0)
        close(in);
    if (ok && rename(tmp, dst) == 0) {
        unlink(src);
    } else {
        unlink(tmp); /* keep the uncompressed file: the reader reads it as well */
    }
}

static void rotate(void)
{
    char from[4200], to[4200];
    const char *ext = L.compress ? ".gz" : "";
    close(L.fd);
    if (L.max_file >= 2) {
        snprintf(to, sizeof to, "%s.%d%s", L.path, L.max_file - 1, ext);
        unlink(to);
        for (int i = L.max_file - 2; i >= 1; i--) {
            snprintf(from, sizeof from, "%s.%d%s", L.path, i, ext);
            snprintf(to, sizeof to, "%s.%d%s", L.path, i + 1, ext);
            rename(from, to);
        }
        snprintf(to, sizeof to, "%s.1", L.path);
        rename(L.path, to);
        if (L.compress) {
            snprintf(from, sizeof from, "%s.1.gz", L.path);
            gzip_file(to, from);
        }
    }
    L.fd = open_log(O_TRUNC);
    L.size = 0;
}

/* Write the encoded records; rotate after each record that reaches max-size. */
static void flush_records(const size_t *ends, size_t nrec)
{
    size_t pos = 0;
    for (size_t r = 0; r < nrec; r++) {
        size_t end = ends[r];
        if (L.fd >= 0) {
            const char *p = L.enc.p + L.enc.off + pos;
            size_t left = end - pos;
            while (left) {
                ssize_t w = write(L.fd, p, left);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    break; /* disk full or gone: the log loses this; the container goes on */
                p += w;
                left -= (size_t)w;
            }
        }
        L.size += (long long)(end - pos);
        pos = end;
        if (L.max_size > 0 && L.size >= L.max_size)
            rotate();
    }
    buf_take(&L.enc, buf_size(&L.enc));
}

/* --- splitting ---------------------------------------------------------------------- */

/* Bytes of one read from stream 1 or 2 (eof: the stream ended, flush its rest). */
void log_output(int stream, const char *data, size_t n, int eof)
{
    if (L.driver == D_NONE)
        return;
    struct buf *line = &L.line[stream];
    int64_t ns = now_ns();
    size_t ends[64], nrec = 0;
    const char *p;
    size_t left;
    if (buf_size(line)) { /* join the unfinished line and the new bytes */
        buf_add(line, data, n);
        p = line->p + line->off;
        left = buf_size(line);
    } else {
        p = data;
        left = n;
    }
    while (left) {
        size_t window = left < MAX_MESSAGE ? left : MAX_MESSAGE;
        const char *nl = memchr(p, '\n', window);
        size_t take;
        int partial;
        if (nl) {
            take = (size_t)(nl - p) + 1;
            partial = 0;
        } else if (left >= MAX_MESSAGE) {
            take = MAX_MESSAGE;
            partial = 1;
        } else if (eof) {
            take = left;
            partial = 1;
        } else {
            break;
        }
        encode(stream, p, take, partial, ns);
        ends[nrec++] = buf_size(&L.enc);
        p += take;
        left -= take;
        if (nrec == sizeof ends / sizeof ends[0]) {
            flush_records(ends, nrec);
            nrec = 0;
        }
    }
    if (nrec)
        flush_records(ends, nrec);
    /* keep what is left of an unfinished line */
    if (p >= data && p <= data + n) {
        if (left)
            buf_add(line, p, left);
    } else {
        size_t used = buf_size(line) - left;
        buf_take(line, used);
    }
}

void log_close(void)
{
    if (L.fd >= 0)
        close(L.fd);
    L.fd = -1;
}

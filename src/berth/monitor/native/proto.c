/* Request lines and reply lines of monitor.sock (docs/design/containers.md, "Monitor
 * protocol"), and the byte buffer everything queues into.
 *
 * Requests are one JSON object per connection. The parser below is a complete JSON
 * syntax check (garbage must be refused, never half-read) that keeps only what the
 * protocol uses from the top level: "op", the attach flags and the integers of resize
 * and signal. Values it does not need are walked and dropped. Truthiness of the attach
 * flags follows Python's bool() as the Python monitor did: false, null, 0, "" and empty
 * containers are false.
 */
#define _GNU_SOURCE /* accept4, signalfd, pidfd via syscall(), O_CLOEXEC, gzdopen */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mon.h"

/* --- buffers ----------------------------------------------------------------------- */
void buf_add(struct buf *b, const void *data, size_t n)
{
    if (b->off && b->off == b->len)
        b->off = b->len = 0;
    if (b->len + n > b->cap) {
        if (b->off) { /* compact before growing */
            memmove(b->p, b->p + b->off, b->len - b->off);
            b->len -= b->off;
            b->off = 0;
        }
        if (b->len + n > b->cap) {
            size_t cap = b->cap ? b->cap : 256;
            while (cap < b->len + n)
                cap *= 2;
            char *p = realloc(b->p, cap);
            if (!p)
                die("out of memory");
            b->p = p;
            b->cap = cap;
        }
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
}

void buf_addstr(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_printf(struct buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0)
        buf_add(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

size_t buf_size(const struct buf *b) { return b->len - b->off; }

void buf_take(struct buf *b, size_t n)
{
    b->off += n;
    if (b->off >= b->len) {
        b->off = b->len = 0;
        if (b->cap > (64 << 10)) { /* a burst is over: give the memory back */
            free(b->p);
            b->p = NULL;
            b->cap = 0;
        }
    }
}

void buf_free(struct buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* --- a JSON syntax walker ---------------------------------------------------------- */
struct parser {
    const char *s, *end;
};

enum kind { K_BAD, K_NULL, K_FALSE, K_TRUE, K_NUM, K_STR, K_ARR, K_OBJ };

static void ws(struct parser *p)
{
    while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
        p->s++;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = s[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return -1;
    }
    *out = v;
    return 0;
}

static void put_utf8(char *out, size_t outn, size_t *len, unsigned cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) { u[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { u[0] = (char)(0xc0 | cp >> 6); u[1] = (char)(0x80 | (cp & 0x3f)); n = 2; }
    else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12); u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f)); n = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18); u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); u[3] = (char)(0x80 | (cp & 0x3f)); n = 4;
    }
    for (size_t i = 0; i < n; i++)
        if (*len + 1 < outn)
            out[(*len)++] = u[i];
}

/* A string at p->s (the opening quote); its decoded text (truncated) into out. */
static int string(struct parser *p, char *out, size_t outn, size_t *outlen)
{
    size_t len = 0;
    p->s++;
    while (p->s < p->end) {
        unsigned char c = (unsigned char)*p->s++;
        if (c == '"') {
            if (out && outn)
                out[len < outn ? len : outn - 1] = 0;
            if (outlen)
                *outlen = len;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c != '\\') {
            if (out && len + 1 < outn)
                out[len++] = (char)c;
            continue;
        }
        if (p->s >= p->end)
            return -1;
        char e = *p->s++;
        unsigned cp;
        switch (e) {
        case '"': case '\\': case '/': cp = (unsigned char)e; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (p->end - p->s < 4 || hex4(p->s, &cp))
                return -1;
            p->s += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && p->end - p->s >= 6 && p->s[0] == '\\' &&
                p->s[1] == 'u') {
                unsigned lo;
                if (!hex4(p->s + 2, &lo) && lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p->s += 6;
                }
            }
            break;
        default:
            return -1;
        }
        if (out)
            put_utf8(out, outn, &len, cp);
    }
    return -1;
}

/* A number; *is_int and *ival when it is an integer (no fraction or exponent). */
static int number(struct parser *p, int *is_int, long long *ival)
{
    const char *start = p->s;
    if (p->s < p->end && *p->s == '-')
        p->s++;
    if (p->s >= p->end || *p->s < '0' || *p->s > '9')
        return -1;
    if (*p->s == '0')
        p->s++;
    else
        while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
            p->s++;
    *is_int = 1;
    if (p->s < p->end && *p->s == '.') {
        *is_int = 0;
        p->s++;
        if (p->s >= p->end || *p->s < '0' || *p->s > '9')
            return -1;
        while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
            p->s++;
    }
    if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
        *is_int = 0;
        p->s++;
        if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
            p->s++;
        if (p->s >= p->end || *p->s < '0' || *p->s > '9')
            return -1;
        while (p->s < p->end && *p->s >= '0' && *p->s <= '9')
            p->s++;
    }
    if (*is_int) {
        char tmp[32];
        size_t n = (size_t)(p->s - start);
        if (n >= sizeof tmp) {
            *is_int = 0; /* too big for the protocol's integers: treat as not one */
            return 0;
        }
        memcpy(tmp, start, n);
        tmp[n] = 0;
        *ival = strtoll(tmp, NULL, 10);
    }
    return 0;
}

static int literal(struct parser *p, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n))
        return -1;
    p->s += n;
    return 0;
}

/* Any value; its kind, and for scalars whether it is "truthy" and its integer value. */
struct value {
    enum kind kind;
    int truthy, is_int;
    long long ival;
    const char *start, *stop; /* its text */
};

static int value(struct parser *p, struct value *v, int depth);

static int container(struct parser *p, struct value *v, int depth, char close)
{
    int count = 0;
    p->s++;
    ws(p);
    if (p->s < p->end && *p->s == close) {
        p->s++;
        v->truthy = 0;
        return 0;
    }
    for (;;) {
        struct value item;
        if (close == '}') {
            ws(p);
            if (p->s >= p->end || *p->s != '"' || string(p, NULL, 0, NULL))
                return -1;
            ws(p);
            if (p->s >= p->end || *p->s++ != ':')
                return -1;
        }
        if (value(p, &item, depth + 1))
            return -1;
        count++;
        ws(p);
        if (p->s >= p->end)
            return -1;
        if (*p->s == ',') {
            p->s++;
            continue;
        }
        if (*p->s++ != close)
            return -1;
        v->truthy = count > 0;
        return 0;
    }
}

static int value(struct parser *p, struct value *v, int depth)
{
    memset(v, 0, sizeof *v);
    if (depth > 64)
        return -1;
    ws(p);
    if (p->s >= p->end)
        return -1;
    v->start = p->s;
    int rc;
    size_t slen = 0;
    switch (*p->s) {
    case '{': v->kind = K_OBJ; rc = container(p, v, depth, '}'); break;
    case '[': v->kind = K_ARR; rc = container(p, v, depth, ']'); break;
    case '"': v->kind = K_STR; rc = string(p, NULL, 0, &slen); v->truthy = slen > 0; break;
    case 't': v->kind = K_TRUE; rc = literal(p, "true"); v->truthy = 1; break;
    case 'f': v->kind = K_FALSE; rc = literal(p, "false"); break;
    case 'n': v->kind = K_NULL; rc = literal(p, "null"); break;
    default:
        v->kind = K_NUM;
        rc = number(p, &v->is_int, &v->ival);
        v->truthy = !(v->is_int && v->ival == 0) && rc == 0;
        if (!v->is_int) { /* 0.0 is falsy too */
            char tmp[64];
            size_t n = (size_t)(p->s - v->start);
            if (n < sizeof tmp) {
                memcpy(tmp, v->start, n);
                tmp[n] = 0;
                v->truthy = strtod(tmp, NULL) != 0.0;
            }
        }
    }
    v->stop = p->s;
    return rc;
}

/* An object key, decoded (truncated to outn) for comparison with the keys we use. */
static int key(struct parser *p, char *out, size_t outn)
{
    ws(p);
    if (p->s >= p->end || *p->s != '"')
        return -1;
    return string(p, out, outn, NULL);
}

static void raw(const struct value *v, char *out, size_t outn)
{
    size_t n = (size_t)(v->stop - v->start);
    if (n >= outn)
        n = outn - 1;
    memcpy(out, v->start, n);
    out[n] = 0;
}

static enum op op_of(const char *name)
{
    static const struct { const char *name; enum op op; } ops[] = {
        {"start", OP_START}, {"attach", OP_ATTACH}, {"wait", OP_WAIT},
        {"resize", OP_RESIZE}, {"signal", OP_SIGNAL}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (!strcmp(name, ops[i].name))
            return ops[i].op;
    return OP_UNKNOWN;
}

int parse_request(const char *line, size_t n, struct request *rq)
{
    struct parser p = {line, line + n};
    int have_op = 0;
    memset(rq, 0, sizeof *rq);
    ws(&p);
    if (p.s >= p.end)
        return -1;
    if (*p.s != '{') { /* valid JSON that is not an object still needs an "op" */
        struct value v;
        if (value(&p, &v, 0))
            return -1;
        ws(&p);
        return p.s == p.end ? -2 : -1;
    }
    p.s++;
    ws(&p);
    if (p.s < p.end && *p.s == '}') {
        p.s++;
    } else {
        for (;;) {
            char k[16];
            struct value v;
            if (key(&p, k, sizeof k))
                return -1;
            ws(&p);
            if (p.s >= p.end || *p.s++ != ':')
                return -1;
            ws(&p);
            if (!strcmp(k, "op") && p.s < p.end && *p.s == '"') {
                /* later duplicates win, as in Python's json */
                if (string(&p, rq->name, sizeof rq->name, NULL))
                    return -1;
                have_op = 1;
            } else {
                if (value(&p, &v, 1))
                    return -1;
                if (!strcmp(k, "op")) {
                    have_op = 0;
                } else if (!strcmp(k, "stdin")) {
                    rq->in = v.truthy;
                } else if (!strcmp(k, "stdout")) {
                    rq->out = v.truthy;
                } else if (!strcmp(k, "stderr")) {
                    rq->err = v.truthy;
                } else if (!strcmp(k, "height")) {
                    rq->has_h = v.is_int;
                    rq->height = v.ival;
                    raw(&v, rq->bad_h, sizeof rq->bad_h);
                } else if (!strcmp(k, "width")) {
                    rq->has_w = v.is_int;
                    rq->width = v.ival;
                    raw(&v, rq->bad_w, sizeof rq->bad_w);
                } else if (!strcmp(k, "signal")) {
                    rq->has_sig = v.is_int;
                    rq->sig = v.ival;
                    raw(&v, rq->bad_sig, sizeof rq->bad_sig);
                }
            }
            ws(&p);
            if (p.s >= p.end)
                return -1;
            if (*p.s == ',') {
                p.s++;
                continue;
            }
            if (*p.s++ != '}')
                return -1;
            break;
        }
    }
    ws(&p);
    if (p.s != p.end)
        return -1;
    if (!have_op)
        return -2;
    rq->op = op_of(rq->name);
    return 0;
}

/* --- replies ----------------------------------------------------------------------- */
void json_str(struct buf *b, const char *s)
{
    buf_add(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            buf_add(b, e, 2);
        } else if (c < 0x20) {
            buf_printf(b, "\\u%04x", c);
        } else {
            buf_add(b, s, 1);
        }
    }
    buf_add(b, "\"", 1);
}

/* An error reply as records.error_reply makes them (exit_code 1: no runtime code). */
void reply_error(struct buf *b, const char *kind, const char *msg)
{
    buf_addstr(b, "{\"ok\":false,\"error\":");
    json_str(b, msg);
    buf_addstr(b, ",\"kind\":");
    json_str(b, kind);
    buf_addstr(b, ",\"exit_code\":1}\n");
}

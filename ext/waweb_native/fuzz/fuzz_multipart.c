/* libFuzzer harness for the multipart core (multipart.c). The input is a little program:
 * a boundary choice, a read chunk size, then up to 8 field or file parts with
 * fuzzer-chosen names, values, filenames, content types and file bytes. The body read
 * back in chunks must equal the body built here independently from the format (RFC 7578
 * with CR, LF and '"' percent-escaped in names), and parts are refused exactly when the
 * header says they are. Built by `rake fuzz`. */
#define _XOPEN_SOURCE 700
#include "../multipart.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

#define MAX_PARTS 8
#define FIXED_BOUNDARY "waweb-fuzz-7f3a9c"

static char paths[MAX_PARTS][64];
static int fds[MAX_PARTS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *dir = getenv("TMPDIR");
    for (int i = 0; i < MAX_PARTS; i++) {
        snprintf(paths[i], sizeof(paths[i]), "%s/waweb-fuzz-mp-XXXXXX", dir ? dir : "/tmp");
        if (strlen(paths[i]) >= sizeof(paths[i]) - 1)
            abort();
        fds[i] = mkstemp(paths[i]);
        if (fds[i] < 0)
            abort();
        unlink(paths[i]); /* reopened through /proc so nothing is left behind */
        snprintf(paths[i], sizeof(paths[i]), "/proc/self/fd/%d", fds[i]);
    }
    return 0;
}

typedef struct {
    const uint8_t *p;
    size_t left;
} reader;

static uint8_t byte(reader *r)
{
    if (!r->left)
        return 0;
    r->left--;
    return *r->p++;
}

/* A length byte then that many bytes (fewer at the end of input). */
static const char *chunk(reader *r, size_t *len)
{
    size_t n = byte(r);
    if (n > r->left)
        n = r->left;
    const char *s = (const char *)r->p;
    r->p += n;
    r->left -= n;
    *len = n;
    return s;
}

typedef struct {
    char *buf;
    size_t len, cap;
} sbuf;

static void sput(sbuf *b, const char *s, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = (b->len + n) * 2 + 64;
        char *nb = realloc(b->buf, cap);
        CHECK(nb != NULL);
        b->buf = nb;
        b->cap = cap;
    }
    if (n)
        memcpy(b->buf + b->len, s, n);
    b->len += n;
}

static void sputs(sbuf *b, const char *s)
{
    sput(b, s, strlen(s));
}

static void sput_escaped(sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r')
            sputs(b, "%0D");
        else if (s[i] == '\n')
            sputs(b, "%0A");
        else if (s[i] == '"')
            sputs(b, "%22");
        else
            sput(b, s + i, 1);
    }
}

static int has(const char *s, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++) {
        if (memcmp(s + i, needle, m) == 0)
            return 1;
    }
    return 0;
}

static size_t count(const char *s, size_t n, const char *needle, size_t m)
{
    size_t c = 0;
    for (size_t i = 0; i + m <= n; i++) {
        if (memcmp(s + i, needle, m) == 0)
            c++;
    }
    return c;
}

static int valid_ctype(const char *s, size_t n)
{
    if (n == 0 || s[0] == ' ' || s[0] == '\t')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c >= 0x7f)
            return 0;
    }
    return 1;
}

static char *copy(const char *s, size_t n)
{
    char *c = malloc(n ? n : 1);
    CHECK(c != NULL);
    if (n)
        memcpy(c, s, n);
    return c;
}

/* Reads the whole body in chunks of `step` bytes into out. */
static waweb_mp_status read_all(waweb_multipart *m, size_t step, sbuf *out)
{
    char *buf = malloc(step);
    CHECK(buf != NULL);
    for (;;) {
        size_t got = 12345;
        waweb_mp_status st = waweb_multipart_read(m, buf, step, &got);
        if (st != WAWEB_MP_OK) {
            free(buf);
            return st;
        }
        CHECK(got <= step);
        if (got == 0)
            break;
        sput(out, buf, got);
        CHECK(waweb_multipart_position(m) == out->len);
    }
    free(buf);
    return WAWEB_MP_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    reader r = {data, size};
    uint8_t flags = byte(&r);
    size_t step1 = 1 + (size_t)byte(&r) * ((flags & 2) ? 61 : 1);
    size_t step2 = 1 + (size_t)byte(&r) * 3;

    waweb_multipart *m = NULL;
    const char *boundary = FIXED_BOUNDARY;
    size_t blen = strlen(FIXED_BOUNDARY);
    if (flags & 1) {
        size_t n;
        const char *b = chunk(&r, &n);
        char *bc = copy(b, n);
        waweb_mp_status st = waweb_multipart_new(bc, n, &m);
        int ok = n >= 1 && n <= WAWEB_MP_BOUNDARY_MAX;
        for (size_t i = 0; ok && i < n; i++) {
            unsigned char c = (unsigned char)b[i];
            ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 c == '\'' || c == '+' || c == '_' || c == '.' || c == '-';
        }
        CHECK((st == WAWEB_MP_OK) == ok);
        if (ok) {
            size_t got_len;
            const char *got = waweb_multipart_boundary(m, &got_len);
            CHECK(got_len == n && memcmp(got, b, n) == 0 && got[n] == '\0');
        }
        free(bc);
    }
    if (!m)
        CHECK(waweb_multipart_new(boundary, blen, &m) == WAWEB_MP_OK);
    const char *bnd = waweb_multipart_boundary(m, &blen);
    char delim[WAWEB_MP_BOUNDARY_MAX + 2];
    delim[0] = delim[1] = '-';
    memcpy(delim + 2, bnd, blen);
    size_t dlen = blen + 2;

    sbuf expect = {0};
    int nparts = 0, nfiles = 0, file_has_delim = 0;
    while (r.left && nparts < MAX_PARTS) {
        uint8_t op = byte(&r);
        size_t name_len, a_len, b_len, c_len;
        const char *name = chunk(&r, &name_len);
        int name_nul = memchr(name, 0, name_len) != NULL;
        char *namec = copy(name, name_len);
        if (!(op & 1)) {
            const char *val = chunk(&r, &a_len);
            char *valc = copy(val, a_len);
            waweb_mp_status st = waweb_multipart_add_field(m, namec, name_len, valc, a_len);
            int refuse = name_nul || has(val, a_len, delim, dlen);
            CHECK(refuse ? st == WAWEB_MP_EINVAL : st == WAWEB_MP_OK);
            if (!refuse) {
                sput(&expect, delim, dlen);
                sputs(&expect, "\r\nContent-Disposition: form-data; name=\"");
                sput_escaped(&expect, name, name_len);
                sputs(&expect, "\"\r\n\r\n");
                sput(&expect, val, a_len);
                sputs(&expect, "\r\n");
                nparts++;
            }
            free(valc);
        } else {
            const char *fname = chunk(&r, &a_len);
            const char *ctype = chunk(&r, &b_len);
            const char *content = chunk(&r, &c_len);
            int fd = fds[nfiles % MAX_PARTS];
            CHECK(ftruncate(fd, 0) == 0);
            CHECK(c_len == 0 || pwrite(fd, content, c_len, 0) == (ssize_t)c_len);
            char *fnc = copy(fname, a_len), *ctc = copy(ctype, b_len);
            waweb_mp_status st = waweb_multipart_add_file(
                m, namec, name_len, paths[nfiles % MAX_PARTS], fnc, a_len, ctc, b_len);
            int refuse = name_nul || memchr(fname, 0, a_len) != NULL || !valid_ctype(ctype, b_len);
            CHECK(refuse ? st == WAWEB_MP_EINVAL : st == WAWEB_MP_OK);
            if (!refuse) {
                sput(&expect, delim, dlen);
                sputs(&expect, "\r\nContent-Disposition: form-data; name=\"");
                sput_escaped(&expect, name, name_len);
                sputs(&expect, "\"; filename=\"");
                sput_escaped(&expect, fname, a_len);
                sputs(&expect, "\"\r\nContent-Type: ");
                sput(&expect, ctype, b_len);
                sputs(&expect, "\r\n\r\n");
                sput(&expect, content, c_len);
                sputs(&expect, "\r\n");
                file_has_delim |= has(content, c_len, delim, dlen);
                nparts++;
                nfiles++; /* each file keeps its own temp file: its bytes must not change */
            }
            free(fnc);
            free(ctc);
        }
        free(namec);
        if (nfiles == MAX_PARTS)
            break;
    }
    sput(&expect, delim, dlen);
    sputs(&expect, "--\r\n");

    CHECK(waweb_multipart_content_length(m) == expect.len);
    CHECK(waweb_multipart_memsize(m) > 0);
    sbuf got = {0};
    CHECK(read_all(m, step1, &got) == WAWEB_MP_OK);
    CHECK(got.len == expect.len && memcmp(got.buf, expect.buf, got.len) == 0);
    /* A delimiter is CRLF "--" boundary (RFC 2046): the body starts with the first one and
     * has exactly one more per part, wherever the boundary also appears inside a quoted
     * name, unless a file's own bytes carry one (files are not scanned). */
    CHECK(got.len >= dlen && memcmp(got.buf, delim, dlen) == 0);
    if (!file_has_delim) {
        char crlf_delim[WAWEB_MP_BOUNDARY_MAX + 4] = "\r\n";
        memcpy(crlf_delim + 2, delim, dlen);
        CHECK(count(got.buf, got.len, crlf_delim, dlen + 2) == (size_t)nparts);
    }

    /* Rewound, the same bytes come back whatever the chunk size; parts cannot be added
     * half way through. */
    waweb_multipart_rewind(m);
    char first[1];
    size_t n1;
    CHECK(waweb_multipart_read(m, first, 1, &n1) == WAWEB_MP_OK && n1 == 1);
    CHECK(waweb_multipart_add_field(m, "x", 1, "y", 1) == WAWEB_MP_EBUSY);
    sbuf again = {0};
    sput(&again, first, 1);
    CHECK(read_all(m, step2, &again) == WAWEB_MP_OK);
    CHECK(again.len == expect.len && memcmp(again.buf, expect.buf, again.len) == 0);

    /* Closed early, a body with files fails cleanly; one without still reads. */
    waweb_multipart_rewind(m);
    waweb_multipart_close(m);
    sbuf closed = {0};
    waweb_mp_status st = read_all(m, step2, &closed);
    CHECK(nfiles ? st == WAWEB_MP_ESYS : st == WAWEB_MP_OK);

    free(expect.buf);
    free(got.buf);
    free(again.buf);
    free(closed.buf);
    waweb_multipart_free(m);
    return 0;
}

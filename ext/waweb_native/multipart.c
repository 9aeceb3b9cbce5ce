/* multipart/form-data builder and pull-style body reader (Ruby-free).
 *
 * Each part is a prebuilt header (for a field: header + value + CRLF) and, for a file
 * part, an open descriptor read with pread() so rewinding never needs a seek. The total
 * length is summed as parts are added, so content_length is exact before any byte is
 * produced; a file whose size differs from the one recorded is an error, never a
 * silently wrong body. */
#define _XOPEN_SOURCE 700

#include "multipart.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

/* Lengths are kept below INT64_MAX so they fit off_t and a Ruby Integer fast path. */
#define MP_LEN_MAX ((uint64_t)INT64_MAX)

enum { PH_HEAD, PH_FILE, PH_CRLF };

typedef struct {
    char *head; /* header bytes; for a field also value and trailing CRLF */
    size_t head_len;
    int fd;        /* -1 for a field */
    uint64_t size; /* file size recorded at add time */
} mp_part;

struct waweb_multipart {
    mp_part *parts;
    size_t nparts, cap;
    char boundary[WAWEB_MP_BOUNDARY_MAX + 1];
    size_t boundary_len;
    char closing[WAWEB_MP_BOUNDARY_MAX + 7]; /* "--" boundary "--\r\n" */
    size_t closing_len;
    uint64_t total;   /* exact body length */
    size_t last_file; /* index of the last file part + 1; 0 when none */
    /* read state */
    size_t part;
    int phase;
    int file_end_seen; /* a read of the current file already hit its end exactly */
    uint64_t off;      /* offset inside the current phase */
    uint64_t pos;      /* body bytes produced */
    waweb_mp_status status;
    int sys_errno;
    const char *err;
};

static const char hexdigits[] = "0123456789abcdef";
static const char upperhex[] = "0123456789ABCDEF";

static waweb_mp_status fail(waweb_multipart *m, waweb_mp_status st, const char *why)
{
    m->err = why;
    return st;
}

static waweb_mp_status fail_sys(waweb_multipart *m, int e, const char *why)
{
    m->sys_errno = e;
    m->err = why;
    return WAWEB_MP_ESYS;
}

static int boundary_char(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c == '\'' || c == '+' || c == '_' || c == '.' || c == '-';
}

static int random_bytes(unsigned char *buf, size_t len)
{
    if (RAND_bytes(buf, (int)len) == 1)
        return 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return -1;
        }
        got += (size_t)r;
    }
    close(fd);
    return 0;
}

waweb_mp_status waweb_multipart_new(const char *boundary, size_t boundary_len,
                                    waweb_multipart **out)
{
    *out = NULL;
    waweb_multipart *m = calloc(1, sizeof(*m));
    if (!m)
        return WAWEB_MP_ENOMEM;
    if (boundary) {
        if (boundary_len == 0 || boundary_len > WAWEB_MP_BOUNDARY_MAX) {
            free(m);
            return WAWEB_MP_EINVAL;
        }
        for (size_t i = 0; i < boundary_len; i++) {
            if (!boundary_char((unsigned char)boundary[i])) {
                free(m);
                return WAWEB_MP_EINVAL;
            }
        }
        memcpy(m->boundary, boundary, boundary_len);
        m->boundary_len = boundary_len;
    } else {
        static const char prefix[] = "----waweb";
        unsigned char rnd[16];
        if (random_bytes(rnd, sizeof(rnd)) != 0) {
            free(m);
            return WAWEB_MP_ESYS;
        }
        memcpy(m->boundary, prefix, sizeof(prefix) - 1);
        size_t n = sizeof(prefix) - 1;
        for (size_t i = 0; i < sizeof(rnd); i++) {
            m->boundary[n++] = hexdigits[rnd[i] >> 4];
            m->boundary[n++] = hexdigits[rnd[i] & 15];
        }
        m->boundary_len = n;
    }
    m->boundary[m->boundary_len] = '\0';
    memcpy(m->closing, "--", 2);
    memcpy(m->closing + 2, m->boundary, m->boundary_len);
    memcpy(m->closing + 2 + m->boundary_len, "--\r\n", 4);
    m->closing_len = m->boundary_len + 6;
    m->total = m->closing_len;
    *out = m;
    return WAWEB_MP_OK;
}

void waweb_multipart_close(waweb_multipart *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nparts; i++) {
        if (m->parts[i].fd >= 0) {
            close(m->parts[i].fd);
            m->parts[i].fd = -2; /* a closed file part, distinct from a field */
        }
    }
}

void waweb_multipart_free(waweb_multipart *m)
{
    if (!m)
        return;
    waweb_multipart_close(m);
    for (size_t i = 0; i < m->nparts; i++)
        free(m->parts[i].head);
    free(m->parts);
    free(m);
}

/* Bytes needed for s escaped the way browsers do (CR, LF, '"' -> %0D %0A %22);
 * SIZE_MAX when s holds a NUL. */
static size_t escaped_len(const char *s, size_t len)
{
    size_t extra = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\0')
            return SIZE_MAX;
        if (s[i] == '\r' || s[i] == '\n' || s[i] == '"')
            extra += 2;
    }
    return len + extra;
}

static char *put(char *p, const char *s, size_t len)
{
    memcpy(p, s, len);
    return p + len;
}

static char *put_escaped(char *p, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n' || c == '"') {
            *p++ = '%';
            *p++ = upperhex[c >> 4];
            *p++ = upperhex[c & 15];
        } else {
            *p++ = (char)c;
        }
    }
    return p;
}

/* a + b into *acc, failing past limit. */
static int add_len(size_t *acc, size_t b)
{
    if (b > SIZE_MAX / 2 || *acc > SIZE_MAX / 2 - b)
        return -1;
    *acc += b;
    return 0;
}

static waweb_mp_status reserve_part(waweb_multipart *m)
{
    if (m->nparts < m->cap)
        return WAWEB_MP_OK;
    size_t ncap = m->cap ? m->cap * 2 : 4;
    if (ncap < m->cap || ncap > SIZE_MAX / sizeof(mp_part))
        return fail(m, WAWEB_MP_EOVERFLOW, "too many parts");
    mp_part *np = realloc(m->parts, ncap * sizeof(mp_part));
    if (!np)
        return WAWEB_MP_ENOMEM;
    m->parts = np;
    m->cap = ncap;
    return WAWEB_MP_OK;
}

/* "--B\r\nContent-Disposition: form-data; name=\"N\"" */
static const char cd_prefix[] = "\r\nContent-Disposition: form-data; name=\"";

static size_t disposition_len(const waweb_multipart *m, size_t name_esc)
{
    return 2 + m->boundary_len + (sizeof(cd_prefix) - 1) + name_esc + 1;
}

static char *put_disposition(const waweb_multipart *m, char *p, const char *name, size_t len)
{
    p = put(p, "--", 2);
    p = put(p, m->boundary, m->boundary_len);
    p = put(p, cd_prefix, sizeof(cd_prefix) - 1);
    p = put_escaped(p, name, len);
    return put(p, "\"", 1);
}

static int contains_delimiter(const waweb_multipart *m, const char *s, size_t len)
{
    size_t need = m->boundary_len + 2;
    for (size_t i = 0; i + need <= len; i++) {
        if (s[i] == '-' && s[i + 1] == '-' && memcmp(s + i + 2, m->boundary, m->boundary_len) == 0)
            return 1;
    }
    return 0;
}

static waweb_mp_status add_total(waweb_multipart *m, uint64_t n)
{
    if (n > MP_LEN_MAX || m->total > MP_LEN_MAX - n)
        return fail(m, WAWEB_MP_EOVERFLOW, "body length overflows");
    m->total += n;
    return WAWEB_MP_OK;
}

waweb_mp_status waweb_multipart_add_field(waweb_multipart *m, const char *name, size_t name_len,
                                          const char *value, size_t value_len)
{
    if (m->pos > 0)
        return fail(m, WAWEB_MP_EBUSY, "parts added while the body is being read; rewind first");
    size_t name_esc = escaped_len(name, name_len);
    if (name_esc == SIZE_MAX)
        return fail(m, WAWEB_MP_EINVAL, "field name contains a NUL byte");
    if (contains_delimiter(m, value, value_len))
        return fail(m, WAWEB_MP_EINVAL, "field value contains the multipart boundary");
    size_t len = 0;
    if (add_len(&len, disposition_len(m, name_esc)) || add_len(&len, 4) ||
        add_len(&len, value_len) || add_len(&len, 2))
        return fail(m, WAWEB_MP_EOVERFLOW, "field too long");
    waweb_mp_status st = reserve_part(m);
    if (st != WAWEB_MP_OK)
        return st;
    if ((st = add_total(m, len)) != WAWEB_MP_OK)
        return st;
    char *head = malloc(len);
    if (!head) {
        m->total -= len;
        return WAWEB_MP_ENOMEM;
    }
    char *p = put_disposition(m, head, name, name_len);
    p = put(p, "\r\n\r\n", 4);
    if (value_len)
        p = put(p, value, value_len);
    put(p, "\r\n", 2);
    mp_part *part = &m->parts[m->nparts++];
    part->head = head;
    part->head_len = len;
    part->fd = -1;
    part->size = 0;
    return WAWEB_MP_OK;
}

/* A media type: printable ASCII (space and tab allowed inside), nothing that could end
 * the header line. */
static int valid_content_type(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c >= 0x7f)
            return 0;
    }
    return s[0] != ' ' && s[0] != '\t';
}

waweb_mp_status waweb_multipart_add_file(waweb_multipart *m, const char *name, size_t name_len,
                                         const char *path, const char *filename,
                                         size_t filename_len, const char *content_type,
                                         size_t content_type_len)
{
    static const char fn_prefix[] = "; filename=\"";
    static const char ct_prefix[] = "\"\r\nContent-Type: ";
    if (m->pos > 0)
        return fail(m, WAWEB_MP_EBUSY, "parts added while the body is being read; rewind first");
    size_t name_esc = escaped_len(name, name_len);
    if (name_esc == SIZE_MAX)
        return fail(m, WAWEB_MP_EINVAL, "field name contains a NUL byte");
    size_t fn_esc = escaped_len(filename, filename_len);
    if (fn_esc == SIZE_MAX)
        return fail(m, WAWEB_MP_EINVAL, "filename contains a NUL byte");
    if (!valid_content_type(content_type, content_type_len))
        return fail(m, WAWEB_MP_EINVAL, "content type is empty or holds control characters");
    size_t len = 0;
    if (add_len(&len, disposition_len(m, name_esc)) || add_len(&len, sizeof(fn_prefix) - 1) ||
        add_len(&len, fn_esc) || add_len(&len, sizeof(ct_prefix) - 1) ||
        add_len(&len, content_type_len) || add_len(&len, 4))
        return fail(m, WAWEB_MP_EOVERFLOW, "part header too long");
    waweb_mp_status st = reserve_part(m);
    if (st != WAWEB_MP_OK)
        return st;

    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return fail_sys(m, errno, "cannot open file");
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        int e = errno;
        close(fd);
        return fail_sys(m, e, "cannot stat file");
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return fail(m, WAWEB_MP_EINVAL, "not a regular file");
    }
    uint64_t size = (uint64_t)sb.st_size;
    uint64_t saved = m->total;
    if ((st = add_total(m, len)) != WAWEB_MP_OK || (st = add_total(m, size)) != WAWEB_MP_OK ||
        (st = add_total(m, 2)) != WAWEB_MP_OK) {
        m->total = saved;
        close(fd);
        return st;
    }
    char *head = malloc(len);
    if (!head) {
        m->total = saved;
        close(fd);
        return WAWEB_MP_ENOMEM;
    }
    char *p = put_disposition(m, head, name, name_len);
    p = put(p, fn_prefix, sizeof(fn_prefix) - 1);
    p = put_escaped(p, filename, filename_len);
    p = put(p, ct_prefix, sizeof(ct_prefix) - 1);
    p = put(p, content_type, content_type_len);
    put(p, "\r\n\r\n", 4);
    mp_part *part = &m->parts[m->nparts++];
    part->head = head;
    part->head_len = len;
    part->fd = fd;
    part->size = size;
    m->last_file = m->nparts;
    return WAWEB_MP_OK;
}

const char *waweb_multipart_boundary(const waweb_multipart *m, size_t *len)
{
    *len = m->boundary_len;
    return m->boundary;
}

uint64_t waweb_multipart_content_length(const waweb_multipart *m)
{
    return m->total;
}

uint64_t waweb_multipart_position(const waweb_multipart *m)
{
    return m->pos;
}

int waweb_multipart_pending_io(const waweb_multipart *m)
{
    return m->status == WAWEB_MP_OK && m->part < m->last_file;
}

void waweb_multipart_rewind(waweb_multipart *m)
{
    m->part = 0;
    m->phase = PH_HEAD;
    m->off = 0;
    m->file_end_seen = 0;
    m->pos = 0;
    m->status = WAWEB_MP_OK;
    m->sys_errno = 0;
    m->err = NULL;
}

static size_t copy_mem(waweb_multipart *m, const char *src, size_t len, char *buf, size_t room)
{
    size_t left = len - (size_t)m->off;
    size_t n = left < room ? left : room;
    memcpy(buf, src + m->off, n);
    m->off += n;
    return n;
}

static void next_part(waweb_multipart *m)
{
    m->part++;
    m->phase = PH_HEAD;
    m->off = 0;
}

/* Reads file bytes of part p into buf; 0 bytes means the file part is complete. */
static waweb_mp_status read_file(waweb_multipart *m, mp_part *p, char *buf, size_t room,
                                 size_t *got)
{
    *got = 0;
    if (p->fd < 0)
        return fail_sys(m, EBADF, "multipart body was closed");
    /* A file that will not finish in this call is checked up front, so a changed file
     * fails before its bytes stream out; for the rest the short read and the probe
     * below are enough. */
    if (m->off == 0 && p->size >= room) {
        struct stat sb;
        if (fstat(p->fd, &sb) != 0)
            return fail_sys(m, errno, "cannot stat file");
        if ((uint64_t)sb.st_size != p->size)
            return fail(m, WAWEB_MP_ECHANGED, "file changed size after it was added");
    }
    if (m->off == p->size) {
        if (m->file_end_seen)
            return WAWEB_MP_OK;
        /* One byte past the recorded end proves the file did not grow meanwhile. */
        char probe;
        ssize_t r;
        do
            r = pread(p->fd, &probe, 1, (off_t)p->size);
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return fail_sys(m, errno, "cannot read file");
        if (r > 0)
            return fail(m, WAWEB_MP_ECHANGED, "file changed size after it was added");
        return WAWEB_MP_OK;
    }
    uint64_t left = p->size - m->off;
    /* With room to spare, ask one byte more: getting it means the file grew, getting
     * exactly the rest proves the end without a separate probe. */
    size_t want = left < room ? (size_t)left + 1 : room;
    ssize_t r;
    do
        r = pread(p->fd, buf, want, (off_t)m->off);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return fail_sys(m, errno, "cannot read file");
    if (r == 0 || (uint64_t)r > left)
        return fail(m, WAWEB_MP_ECHANGED, "file changed size after it was added");
    if ((uint64_t)r == left && want > left)
        m->file_end_seen = 1;
    m->off += (uint64_t)r;
    *got = (size_t)r;
    return WAWEB_MP_OK;
}

waweb_mp_status waweb_multipart_read(waweb_multipart *m, char *buf, size_t cap, size_t *got)
{
    size_t n = 0;
    *got = 0;
    if (m->status != WAWEB_MP_OK)
        return m->status;
    while (n < cap) {
        if (m->part >= m->nparts) {
            if (m->off >= m->closing_len)
                break;
            n += copy_mem(m, m->closing, m->closing_len, buf + n, cap - n);
            continue;
        }
        mp_part *p = &m->parts[m->part];
        if (m->phase == PH_HEAD) {
            n += copy_mem(m, p->head, p->head_len, buf + n, cap - n);
            if (m->off == p->head_len) {
                if (p->fd == -1) {
                    next_part(m);
                } else {
                    m->phase = PH_FILE;
                    m->off = 0;
                    m->file_end_seen = 0;
                }
            }
        } else if (m->phase == PH_FILE) {
            size_t r;
            waweb_mp_status st = read_file(m, p, buf + n, cap - n, &r);
            if (st != WAWEB_MP_OK) {
                m->status = st;
                return st;
            }
            n += r;
            if (r == 0) {
                m->phase = PH_CRLF;
                m->off = 0;
            }
        } else {
            n += copy_mem(m, "\r\n", 2, buf + n, cap - n);
            if (m->off == 2)
                next_part(m);
        }
    }
    m->pos += n;
    *got = n;
    return WAWEB_MP_OK;
}

int waweb_multipart_errno(const waweb_multipart *m)
{
    return m->sys_errno;
}

const char *waweb_multipart_error(const waweb_multipart *m)
{
    return m->err ? m->err : "multipart error";
}

size_t waweb_multipart_memsize(const waweb_multipart *m)
{
    size_t n = sizeof(*m) + m->cap * sizeof(mp_part);
    for (size_t i = 0; i < m->nparts; i++)
        n += m->parts[i].head_len;
    return n;
}

/* Fast path of the webhook classifier (see json_scan.h). yajl's lexer looks at every
 * byte through a state machine and needs its own UTF-8 pass beside it; most of a webhook
 * is string content, which this scanner skips eight bytes at a time while checking
 * UTF-8 in the same pass. Whenever in doubt it returns 0 and yajl decides. */
#include "json_scan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/* Room for decoded (escaped) strings before going to malloc. */
#define DECODE_STACK 512

typedef struct {
    const unsigned char *s;
    size_t len;
    size_t i;
    const yajl_callbacks *cb;
    void *ctx;
    unsigned char *dec; /* decoded string of the current token */
    size_t dec_cap;
    unsigned char *heap; /* dec when it outgrew the stack block, else NULL */
    unsigned char stack[DECODE_STACK];
} scan_t;

size_t waweb_utf8_seq(const unsigned char *s, size_t rest)
{
    unsigned char c = s[0];
    if (c >= 0xc2 && c <= 0xdf)
        return rest >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        /* E0 needs A0.. (no overlong), ED stops at 9F (no surrogate) */
        unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return rest >= 3 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        /* F0 needs 90.. (no overlong), F4 stops at 8F (U+10FFFF) */
        unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return rest >= 4 && s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
                       (s[3] & 0xc0) == 0x80
                   ? 4
                   : 0;
    }
    return 0; /* continuation byte, C0/C1, F5..FF */
}

/* Nonzero when one of the eight bytes may be '"', '\\', a control byte or non-ASCII
 * (the lowest flagged byte always is one). */
static uint64_t specials(uint64_t w)
{
    uint64_t q = w ^ (ONES * '"');
    uint64_t b = w ^ (ONES * '\\');
    return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((w - ONES * 0x20) & ~w) | w) & HIGHS;
}

/* Advances over plain string bytes (printable ASCII other than '"' and '\\'). */
static void skip_plain(scan_t *sc)
{
    const unsigned char *s = sc->s;
    size_t i = sc->i, len = sc->len;
#ifdef __SSE2__
    /* Sixteen bytes a step; the signed compare flags control bytes and non-ASCII alike. */
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(0x20);
    while (len - i >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmplt_epi8(v, space));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask) {
            sc->i = i + (size_t)__builtin_ctz(mask);
            return;
        }
        i += 16;
    }
#endif
    while (len - i >= 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if (specials(w))
            break;
        i += 8;
    }
    while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
        i++;
    sc->i = i;
}

static void skip_ws(scan_t *sc)
{
    /* compact JSON (the gateway's) has none: one compare */
    if (sc->i < sc->len && sc->s[sc->i] > ' ')
        return;
    while (sc->i < sc->len) {
        unsigned char c = sc->s[sc->i];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
            return;
        sc->i++;
    }
}

static int hex4(const unsigned char *h, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char c = h[k];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return 0;
        v = (v << 4) | d;
    }
    *out = v;
    return 1;
}

/* Decoded bytes never outnumber their escaped text: `need` bounds the whole string. */
static int decode_room(scan_t *sc, size_t need)
{
    if (need <= sc->dec_cap)
        return 1;
    unsigned char *nb = realloc(sc->heap, need);
    if (!nb)
        return 0;
    sc->heap = nb;
    sc->dec = nb;
    sc->dec_cap = need;
    return 1;
}

/* The rest of a string holding an escape, from sc->i (at the first backslash); the
 * plain bytes before it (from `start`) are copied first. Lone surrogate escapes give up:
 * yajl's own handling of them is the reference. */
static int decode_string(scan_t *sc, size_t start, const unsigned char **out, size_t *out_len)
{
    const unsigned char *s = sc->s;
    if (!decode_room(sc, sc->len - start))
        return 0;
    unsigned char *d = sc->dec;
    size_t n = sc->i - start;
    memcpy(d, s + start, n);
    for (;;) {
        size_t from = sc->i;
        skip_plain(sc);
        memcpy(d + n, s + from, sc->i - from);
        n += sc->i - from;
        if (sc->i >= sc->len)
            return 0;
        unsigned char c = s[sc->i];
        if (c == '"') {
            sc->i++;
            *out = d;
            *out_len = n;
            return 1;
        }
        if (c >= 0x80) {
            size_t k = waweb_utf8_seq(s + sc->i, sc->len - sc->i);
            if (!k)
                return 0;
            memcpy(d + n, s + sc->i, k);
            n += k;
            sc->i += k;
            continue;
        }
        if (c != '\\' || sc->len - sc->i < 2)
            return 0; /* a control byte, or the text ends */
        unsigned char e = s[sc->i + 1];
        sc->i += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
            d[n++] = e;
            continue;
        case 'b':
            d[n++] = '\b';
            continue;
        case 'f':
            d[n++] = '\f';
            continue;
        case 'n':
            d[n++] = '\n';
            continue;
        case 'r':
            d[n++] = '\r';
            continue;
        case 't':
            d[n++] = '\t';
            continue;
        case 'u':
            break;
        default:
            return 0;
        }
        unsigned cp, lo;
        if (sc->len - sc->i < 4 || !hex4(s + sc->i, &cp))
            return 0;
        sc->i += 4;
        if (cp >= 0xdc00 && cp <= 0xdfff)
            return 0;
        if (cp >= 0xd800 && cp <= 0xdbff) {
            if (sc->len - sc->i < 6 || s[sc->i] != '\\' || s[sc->i + 1] != 'u' ||
                !hex4(s + sc->i + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
                return 0;
            sc->i += 6;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        }
        /* U+0000 stays a 0 byte, as yajl gives it: the classifier drops it */
        if (cp < 0x80) {
            d[n++] = (unsigned char)cp;
        } else if (cp < 0x800) {
            d[n++] = (unsigned char)(0xc0 | (cp >> 6));
            d[n++] = (unsigned char)(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            d[n++] = (unsigned char)(0xe0 | (cp >> 12));
            d[n++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
            d[n++] = (unsigned char)(0x80 | (cp & 0x3f));
        } else {
            d[n++] = (unsigned char)(0xf0 | (cp >> 18));
            d[n++] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
            d[n++] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
            d[n++] = (unsigned char)(0x80 | (cp & 0x3f));
        }
    }
}

/* A string at sc->i (its opening quote). Unescaped strings point into the text, as
 * yajl's do; the classifier tells them apart by address. */
static int scan_string(scan_t *sc, const unsigned char **out, size_t *out_len)
{
    const unsigned char *s = sc->s;
    size_t start = ++sc->i;
    for (;;) {
        skip_plain(sc);
        if (sc->i >= sc->len)
            return 0;
        unsigned char c = s[sc->i];
        if (c == '"') {
            *out = s + start;
            *out_len = sc->i - start;
            sc->i++;
            return 1;
        }
        if (c == '\\')
            return decode_string(sc, start, out, out_len);
        if (c < 0x80)
            return 0; /* a control byte */
        size_t k = waweb_utf8_seq(s + sc->i, sc->len - sc->i);
        if (!k)
            return 0;
        sc->i += k;
    }
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? ; what follows is the caller's check. */
static int scan_number(scan_t *sc)
{
    const unsigned char *s = sc->s;
    size_t i = sc->i, len = sc->len, start = sc->i;
    if (i < len && s[i] == '-')
        i++;
    if (i >= len || !is_digit(s[i]))
        return 0;
    if (s[i] == '0') {
        i++;
    } else {
        while (i < len && is_digit(s[i]))
            i++;
    }
    if (i < len && s[i] == '.') {
        i++;
        if (i >= len || !is_digit(s[i]))
            return 0;
        while (i < len && is_digit(s[i]))
            i++;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= len || !is_digit(s[i]))
            return 0;
        while (i < len && is_digit(s[i]))
            i++;
    }
    sc->i = i;
    return sc->cb->yajl_number(sc->ctx, (const char *)s + start, i - start);
}

static int literal(scan_t *sc, const char *word, size_t n)
{
    if (sc->len - sc->i < n || memcmp(sc->s + sc->i, word, n) != 0)
        return 0;
    sc->i += n;
    return 1;
}

static int scan(scan_t *sc)
{
    const yajl_callbacks *cb = sc->cb;
    unsigned char is_map[WAWEB_JSON_SCAN_MAX_DEPTH];
    int depth = 0;
    const unsigned char *str;
    size_t slen;

    skip_ws(sc);
    if (sc->i >= sc->len || sc->s[sc->i] != '{')
        return 0;
value:
    /* a value starts at sc->i (whitespace skipped) */
    if (sc->i >= sc->len)
        return 0;
    switch (sc->s[sc->i]) {
    case '{':
        if (depth >= WAWEB_JSON_SCAN_MAX_DEPTH || !cb->yajl_start_map(sc->ctx))
            return 0;
        is_map[depth++] = 1;
        sc->i++;
        skip_ws(sc);
        if (sc->i < sc->len && sc->s[sc->i] == '}') {
            sc->i++;
            depth--;
            if (!cb->yajl_end_map(sc->ctx))
                return 0;
            goto after_value;
        }
        goto key;
    case '[':
        if (depth >= WAWEB_JSON_SCAN_MAX_DEPTH || !cb->yajl_start_array(sc->ctx))
            return 0;
        is_map[depth++] = 0;
        sc->i++;
        skip_ws(sc);
        if (sc->i < sc->len && sc->s[sc->i] == ']') {
            sc->i++;
            depth--;
            if (!cb->yajl_end_array(sc->ctx))
                return 0;
            goto after_value;
        }
        goto value;
    case '"':
        if (!scan_string(sc, &str, &slen) || !cb->yajl_string(sc->ctx, str, slen))
            return 0;
        goto after_value;
    case 't':
        if (!literal(sc, "true", 4) || !cb->yajl_boolean(sc->ctx, 1))
            return 0;
        goto after_value;
    case 'f':
        if (!literal(sc, "false", 5) || !cb->yajl_boolean(sc->ctx, 0))
            return 0;
        goto after_value;
    case 'n':
        if (!literal(sc, "null", 4) || !cb->yajl_null(sc->ctx))
            return 0;
        goto after_value;
    default:
        if (!scan_number(sc))
            return 0;
        goto after_value;
    }
key:
    /* inside an object, at a key (whitespace skipped) */
    if (sc->i >= sc->len || sc->s[sc->i] != '"' || !scan_string(sc, &str, &slen) ||
        !cb->yajl_map_key(sc->ctx, str, slen))
        return 0;
    skip_ws(sc);
    if (sc->i >= sc->len || sc->s[sc->i] != ':')
        return 0;
    sc->i++;
    skip_ws(sc);
    goto value;
after_value:
    if (depth == 0) {
        skip_ws(sc);
        return sc->i == sc->len;
    }
    skip_ws(sc);
    if (sc->i >= sc->len)
        return 0;
    switch (sc->s[sc->i]) {
    case ',':
        sc->i++;
        skip_ws(sc);
        if (is_map[depth - 1])
            goto key;
        goto value;
    case '}':
        if (!is_map[depth - 1])
            return 0;
        sc->i++;
        depth--;
        if (!cb->yajl_end_map(sc->ctx))
            return 0;
        goto after_value;
    case ']':
        if (is_map[depth - 1])
            return 0;
        sc->i++;
        depth--;
        if (!cb->yajl_end_array(sc->ctx))
            return 0;
        goto after_value;
    default:
        return 0;
    }
}

int waweb_json_scan(const yajl_callbacks *cb, void *ctx, const char *json, size_t len)
{
    scan_t sc;
    sc.s = (const unsigned char *)json;
    sc.len = len;
    sc.i = 0;
    sc.cb = cb;
    sc.ctx = ctx;
    sc.dec = sc.stack;
    sc.dec_cap = sizeof(sc.stack);
    sc.heap = NULL;
    int ok = scan(&sc);
    free(sc.heap);
    return ok;
}

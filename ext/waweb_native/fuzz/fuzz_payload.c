/* libFuzzer harness for the webhook classifier (payload.c): any bytes in. Checks what
 * payload.h promises: an error leaves nothing allocated and an offset inside the body;
 * a success gives in-bounds spans of valid UTF-8, the same answer twice and the same answer
 * as yajl alone (the fast scanner's reference), and a body over max_bytes is refused.
 * Seeded with the webhook fixtures. Built by `rake fuzz`. */
#include "../payload.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

/* Strict UTF-8 (RFC 3629): no overlongs, no surrogates, nothing past U+10FFFF.
 * -DFUZZ_LAX_UTF8 checks only the lead/continuation structure (what yajl checks), to
 * fuzz past a known report of that kind. */
#ifdef FUZZ_LAX_UTF8
static const int strict = 0;
#else
static const int strict = 1;
#endif

static int valid_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc0 && c <= 0xdf)
            n = 1;
        else if (c >= 0xe0 && c <= 0xef)
            n = 2;
        else if (c >= 0xf0 && c <= 0xf7)
            n = 3;
        else
            return 0;
        if (n >= len - i)
            return 0;
        uint32_t cp = c & (0x3f >> n);
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        static const uint32_t min[4] = {0, 0x80, 0x800, 0x10000};
        if (strict && (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)))
            return 0;
        i += n + 1;
    }
    return 1;
}

static void check_span(const waweb_pl_event_t *ev, waweb_pl_span_t sp)
{
    if (sp.off == WAWEB_PL_ABSENT)
        return;
    CHECK(sp.off <= ev->buf_len && sp.len <= ev->buf_len - sp.off);
    CHECK(sp.len == 0 || ev->buf != NULL);
    if (sp.len)
        CHECK(valid_utf8((const unsigned char *)ev->buf + sp.off, sp.len));
}

static void check_list(const waweb_pl_event_t *ev, const waweb_pl_list_t *l)
{
    CHECK(l->len <= l->cap);
    CHECK(l->len == 0 || l->items != NULL);
    if (l->len)
        CHECK(l->present);
    for (size_t i = 0; i < l->len; i++) {
        CHECK(l->items[i].off != WAWEB_PL_ABSENT);
        check_span(ev, l->items[i]);
    }
}

static int span_same(const waweb_pl_event_t *a, waweb_pl_span_t x, const waweb_pl_event_t *b,
                     waweb_pl_span_t y)
{
    if ((x.off == WAWEB_PL_ABSENT) != (y.off == WAWEB_PL_ABSENT))
        return 0;
    if (x.off == WAWEB_PL_ABSENT)
        return 1;
    return x.len == y.len && (x.len == 0 || memcmp(a->buf + x.off, b->buf + y.off, x.len) == 0);
}

static void check_same(const waweb_pl_event_t *a, const waweb_pl_event_t *b)
{
    CHECK(a->format == b->format && a->kind == b->kind);
    CHECK(a->receipt_type == b->receipt_type && a->group_action == b->group_action);
    CHECK(a->has_timestamp == b->has_timestamp &&
          (!a->has_timestamp || a->timestamp == b->timestamp));
    CHECK(a->from_me == b->from_me);
    CHECK(a->has_latitude == b->has_latitude && a->has_longitude == b->has_longitude);
    for (int f = 0; f < WAWEB_PL_FIELD_COUNT; f++)
        CHECK(span_same(a, a->fields[f], b, b->fields[f]));
    CHECK(a->ids.len == b->ids.len && a->participants.len == b->participants.len);
    for (size_t i = 0; i < a->ids.len; i++)
        CHECK(span_same(a, a->ids.items[i], b, b->ids.items[i]));
    for (size_t i = 0; i < a->participants.len; i++)
        CHECK(span_same(a, a->participants.items[i], b, b->participants.items[i]));
}

static void check_empty(const waweb_pl_event_t *ev)
{
    CHECK(ev->buf == NULL && ev->ids.items == NULL && ev->participants.items == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy: ASan then sees any read past the body. */
    char *body = malloc(size ? size : 1);
    if (!body)
        return 0;
    memcpy(body, data, size);

    waweb_pl_event_t ev, ev2;
    waweb_pl_error_t err;
    memset(&ev, 0x5a, sizeof(ev));
    memset(&err, 0x5a, sizeof(err));
    waweb_pl_status_t st = waweb_pl_classify(body, size, (size_t)4 << 20, &ev, &err);
    CHECK((int)st >= WAWEB_PL_OK && st <= WAWEB_PL_ERR_NOMEM);

    /* The fast scanner answers exactly as yajl alone: same status, same error (text and
     * offset), same event. */
    waweb_pl_error_t err_ref;
    waweb_pl_status_t st_ref = waweb_pl_classify_yajl(body, size, (size_t)4 << 20, &ev2, &err_ref);
    CHECK(st_ref == st);
    if (st != WAWEB_PL_OK) {
        CHECK(err_ref.offset == err.offset && strcmp(err_ref.message, err.message) == 0);
    } else {
        check_same(&ev, &ev2);
        waweb_pl_event_free(&ev2);
    }
    if (st != WAWEB_PL_OK) {
        CHECK(err.status == st);
        CHECK(memchr(err.message, '\0', sizeof(err.message)) != NULL);
        CHECK(err.offset <= size);
        check_empty(&ev);
        waweb_pl_event_free(&ev); /* documented as safe on an empty event */
    } else {
        CHECK(ev.format == WAWEB_PL_FORMAT_V7 || ev.format == WAWEB_PL_FORMAT_V8);
        CHECK((int)ev.kind >= 0 && ev.kind < WAWEB_PL_KIND_COUNT);
        CHECK(waweb_pl_kind_name(ev.kind) != NULL);
        CHECK(ev.receipt_type <= WAWEB_PL_RECEIPT_READ_SELF);
        CHECK(ev.group_action <= WAWEB_PL_GROUP_DEMOTE);
        CHECK(ev.from_me >= -1 && ev.from_me <= 1);
        CHECK(ev.buf_len <= ev.buf_cap);
        for (int f = 0; f < WAWEB_PL_FIELD_COUNT; f++)
            check_span(&ev, ev.fields[f]);
        check_list(&ev, &ev.ids);
        check_list(&ev, &ev.participants);

        /* Classifying is a pure function of the bytes. */
        CHECK(waweb_pl_classify(body, size, size, &ev2, &err) == WAWEB_PL_OK);
        check_same(&ev, &ev2);
        waweb_pl_event_free(&ev2);
        waweb_pl_event_free(&ev);
        check_empty(&ev);
        waweb_pl_event_free(&ev); /* twice is safe */
    }

    /* One byte over the cap is refused, at the cap's offset, with nothing allocated. */
    if (size > 0) {
        CHECK(waweb_pl_classify(body, size, size - 1, &ev2, &err) == WAWEB_PL_ERR_TOO_LARGE);
        CHECK(err.status == WAWEB_PL_ERR_TOO_LARGE);
        check_empty(&ev2);
    }

    /* The timestamp parser on the same bytes: no reads past the end whatever they are. */
    int64_t ts;
    (void)waweb_pl_parse_rfc3339(body, size, &ts);

    free(body);
    return 0;
}

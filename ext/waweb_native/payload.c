/* Webhook classification with yajl-style callbacks (docs/gateway-contract.md,
 * "Webhooks"), driven by the fast scanner (json_scan.c) or, for what it declines, by
 * libyajl itself. One pass, no tree: the callbacks track where they are (a small
 * context stack) and copy only known fields into one arena. Whether the body is a
 * v8 envelope or a v7 flat message is only known at the end (keys need not come in
 * order), so root-level and payload-level fields are collected separately and the
 * right level is picked when the parse is complete. */
#include "payload.h"
#include "jid.h"
#include "json_scan.h"

#include <yajl/yajl_parse.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fields collected while parsing. String slots come first: a key whose id is below
 * S_COUNT stores its string value in that slot of its level. */
enum {
    S_EVENT = 0,
    S_DEVICE_ID,
    S_TIMESTAMP,
    S_ID,
    S_CHAT_ID,
    S_FROM,
    S_FROM_LID,
    S_FROM_NAME,
    S_PUSHNAME,
    S_DISPLAY_NAME,
    S_BODY,
    S_REPLIED_TO_ID,
    S_REACTION,
    S_REACTED_ID,
    S_REVOKED_ID,
    S_ORIGINAL_ID,
    S_DELETED_ID,
    S_RECEIPT_TYPE,
    S_TYPE,
    S_GROUP_NAME,
    S_ACTION,
    S_EDITED_TEXT,
    S_SENDER_ID,
    S_V7_TEXT,
    S_V7_ID,
    S_V7_REPLIED_ID,
    S_MEDIA_PATH,
    S_MEDIA_URL,
    S_CAPTION,
    S_MIME_TYPE,
    S_FILENAME,
    S_LOC_NAME,
    S_CONTACT_NAME,
    S_CONTACT_PHONE,
    S_VCARD,
    S_SESSION_ID,
    S_COUNT,
    /* keys whose value is not a plain string */
    K_PAYLOAD = S_COUNT,
    K_MESSAGE,
    K_IMAGE,
    K_VIDEO,
    K_VIDEO_NOTE,
    K_AUDIO,
    K_DOCUMENT,
    K_STICKER,
    K_LOCATION,
    K_LIVE_LOCATION,
    K_CONTACT,
    K_CONTACTS_ARRAY,
    K_IS_FROM_ME,
    K_WAS_FROM_ME,
    K_IDS,
    K_JIDS,
    K_LAT,
    K_LON,
    K_NONE
};

/* What the container being parsed is. */
enum {
    C_MSG = 0,
    C_V7_MESSAGE,
    C_MEDIA,
    C_LOCATION,
    C_CONTACT,
    C_CONTACTS,
    C_REACTION,
    C_STRLIST,
    C_SKIP
};

typedef struct {
    const char *name;
    unsigned char len;
    unsigned char key;
} keydef_t;

#define KEY(s, k)                                                                                  \
    {                                                                                              \
        s, sizeof(s) - 1, k                                                                        \
    }

/* Root of a v7 message, root of an envelope, and an envelope's payload share one key
 * set: the level (root or payload) keeps them apart. A switch on the length keeps the
 * lookup to one or two short compares per key (this runs for every key of the body). */
static unsigned char msg_key(const unsigned char *k, size_t len)
{
#define IS(lit) (memcmp(k, lit, sizeof(lit) - 1) == 0)
    switch (len) {
    case 2:
        if (IS("id"))
            return S_ID;
        break;
    case 3:
        if (IS("ids"))
            return K_IDS;
        break;
    case 4:
        if (IS("from"))
            return S_FROM;
        if (IS("body"))
            return S_BODY;
        if (IS("jids"))
            return K_JIDS;
        if (IS("type"))
            return S_TYPE;
        break;
    case 5:
        if (IS("event"))
            return S_EVENT;
        if (IS("image"))
            return K_IMAGE;
        if (IS("video"))
            return K_VIDEO;
        if (IS("audio"))
            return K_AUDIO;
        break;
    case 6:
        if (IS("action"))
            return S_ACTION;
        break;
    case 7:
        if (IS("chat_id"))
            return S_CHAT_ID;
        if (IS("payload"))
            return K_PAYLOAD;
        if (IS("sticker"))
            return K_STICKER;
        if (IS("contact"))
            return K_CONTACT;
        if (IS("message"))
            return K_MESSAGE;
        break;
    case 8:
        if (IS("from_lid"))
            return S_FROM_LID;
        if (IS("document"))
            return K_DOCUMENT;
        if (IS("location"))
            return K_LOCATION;
        if (IS("reaction"))
            return S_REACTION;
        if (IS("pushname"))
            return S_PUSHNAME;
        break;
    case 9:
        if (IS("timestamp"))
            return S_TIMESTAMP;
        if (IS("from_name"))
            return S_FROM_NAME;
        if (IS("device_id"))
            return S_DEVICE_ID;
        if (IS("sender_id"))
            return S_SENDER_ID;
        break;
    case 10:
        if (IS("is_from_me"))
            return K_IS_FROM_ME;
        if (IS("video_note"))
            return K_VIDEO_NOTE;
        if (IS("group_name"))
            return S_GROUP_NAME;
        if (IS("session_id"))
            return S_SESSION_ID;
        break;
    case 11:
        if (IS("was_from_me"))
            return K_WAS_FROM_ME;
        if (IS("edited_text"))
            return S_EDITED_TEXT;
        break;
    case 12:
        if (IS("receipt_type"))
            return S_RECEIPT_TYPE;
        break;
    case 13:
        if (IS("live_location"))
            return K_LIVE_LOCATION;
        if (IS("replied_to_id"))
            return S_REPLIED_TO_ID;
        break;
    case 14:
        if (IS("contacts_array"))
            return K_CONTACTS_ARRAY;
        break;
    case 18:
        if (IS("reacted_message_id"))
            return S_REACTED_ID;
        if (IS("revoked_message_id"))
            return S_REVOKED_ID;
        if (IS("deleted_message_id"))
            return S_DELETED_ID;
        break;
    case 19:
        if (IS("original_message_id"))
            return S_ORIGINAL_ID;
        if (IS("sender_display_name"))
            return S_DISPLAY_NAME;
        break;
    default:
        break;
    }
#undef IS
    return K_NONE;
}
static const keydef_t V7_MESSAGE_KEYS[] = {
    KEY("text", S_V7_TEXT),
    KEY("id", S_V7_ID),
    KEY("replied_id", S_V7_REPLIED_ID),
};
static const keydef_t MEDIA_KEYS[] = {
    KEY("path", S_MEDIA_PATH),     KEY("media_path", S_MEDIA_PATH), KEY("caption", S_CAPTION),
    KEY("mime_type", S_MIME_TYPE), KEY("url", S_MEDIA_URL),         KEY("filename", S_FILENAME),
};
static const keydef_t LOCATION_KEYS[] = {
    KEY("degreesLatitude", K_LAT),
    KEY("degreesLongitude", K_LON),
    KEY("name", S_LOC_NAME),
};
static const keydef_t CONTACT_KEYS[] = {
    KEY("displayName", S_CONTACT_NAME),
    KEY("vcard", S_VCARD),
    KEY("phone_number", S_CONTACT_PHONE),
};
static const keydef_t REACTION_KEYS[] = {
    KEY("message", S_REACTION),
    KEY("id", S_REACTED_ID),
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Everything collected at one level (0 = root, 1 = envelope payload). */
typedef struct {
    waweb_pl_span_t s[S_COUNT];
    waweb_pl_list_t ids;
    waweb_pl_list_t jids;
    int media_key; /* K_IMAGE..K_STICKER, or 0 */
    int has_location;
    int has_contact;
    int has_reaction_obj;
    int has_payload;
    int is_from_me; /* -1 not sent */
    int was_from_me;
    int has_ts_num;
    int64_t ts_num;
    int has_lat;
    int has_lon;
    double lat;
    double lon;
} level_t;

typedef struct {
    unsigned char ctx;
    unsigned char level;
    unsigned char key;    /* maps: the key whose value comes next; lists: which list */
    unsigned char is_map; /* 0 for arrays */
    size_t count;         /* arrays: elements seen so far */
} frame_t;

/* yajl allocates its handle, lexer and buffers (seven blocks, two of 2 KB) per parse. They
 * come from this block on the stack; only what outgrows it goes to malloc. */
#define SCRATCH_SIZE 5120
#define SCRATCH_ALIGN 16
typedef struct {
    size_t used;
    size_t last; /* offset of the newest block's header, so it can grow in place */
    union {
        unsigned char bytes[SCRATCH_SIZE];
        long double ld;
        void *ptr;
        long long ll;
    } mem;
} scratch_t;

typedef struct {
    yajl_handle yajl;
    scratch_t scratch;
    frame_t stack[WAWEB_PL_MAX_DEPTH];
    int depth;
    level_t lv[2];
    waweb_pl_event_t *ev; /* owns the arena */
    waweb_pl_status_t fail;
    const char *json; /* the body: strings inside it came raw, others were unescaped */
    size_t len;
} parser_t;

/* ---- arena and lists ---------------------------------------------------------- */

/* Most kept bytes are strings of the body: size the arena from it up front so a
 * typical webhook needs one allocation. */
#define ARENA_MIN 256
#define ARENA_PRESIZE_MAX (64 * 1024)

static int arena_reserve(waweb_pl_event_t *ev, size_t cap)
{
    if (cap < ARENA_MIN)
        cap = ARENA_MIN;
    if (cap > ARENA_PRESIZE_MAX)
        cap = ARENA_PRESIZE_MAX;
    ev->buf = malloc(cap);
    if (!ev->buf)
        return 0;
    ev->buf_cap = cap;
    return 1;
}

static int arena_put(waweb_pl_event_t *ev, const char *p, size_t len, waweb_pl_span_t *out)
{
    if (len > SIZE_MAX / 2 - ev->buf_len)
        return 0;
    if (ev->buf_len + len > ev->buf_cap) {
        size_t cap = ev->buf_cap ? ev->buf_cap : ARENA_MIN;
        while (cap < ev->buf_len + len)
            cap *= 2;
        char *nb = realloc(ev->buf, cap);
        if (!nb)
            return 0;
        ev->buf = nb;
        ev->buf_cap = cap;
    }
    if (len)
        memcpy(ev->buf + ev->buf_len, p, len);
    out->off = ev->buf_len;
    out->len = len;
    ev->buf_len += len;
    return 1;
}

/* A decoded JSON string, made storable: U+0000 (reachable only through the JSON escape for
 * code point 0) is dropped, since PostgreSQL text and jsonb refuse it; a lone surrogate
 * escape, which yajl encodes as the invalid UTF-8 bytes ED A0..BF xx, becomes '?' (as yajl
 * itself does for a lone high surrogate at the end of a string). */
/* Drops NUL bytes from the span just put (the arena's last): PostgreSQL text cannot
 * hold them, and a job failing on them would retry forever. */
static void drop_nuls(waweb_pl_event_t *ev, waweb_pl_span_t *sp)
{
    char *text = ev->buf + sp->off;
    size_t kept = 0;
    for (size_t i = 0; i < sp->len; i++) {
        if (text[i] != '\0')
            text[kept++] = text[i];
    }
    ev->buf_len -= sp->len - kept;
    sp->len = kept;
}

static int list_push(waweb_pl_list_t *l, waweb_pl_span_t sp)
{
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        if (cap > SIZE_MAX / sizeof(*l->items))
            return 0;
        waweb_pl_span_t *ni = realloc(l->items, cap * sizeof(*l->items));
        if (!ni)
            return 0;
        l->items = ni;
        l->cap = cap;
    }
    l->items[l->len++] = sp;
    return 1;
}

static void list_free(waweb_pl_list_t *l)
{
    free(l->items);
    memset(l, 0, sizeof(*l));
}

static int present(waweb_pl_span_t sp)
{
    return sp.off != WAWEB_PL_ABSENT;
}

/* Only for present spans: an absent one's offset (SIZE_MAX) would overflow the pointer. */
static const char *span_ptr(const waweb_pl_event_t *ev, waweb_pl_span_t sp)
{
    return ev->buf + sp.off;
}

static int span_eq(const waweb_pl_event_t *ev, waweb_pl_span_t sp, const char *lit)
{
    size_t n = strlen(lit);
    return present(sp) && sp.len == n && memcmp(span_ptr(ev, sp), lit, n) == 0;
}

static int span_prefix(const waweb_pl_event_t *ev, waweb_pl_span_t sp, const char *lit)
{
    size_t n = strlen(lit);
    return present(sp) && sp.len >= n && memcmp(span_ptr(ev, sp), lit, n) == 0;
}

/* ---- UTF-8 ----------------------------------------------------------------------- */

/* Offset of the first byte not starting a well-formed sequence (RFC 3629: shortest
 * form, no surrogates, nothing past U+10FFFF), or len. yajl checks only the lead and
 * continuation bits, so it would pass overlongs, surrogates and U+110000+. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        /* webhooks are mostly ASCII: 32, then 8 bytes a step */
        while (len - i >= 32) {
            uint64_t w[4];
            memcpy(w, s + i, 32);
            if ((w[0] | w[1] | w[2] | w[3]) & UINT64_C(0x8080808080808080))
                break;
            i += 32;
        }
        while (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i == len)
            break;
        unsigned char c = s[i];
        size_t rest = len - i;
        if (c < 0x80) {
            i++;
        } else if (c >= 0xc2 && c <= 0xdf) {
            if (rest < 2 || (s[i + 1] & 0xc0) != 0x80)
                return i;
            i += 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            /* E0 needs A0.. (no overlong), ED stops at 9F (no surrogate) */
            unsigned char lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
            if (rest < 3 || s[i + 1] < lo || s[i + 1] > hi || (s[i + 2] & 0xc0) != 0x80)
                return i;
            i += 3;
        } else if (c >= 0xf0 && c <= 0xf4) {
            /* F0 needs 90.. (no overlong), F4 stops at 8F (U+10FFFF) */
            unsigned char lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
            if (rest < 4 || s[i + 1] < lo || s[i + 1] > hi || (s[i + 2] & 0xc0) != 0x80 ||
                (s[i + 3] & 0xc0) != 0x80)
                return i;
            i += 4;
        } else {
            return i; /* continuation byte, C0/C1, F5..FF */
        }
    }
    return len;
}

/* yajl unescapes a lone "\udc00".."\udfff" to its 3-byte surrogate form (a lone high
 * one already becomes '?'). The body was validated, so in an unescaped string an ED
 * followed by A0..BF can only be that: make it U+FFFD, also three bytes. */
static void repair_surrogates(char *s, size_t len)
{
    unsigned char *p = (unsigned char *)s, *end = p + len;
    while (len >= 3 && (p = memchr(p, 0xed, (size_t)(end - p))) != NULL) {
        if (end - p < 3)
            break;
        if (p[1] >= 0xa0) {
            p[0] = 0xef;
            p[1] = 0xbf;
            p[2] = 0xbd;
        }
        p += 3;
    }
}

/* ---- yajl's allocator ---------------------------------------------------------- */

static size_t round_up(size_t n)
{
    return (n + (SCRATCH_ALIGN - 1)) & ~(size_t)(SCRATCH_ALIGN - 1);
}

static int in_scratch(const scratch_t *sc, const void *ptr)
{
    const unsigned char *p = ptr;
    return p >= sc->mem.bytes && p < sc->mem.bytes + SCRATCH_SIZE;
}

/* Each scratch block is preceded by a SCRATCH_ALIGN-byte header holding its size. */
static void *sc_malloc(void *ctx, size_t size)
{
    scratch_t *sc = ctx;
    if (size <= SCRATCH_SIZE && round_up(size) + SCRATCH_ALIGN <= SCRATCH_SIZE - sc->used) {
        unsigned char *hdr = sc->mem.bytes + sc->used;
        memcpy(hdr, &size, sizeof(size));
        sc->last = sc->used;
        sc->used += SCRATCH_ALIGN + round_up(size);
        return hdr + SCRATCH_ALIGN;
    }
    return malloc(size);
}

static void *sc_realloc(void *ctx, void *ptr, size_t size)
{
    scratch_t *sc = ctx;
    if (!ptr)
        return sc_malloc(ctx, size);
    if (!in_scratch(sc, ptr))
        return realloc(ptr, size);
    unsigned char *hdr = (unsigned char *)ptr - SCRATCH_ALIGN;
    size_t old;
    memcpy(&old, hdr, sizeof(old));
    size_t at = (size_t)(hdr - sc->mem.bytes);
    if (at == sc->last && size <= SCRATCH_SIZE &&
        round_up(size) + SCRATCH_ALIGN <= SCRATCH_SIZE - at) {
        memcpy(hdr, &size, sizeof(size));
        sc->used = at + SCRATCH_ALIGN + round_up(size);
        return ptr;
    }
    void *np = sc_malloc(ctx, size);
    if (np)
        memcpy(np, ptr, old < size ? old : size);
    return np; /* the old scratch block is simply abandoned */
}

static void sc_free(void *ctx, void *ptr)
{
    scratch_t *sc = ctx;
    if (ptr && !in_scratch(sc, ptr))
        free(ptr);
}

/* ---- callbacks ------------------------------------------------------------------ */

static int fail(parser_t *p, waweb_pl_status_t st)
{
    p->fail = st;
    return 0;
}

static unsigned char lookup(const keydef_t *tab, size_t n, const unsigned char *k, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (tab[i].len == len && tab[i].name[0] == (char)k[0] && memcmp(tab[i].name, k, len) == 0)
            return tab[i].key;
    return K_NONE;
}

/* The frame a new value belongs to, with its key (K_NONE in arrays) and array index;
 * NULL for a value outside the top-level object (yajl should never give one). */
static frame_t *value_slot(parser_t *p, unsigned char *key, size_t *index)
{
    if (p->depth == 0) {
        p->fail = WAWEB_PL_ERR_NOT_OBJECT;
        return NULL;
    }
    frame_t *f = &p->stack[p->depth - 1];
    if (f->is_map) {
        *key = f->key;
        *index = 0;
    } else {
        *key = K_NONE;
        *index = f->count++;
    }
    return f;
}

/* Copies a string value into the arena; unescaped ones (not inside the body) get their
 * lone surrogates replaced. */
static int keep(parser_t *p, const unsigned char *s, size_t len, waweb_pl_span_t *out)
{
    if (!arena_put(p->ev, (const char *)s, len, out))
        return 0;
    /* Only strings yajl decoded from escapes live outside the body, and only they can
     * hold a lone surrogate or a NUL (\u0000). */
    if ((uintptr_t)s - (uintptr_t)p->json >= p->len) {
        repair_surrogates(p->ev->buf + out->off, len);
        drop_nuls(p->ev, out);
    }
    return 1;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    parser_t *p = ctx;
    unsigned char key;
    size_t index;
    frame_t *f = value_slot(p, &key, &index);
    if (!f)
        return 0;
    level_t *lv = &p->lv[f->level];
    waweb_pl_span_t sp;

    if (f->ctx == C_STRLIST) {
        if (!keep(p, s, len, &sp))
            return fail(p, WAWEB_PL_ERR_NOMEM);
        if (!list_push(f->key == K_IDS ? &lv->ids : &lv->jids, sp))
            return fail(p, WAWEB_PL_ERR_NOMEM);
        return 1;
    }
    if (f->ctx == C_SKIP || !f->is_map || key == K_NONE)
        return 1;
    if (f->ctx == C_MSG && key >= K_IMAGE && key <= K_STICKER) {
        /* v8 media sent as a bare path; an empty one is no media */
        if (len == 0)
            return 1;
        lv->media_key = key;
        key = S_MEDIA_PATH;
    }
    if (key >= S_COUNT)
        return 1;
    if (!keep(p, s, len, &lv->s[key]))
        return fail(p, WAWEB_PL_ERR_NOMEM);
    return 1;
}

static int all_digits(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

static int parse_double(const char *s, size_t len, double *out)
{
    char tmp[64];
    char *end;
    if (len == 0 || len >= sizeof(tmp))
        return 0;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    /* Ruby leaves LC_NUMERIC at "C", so strtod reads JSON's '.' */
    double d = strtod(tmp, &end);
    if (end != tmp + len || !isfinite(d))
        return 0;
    *out = d;
    return 1;
}

static int on_number(void *ctx, const char *s, size_t len)
{
    parser_t *p = ctx;
    unsigned char key;
    size_t index;
    frame_t *f = value_slot(p, &key, &index);
    if (!f)
        return 0;
    level_t *lv = &p->lv[f->level];

    if (f->ctx == C_LOCATION && (key == K_LAT || key == K_LON)) {
        double d;
        if (parse_double(s, len, &d)) {
            if (key == K_LAT) {
                lv->lat = d;
                lv->has_lat = 1;
            } else {
                lv->lon = d;
                lv->has_lon = 1;
            }
        }
    } else if (f->ctx == C_MSG && key == S_TIMESTAMP) {
        /* Some senders use Unix seconds; anything but a plain integer is ignored. */
        int neg = len > 0 && s[0] == '-';
        if (len - neg <= 18 && all_digits(s + neg, len - neg)) {
            int64_t v = 0;
            for (size_t i = neg; i < len; i++)
                v = v * 10 + (s[i] - '0');
            lv->ts_num = neg ? -v : v;
            lv->has_ts_num = 1;
        }
    } else if (f->ctx == C_MSG && (key == S_CHAT_ID || key == S_SENDER_ID) && all_digits(s, len)) {
        /* v7 bare numbers sent unquoted */
        if (!arena_put(p->ev, s, len, &lv->s[key]))
            return fail(p, WAWEB_PL_ERR_NOMEM);
    }
    /* anything else, such as a number inside ids, is dropped */
    return 1;
}

static int on_boolean(void *ctx, int b)
{
    parser_t *p = ctx;
    unsigned char key;
    size_t index;
    frame_t *f = value_slot(p, &key, &index);
    if (!f)
        return 0;
    if (f->ctx != C_MSG)
        return 1;
    if (key == K_IS_FROM_ME)
        p->lv[f->level].is_from_me = b ? 1 : 0;
    else if (key == K_WAS_FROM_ME)
        p->lv[f->level].was_from_me = b ? 1 : 0;
    return 1;
}

static int on_null(void *ctx)
{
    parser_t *p = ctx;
    unsigned char key;
    size_t index;
    return value_slot(p, &key, &index) != NULL;
}

static int push(parser_t *p, unsigned char ctx, unsigned char level, unsigned char key, int is_map)
{
    if (p->depth >= WAWEB_PL_MAX_DEPTH)
        return fail(p, WAWEB_PL_ERR_DEPTH);
    frame_t *f = &p->stack[p->depth++];
    f->ctx = ctx;
    f->level = level;
    f->key = key;
    f->is_map = (unsigned char)is_map;
    f->count = 0;
    return 1;
}

static int on_start_map(void *ctx)
{
    parser_t *p = ctx;
    if (p->depth == 0)
        return push(p, C_MSG, 0, K_NONE, 1);

    unsigned char key;
    size_t index;
    frame_t *f = value_slot(p, &key, &index);
    if (!f)
        return 0;
    unsigned char level = f->level;
    level_t *lv = &p->lv[level];
    unsigned char child = C_SKIP;

    if (f->ctx == C_MSG) {
        if (key == K_PAYLOAD && level == 0) {
            lv = &p->lv[1];
            level = 1;
            lv->has_payload = 1;
            child = C_MSG;
        } else if (key == K_MESSAGE) {
            child = C_V7_MESSAGE;
        } else if (key >= K_IMAGE && key <= K_STICKER) {
            lv->media_key = key;
            child = C_MEDIA;
        } else if (key == K_LOCATION || key == K_LIVE_LOCATION) {
            lv->has_location = 1;
            child = C_LOCATION;
        } else if (key == K_CONTACT) {
            lv->has_contact = 1;
            child = C_CONTACT;
        } else if (key == S_REACTION) {
            lv->has_reaction_obj = 1;
            child = C_REACTION;
        }
    } else if (f->ctx == C_CONTACTS && index == 0) {
        /* contacts_array: the first card stands for the message */
        lv->has_contact = 1;
        child = C_CONTACT;
    }
    return push(p, child, level, K_NONE, 1);
}

static int on_map_key(void *ctx, const unsigned char *k, size_t len)
{
    parser_t *p = ctx;
    frame_t *f = &p->stack[p->depth - 1];
    switch (f->ctx) {
    case C_MSG:
        f->key = msg_key(k, len);
        break;
    case C_V7_MESSAGE:
        f->key = lookup(V7_MESSAGE_KEYS, COUNT_OF(V7_MESSAGE_KEYS), k, len);
        break;
    case C_MEDIA:
        f->key = lookup(MEDIA_KEYS, COUNT_OF(MEDIA_KEYS), k, len);
        break;
    case C_LOCATION:
        f->key = lookup(LOCATION_KEYS, COUNT_OF(LOCATION_KEYS), k, len);
        break;
    case C_CONTACT:
        f->key = lookup(CONTACT_KEYS, COUNT_OF(CONTACT_KEYS), k, len);
        break;
    case C_REACTION:
        f->key = lookup(REACTION_KEYS, COUNT_OF(REACTION_KEYS), k, len);
        break;
    default:
        f->key = K_NONE;
    }
    return 1;
}

static int on_end(void *ctx)
{
    parser_t *p = ctx;
    p->depth--;
    return 1;
}

static int on_start_array(void *ctx)
{
    parser_t *p = ctx;
    if (p->depth == 0)
        return fail(p, WAWEB_PL_ERR_NOT_OBJECT);

    unsigned char key;
    size_t index;
    frame_t *f = value_slot(p, &key, &index);
    if (!f)
        return 0;
    level_t *lv = &p->lv[f->level];

    if (f->ctx == C_MSG && (key == K_IDS || key == K_JIDS)) {
        waweb_pl_list_t *l = key == K_IDS ? &lv->ids : &lv->jids;
        l->len = 0; /* a repeated key: the last one wins */
        l->present = 1;
        return push(p, C_STRLIST, f->level, key, 0);
    }
    if (f->ctx == C_MSG && key == K_CONTACTS_ARRAY)
        return push(p, C_CONTACTS, f->level, K_NONE, 0);
    return push(p, C_SKIP, f->level, K_NONE, 0);
}

static const yajl_callbacks CALLBACKS = {
    on_null,      on_boolean, NULL,   NULL,           on_number, on_string,
    on_start_map, on_map_key, on_end, on_start_array, on_end,
};

/* ---- finishing: from collected fields to the event -------------------------------- */

static int is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits_at(const char *s, size_t len, size_t pos, size_t n, int64_t *out)
{
    int64_t v = 0;
    if (pos + n > len)
        return 0;
    for (size_t i = pos; i < pos + n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int waweb_pl_parse_rfc3339(const char *s, size_t len, int64_t *out)
{
    static const int MDAYS[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t y, mo, d, h, mi, sec;
    size_t i;

    /* "YYYY-MM-DDTHH:MM:SS" */
    if (len < 20 || !digits_at(s, len, 0, 4, &y) || s[4] != '-' || !digits_at(s, len, 5, 2, &mo) ||
        s[7] != '-' || !digits_at(s, len, 8, 2, &d) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits_at(s, len, 11, 2, &h) ||
        s[13] != ':' || !digits_at(s, len, 14, 2, &mi) || s[16] != ':' ||
        !digits_at(s, len, 17, 2, &sec))
        return 0;
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60)
        return 0;
    if (d > MDAYS[mo - 1] + (mo == 2 && is_leap(y)))
        return 0;
    i = 19;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return 0;
    }
    if (i >= len)
        return 0;
    int64_t offset = 0;
    if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == len) {
        offset = 0;
    } else if ((s[i] == '+' || s[i] == '-') && i + 6 == len && s[i + 3] == ':') {
        int64_t oh, om;
        if (!digits_at(s, len, i + 1, 2, &oh) || !digits_at(s, len, i + 4, 2, &om) || oh > 23 ||
            om > 59)
            return 0;
        offset = (oh * 60 + om) * 60;
        if (s[i] == '-')
            offset = -offset;
    } else {
        return 0;
    }
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    return 1;
}

static waweb_pl_span_t first_of(const level_t *lv, int a, int b)
{
    return present(lv->s[a]) ? lv->s[a] : lv->s[b];
}

/* The canonical JID of a span (its first `len` bytes), appended to the arena; the raw
 * text when it is not a JID we know. Returns 0 only when out of memory. */
static int canonical(waweb_pl_event_t *ev, waweb_pl_span_t in, waweb_pl_span_t *out)
{
    waweb_jid_t jid;
    char buf[WAWEB_JID_MAX_FORMAT + 1];
    *out = in;
    if (!present(in) || in.len == 0 || in.len > WAWEB_JID_MAX_INPUT)
        return 1;
    if (waweb_jid_parse(span_ptr(ev, in), in.len, &jid) != WAWEB_JID_OK)
        return 1;
    size_t n = waweb_jid_format(&jid, buf, sizeof(buf));
    if (n >= sizeof(buf))
        return 1;
    if (n == in.len && memcmp(buf, span_ptr(ev, in), n) == 0)
        return 1; /* already canonical: no copy */
    return arena_put(ev, buf, n, out);
}

/* v7 groups: "<sender>:<device>@s.whatsapp.net in <chat>". Splits at the first " in ". */
static int split_in(const waweb_pl_event_t *ev, waweb_pl_span_t from, waweb_pl_span_t *left,
                    waweb_pl_span_t *right)
{
    if (!present(from) || from.len < 4)
        return 0;
    const char *s = span_ptr(ev, from);
    for (size_t i = 0; i + 4 <= from.len; i++) {
        if (memcmp(s + i, " in ", 4) == 0) {
            left->off = from.off;
            left->len = i;
            right->off = from.off + i + 4;
            right->len = from.len - i - 4;
            return 1;
        }
    }
    return 0;
}

static waweb_pl_kind_t media_kind(int key)
{
    switch (key) {
    case K_IMAGE:
        return WAWEB_PL_KIND_IMAGE;
    case K_VIDEO:
    case K_VIDEO_NOTE:
        return WAWEB_PL_KIND_VIDEO;
    case K_AUDIO:
        return WAWEB_PL_KIND_AUDIO;
    case K_DOCUMENT:
        return WAWEB_PL_KIND_DOCUMENT;
    default:
        return WAWEB_PL_KIND_STICKER;
    }
}

static waweb_pl_kind_t message_kind(const waweb_pl_event_t *ev, const level_t *m)
{
    waweb_pl_span_t action = m->s[S_ACTION];
    if (present(action)) {
        if (span_eq(ev, action, "message_revoked"))
            return WAWEB_PL_KIND_REVOKE;
        if (span_eq(ev, action, "message_edited"))
            return WAWEB_PL_KIND_EDIT;
        if (span_eq(ev, action, "event.delete_for_me"))
            return WAWEB_PL_KIND_DELETE_FOR_ME;
        return WAWEB_PL_KIND_UNKNOWN;
    }
    if (m->has_reaction_obj || present(m->s[S_REACTION]))
        return WAWEB_PL_KIND_REACTION;
    /* v8 copies a caption into body, so media wins over text */
    if (m->media_key)
        return media_kind(m->media_key);
    if (m->has_location)
        return WAWEB_PL_KIND_LOCATION;
    if (m->has_contact)
        return WAWEB_PL_KIND_CONTACT;
    waweb_pl_span_t text = first_of(m, S_BODY, S_V7_TEXT);
    if (present(text) && text.len > 0)
        return WAWEB_PL_KIND_TEXT;
    /* polls, buttons, a failed media download: nothing the inbox can show */
    return WAWEB_PL_KIND_UNSUPPORTED;
}

static waweb_pl_kind_t envelope_kind(const waweb_pl_event_t *ev, waweb_pl_span_t name,
                                     const level_t *m)
{
    static const struct {
        const char *name;
        waweb_pl_kind_t kind;
    } EXACT[] = {
        {"message.reaction", WAWEB_PL_KIND_REACTION},
        {"message.revoked", WAWEB_PL_KIND_REVOKE},
        {"message.edited", WAWEB_PL_KIND_EDIT},
        {"message.deleted", WAWEB_PL_KIND_DELETE_FOR_ME},
        {"message.ack", WAWEB_PL_KIND_RECEIPT},
        {"group.participants", WAWEB_PL_KIND_GROUP_PARTICIPANTS},
        {"group.joined", WAWEB_PL_KIND_GROUP_JOINED},
        {"chat_presence", WAWEB_PL_KIND_PRESENCE},
        {"call", WAWEB_PL_KIND_CALL},
        {"newsletter", WAWEB_PL_KIND_NEWSLETTER},
        {"history_sync", WAWEB_PL_KIND_HISTORY_SYNC},
    };
    if (span_eq(ev, name, "message"))
        return message_kind(ev, m);
    for (size_t i = 0; i < COUNT_OF(EXACT); i++)
        if (span_eq(ev, name, EXACT[i].name))
            return EXACT[i].kind;
    if (span_prefix(ev, name, "call."))
        return WAWEB_PL_KIND_CALL;
    if (span_prefix(ev, name, "newsletter."))
        return WAWEB_PL_KIND_NEWSLETTER;
    if (span_prefix(ev, name, "history_sync"))
        return WAWEB_PL_KIND_HISTORY_SYNC;
    return WAWEB_PL_KIND_UNKNOWN;
}

static waweb_pl_span_t non_empty(waweb_pl_span_t sp)
{
    if (present(sp) && sp.len == 0)
        sp.off = WAWEB_PL_ABSENT;
    return sp;
}

static int finish(parser_t *p)
{
    waweb_pl_event_t *ev = p->ev;
    level_t *root = &p->lv[0];
    int envelope = present(root->s[S_EVENT]);
    level_t *m = envelope ? &p->lv[1] : root;
    waweb_pl_span_t *F = ev->fields;
    waweb_pl_span_t left, right;

    ev->format =
        envelope && present(root->s[S_DEVICE_ID]) ? WAWEB_PL_FORMAT_V8 : WAWEB_PL_FORMAT_V7;
    ev->kind = envelope ? envelope_kind(ev, root->s[S_EVENT], m) : message_kind(ev, m);
    if (envelope) {
        F[WAWEB_PL_EVENT_NAME] = root->s[S_EVENT];
        F[WAWEB_PL_DEVICE_ID] = root->s[S_DEVICE_ID];
        F[WAWEB_PL_SESSION_ID] = root->s[S_SESSION_ID];
    }
    F[WAWEB_PL_MESSAGE_ID] = first_of(m, S_ID, S_V7_ID);

    /* chat: chat_id (bare v7 numbers get their server), else the " in " half of from */
    int split = split_in(ev, m->s[S_FROM], &left, &right);
    if (present(m->s[S_CHAT_ID])) {
        if (!canonical(ev, m->s[S_CHAT_ID], &F[WAWEB_PL_CHAT]))
            return 0;
    } else if (split) {
        if (!canonical(ev, right, &F[WAWEB_PL_CHAT]))
            return 0;
    }
    if (!canonical(ev, split ? left : (present(m->s[S_FROM]) ? m->s[S_FROM] : m->s[S_SENDER_ID]),
                   &F[WAWEB_PL_SENDER]))
        return 0;
    if (!canonical(ev, m->s[S_FROM_LID], &F[WAWEB_PL_SENDER_LID]))
        return 0;

    F[WAWEB_PL_PUSH_NAME] = first_of(m, S_FROM_NAME, S_PUSHNAME);
    if (!present(F[WAWEB_PL_PUSH_NAME]))
        F[WAWEB_PL_PUSH_NAME] = m->s[S_DISPLAY_NAME];
    F[WAWEB_PL_TEXT] =
        present(m->s[S_EDITED_TEXT]) ? m->s[S_EDITED_TEXT] : first_of(m, S_BODY, S_V7_TEXT);
    F[WAWEB_PL_CAPTION] = m->s[S_CAPTION];
    F[WAWEB_PL_REPLY_TO_ID] = non_empty(first_of(m, S_REPLIED_TO_ID, S_V7_REPLIED_ID));
    F[WAWEB_PL_MEDIA_PATH] = m->s[S_MEDIA_PATH];
    F[WAWEB_PL_MEDIA_URL] = m->s[S_MEDIA_URL];
    F[WAWEB_PL_MIME_TYPE] = m->s[S_MIME_TYPE];
    F[WAWEB_PL_FILENAME] = m->s[S_FILENAME];
    F[WAWEB_PL_CONTACT_NAME] = m->s[S_CONTACT_NAME];
    F[WAWEB_PL_CONTACT_PHONE] = m->s[S_CONTACT_PHONE];
    F[WAWEB_PL_VCARD] = m->s[S_VCARD];
    F[WAWEB_PL_LOCATION_NAME] = m->s[S_LOC_NAME];
    F[WAWEB_PL_EMOJI] = m->s[S_REACTION];
    F[WAWEB_PL_GROUP_NAME] = m->s[S_GROUP_NAME];
    F[WAWEB_PL_DISPLAY_NAME] = m->s[S_DISPLAY_NAME];

    switch (ev->kind) {
    case WAWEB_PL_KIND_REACTION:
        F[WAWEB_PL_TARGET_ID] = m->s[S_REACTED_ID];
        break;
    case WAWEB_PL_KIND_REVOKE:
        F[WAWEB_PL_TARGET_ID] = m->s[S_REVOKED_ID];
        break;
    case WAWEB_PL_KIND_EDIT:
        /* v7 edits carry the original id as message.id */
        F[WAWEB_PL_TARGET_ID] = first_of(m, S_ORIGINAL_ID, S_V7_ID);
        break;
    case WAWEB_PL_KIND_DELETE_FOR_ME:
        F[WAWEB_PL_TARGET_ID] = m->s[S_DELETED_ID];
        break;
    case WAWEB_PL_KIND_GROUP_PARTICIPANTS:
    case WAWEB_PL_KIND_GROUP_JOINED: {
        static const char *const ACTIONS[] = {"join", "leave", "promote", "demote"};
        for (int i = 0; i < 4; i++)
            if (span_eq(ev, m->s[S_TYPE], ACTIONS[i]))
                ev->group_action = (waweb_pl_group_action_t)(WAWEB_PL_GROUP_JOIN + i);
        break;
    }
    default:
        break;
    }
    F[WAWEB_PL_TARGET_ID] = non_empty(F[WAWEB_PL_TARGET_ID]);

    if (span_eq(ev, m->s[S_RECEIPT_TYPE], "delivered"))
        ev->receipt_type = WAWEB_PL_RECEIPT_DELIVERED;
    else if (span_eq(ev, m->s[S_RECEIPT_TYPE], "read"))
        ev->receipt_type = WAWEB_PL_RECEIPT_READ;
    else if (span_eq(ev, m->s[S_RECEIPT_TYPE], "read-self"))
        ev->receipt_type = WAWEB_PL_RECEIPT_READ_SELF;

    /* messages carry their own time; envelopes of other events carry it at the root */
    const level_t *ts_levels[2] = {m, root};
    for (int i = 0; i < 2 && !ev->has_timestamp; i++) {
        const level_t *l = ts_levels[i];
        if (present(l->s[S_TIMESTAMP]))
            ev->has_timestamp = waweb_pl_parse_rfc3339(span_ptr(ev, l->s[S_TIMESTAMP]),
                                                       l->s[S_TIMESTAMP].len, &ev->timestamp);
        if (!ev->has_timestamp && l->has_ts_num) {
            ev->timestamp = l->ts_num;
            ev->has_timestamp = 1;
        }
    }

    ev->from_me = m->is_from_me >= 0 ? m->is_from_me : m->was_from_me;
    ev->has_latitude = m->has_lat;
    ev->latitude = m->lat;
    ev->has_longitude = m->has_lon;
    ev->longitude = m->lon;

    /* the lists move into the event */
    ev->ids = m->ids;
    memset(&m->ids, 0, sizeof(m->ids));
    ev->participants = m->jids;
    memset(&m->jids, 0, sizeof(m->jids));
    for (size_t i = 0; i < ev->participants.len; i++)
        if (!canonical(ev, ev->participants.items[i], &ev->participants.items[i]))
            return 0;
    return 1;
}

/* ---- entry points ------------------------------------------------------------------ */

static void set_error(waweb_pl_error_t *err, waweb_pl_status_t st, size_t offset, const char *what)
{
    err->status = st;
    err->offset = offset;
    snprintf(err->message, sizeof(err->message), "%.120s at byte %zu", what, offset);
}

static void init_level(level_t *lv)
{
    memset(lv, 0, sizeof(*lv));
    for (int i = 0; i < S_COUNT; i++)
        lv->s[i].off = WAWEB_PL_ABSENT;
    lv->is_from_me = -1;
    lv->was_from_me = -1;
}

static void init_event(waweb_pl_event_t *ev)
{
    memset(ev, 0, sizeof(*ev));
    for (int i = 0; i < WAWEB_PL_FIELD_COUNT; i++)
        ev->fields[i].off = WAWEB_PL_ABSENT;
    ev->from_me = -1;
}

/* yajl's own text ("lexical error: invalid char in json text.\n"), minus the newline. */
static void yajl_error_text(yajl_handle h, const char *json, size_t len, size_t offset,
                            waweb_pl_error_t *err)
{
    unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)json, len);
    char what[WAWEB_PL_ERROR_MAX];
    size_t n = msg ? strcspn((const char *)msg, "\n") : 0;
    if (n > 100)
        n = 100;
    snprintf(what, sizeof(what), "invalid JSON (%.*s)", (int)n, msg ? (const char *)msg : "");
    if (msg)
        yajl_free_error(h, msg);
    set_error(err, WAWEB_PL_ERR_SYNTAX, offset, what);
}

/* The reference parse: yajl over the strictly valid UTF-8 prefix. Fills err on failure. */
static waweb_pl_status_t parse_with_yajl(parser_t *p, size_t start, waweb_pl_error_t *err)
{
    const char *json = p->json;
    size_t len = p->len;
    waweb_pl_status_t st = WAWEB_PL_OK;

    p->scratch.used = 0;
    p->scratch.last = 0;
    yajl_alloc_funcs afs = {sc_malloc, sc_realloc, sc_free, &p->scratch};
    p->yajl = yajl_alloc(&CALLBACKS, &afs, p);
    if (!p->yajl) {
        set_error(err, WAWEB_PL_ERR_NOMEM, 0, "out of memory");
        return err->status;
    }
    /* Strict UTF-8 is checked here, so yajl's weaker check is off. yajl sees only the
     * valid prefix: whichever comes first, a JSON error or the bad byte, is reported. */
    yajl_config(p->yajl, yajl_dont_validate_strings, 1);
    size_t valid = utf8_invalid_at((const unsigned char *)json, len);

    yajl_status ys = yajl_parse(p->yajl, (const unsigned char *)json, valid);
    size_t offset = yajl_get_bytes_consumed(p->yajl);
    if (ys == yajl_status_ok && valid < len) {
        set_error(err, WAWEB_PL_ERR_SYNTAX, valid, "invalid UTF-8");
        st = err->status;
    } else if (ys == yajl_status_ok) {
        /* complete_parse reports offsets within its empty chunk: the end is len */
        ys = yajl_complete_parse(p->yajl);
        offset = len;
    }
    if (st != WAWEB_PL_OK) {
        /* reported above */
    } else if (ys == yajl_status_client_canceled) {
        st = p->fail;
        if (st == WAWEB_PL_ERR_DEPTH)
            set_error(err, st, offset ? offset - 1 : 0, "JSON nested deeper than 64 levels");
        else if (st == WAWEB_PL_ERR_NOT_OBJECT)
            set_error(err, st, start, "webhook body is not a JSON object");
        else
            set_error(err, WAWEB_PL_ERR_NOMEM, offset, "out of memory");
        st = err->status;
    } else if (ys != yajl_status_ok) {
        yajl_error_text(p->yajl, json, len, offset, err);
        st = err->status;
    }
    yajl_free(p->yajl);
    p->yajl = NULL;
    return st;
}

/* What the fast scanner collected before it gave up is dropped: yajl starts afresh
 * (the arena keeps its block). */
static void reset_collected(parser_t *p)
{
    for (int i = 0; i < 2; i++) {
        list_free(&p->lv[i].ids);
        list_free(&p->lv[i].jids);
        init_level(&p->lv[i]);
    }
    p->depth = 0;
    p->fail = WAWEB_PL_OK;
    p->ev->buf_len = 0;
}

static waweb_pl_status_t classify(const char *json, size_t len, size_t max_bytes,
                                  waweb_pl_event_t *ev, waweb_pl_error_t *err, int fast)
{
    parser_t p;
    size_t start = 0;
    waweb_pl_status_t st = WAWEB_PL_OK;

    init_event(ev);
    memset(err, 0, sizeof(*err));
    if (len > max_bytes) {
        char what[WAWEB_PL_ERROR_MAX];
        snprintf(what, sizeof(what), "webhook body of %zu bytes is over max_bytes (%zu)", len,
                 max_bytes);
        set_error(err, WAWEB_PL_ERR_TOO_LARGE, max_bytes, what);
        return err->status;
    }
    /* The top level must be an object: checked up front so the offset is the value's. */
    while (start < len && (json[start] == ' ' || json[start] == '\t' || json[start] == '\n' ||
                           json[start] == '\r'))
        start++;
    if (start == len) {
        set_error(err, WAWEB_PL_ERR_NOT_OBJECT, start,
                  "empty webhook body: expected a JSON object");
        return err->status;
    }
    if (json[start] != '{') {
        set_error(err, WAWEB_PL_ERR_NOT_OBJECT, start,
                  "webhook body is not a JSON object: expected '{'");
        return err->status;
    }

    /* the frame stack is written before it is read: no need to clear its 1 KB */
    p.depth = 0;
    p.fail = WAWEB_PL_OK;
    init_level(&p.lv[0]);
    init_level(&p.lv[1]);
    p.ev = ev;
    p.json = json;
    p.len = len;
    if (!arena_reserve(ev, len < ARENA_PRESIZE_MAX ? len + 256 : ARENA_PRESIZE_MAX)) {
        set_error(err, WAWEB_PL_ERR_NOMEM, 0, "out of memory");
        return err->status;
    }
    /* Almost every webhook is well-formed: the fast scanner proves it and fills the
     * same state in one pass. Only what it declines (errors included, for their text
     * and offset) goes through yajl and the separate UTF-8 pass. */
    if (fast && waweb_json_scan(&CALLBACKS, &p, json, len)) {
        st = WAWEB_PL_OK;
    } else {
        reset_collected(&p);
        st = parse_with_yajl(&p, start, err);
    }
    if (st == WAWEB_PL_OK && !finish(&p)) {
        set_error(err, WAWEB_PL_ERR_NOMEM, len, "out of memory");
        st = err->status;
    }

    for (int i = 0; i < 2; i++) {
        list_free(&p.lv[i].ids);
        list_free(&p.lv[i].jids);
    }
    if (st != WAWEB_PL_OK) {
        waweb_pl_event_free(ev);
    } else if (ev->buf_cap - ev->buf_len > ARENA_MIN) {
        /* events may live until the next GC: give back what the presize overestimated */
        char *nb = realloc(ev->buf, ev->buf_len ? ev->buf_len : 1);
        if (nb) {
            ev->buf = nb;
            ev->buf_cap = ev->buf_len ? ev->buf_len : 1;
        }
    }
    return st;
}

waweb_pl_status_t waweb_pl_classify(const char *json, size_t len, size_t max_bytes,
                                    waweb_pl_event_t *ev, waweb_pl_error_t *err)
{
    return classify(json, len, max_bytes, ev, err, 1);
}

waweb_pl_status_t waweb_pl_classify_yajl(const char *json, size_t len, size_t max_bytes,
                                         waweb_pl_event_t *ev, waweb_pl_error_t *err)
{
    return classify(json, len, max_bytes, ev, err, 0);
}

void waweb_pl_event_free(waweb_pl_event_t *ev)
{
    free(ev->buf);
    list_free(&ev->ids);
    list_free(&ev->participants);
    init_event(ev);
}

const char *waweb_pl_kind_name(waweb_pl_kind_t kind)
{
    static const char *const NAMES[WAWEB_PL_KIND_COUNT] = {
        "text",         "image",
        "video",        "audio",
        "document",     "sticker",
        "contact",      "location",
        "reaction",     "edit",
        "revoke",       "delete_for_me",
        "receipt",      "group_participants",
        "group_joined", "presence",
        "call",         "newsletter",
        "history_sync", "unsupported",
        "unknown",
    };
    return (unsigned)kind < WAWEB_PL_KIND_COUNT ? NAMES[kind] : "unknown";
}

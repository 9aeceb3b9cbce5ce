/* JID rules (docs/jid-rules.md) on plain bytes. One pass over at most 256 bytes, no
 * heap: the canonical user part is copied into the caller's struct. */
#include "jid.h"

#include <string.h>

/* Group ids: new ones have 10-20 digits; nothing we accept is longer than 20 digits. */
#define GROUP_MIN_DIGITS 10
#define ID_MAX_DIGITS 20
#define PHONE_MIN_DIGITS 7

typedef struct {
    const char *name;
    size_t len;
    waweb_jid_kind_t kind;
    const char *canonical;
} server_t;

static const char S_USER[] = "s.whatsapp.net";
static const char S_GROUP[] = "g.us";
static const char S_LID[] = "lid";
static const char S_BROADCAST[] = "broadcast";
static const char S_NEWSLETTER[] = "newsletter";

static const server_t SERVERS[] = {
    {S_USER, sizeof(S_USER) - 1, WAWEB_JID_KIND_USER, S_USER},
    {"c.us", 4, WAWEB_JID_KIND_USER, S_USER},
    {S_GROUP, sizeof(S_GROUP) - 1, WAWEB_JID_KIND_GROUP, S_GROUP},
    {S_LID, sizeof(S_LID) - 1, WAWEB_JID_KIND_LID, S_LID},
    {S_BROADCAST, sizeof(S_BROADCAST) - 1, WAWEB_JID_KIND_BROADCAST, S_BROADCAST},
    {S_NEWSLETTER, sizeof(S_NEWSLETTER) - 1, WAWEB_JID_KIND_NEWSLETTER, S_NEWSLETTER},
};

static const char *const MESSAGES[WAWEB_JID_STATUS_COUNT] = {
    [WAWEB_JID_OK] = "is valid",
    [WAWEB_JID_EMPTY] = "is empty: expected a phone number with its country code, or a JID",
    [WAWEB_JID_TOO_LONG] = "is too long: at most 256 bytes are accepted",
    [WAWEB_JID_NUL_BYTE] = "contains a NUL byte",
    [WAWEB_JID_NON_ASCII] = "contains non-ASCII characters: only the digits 0-9 are allowed",
    [WAWEB_JID_NO_DIGITS] = "has no digits: expected a phone number with its country code",
    [WAWEB_JID_BAD_CHAR] = "is not a phone number: only digits, spaces, ( ) - . and one leading + "
                           "are allowed",
    [WAWEB_JID_NOT_INTERNATIONAL] =
        "is not an international phone number: it must start with the country code",
    [WAWEB_JID_TOO_SHORT] = "is too short for a phone number: at least 7 digits with the country "
                            "code",
    [WAWEB_JID_PHONE_TOO_LONG] = "is too long for a phone number: at most 15 digits",
    [WAWEB_JID_NUMBER_TOO_LONG] = "is too long: a phone number has at most 15 digits and a group "
                                  "id at most 20",
    [WAWEB_JID_TWO_AT] = "has more than one @",
    [WAWEB_JID_EMPTY_USER] = "has an empty user part before the @",
    [WAWEB_JID_EMPTY_SERVER] = "has an empty server after the @",
    [WAWEB_JID_UNKNOWN_SERVER] = "has an unknown server: expected s.whatsapp.net, c.us, g.us, "
                                 "lid, broadcast or newsletter",
    [WAWEB_JID_BAD_USER] = "is not a user JID: the part before the @ must be phone digits",
    [WAWEB_JID_BAD_AGENT] = "has an invalid agent: expected .<0-255> after the user",
    [WAWEB_JID_BAD_DEVICE] = "has an invalid device: expected :<0-65535> before the @",
    [WAWEB_JID_BAD_GROUP] = "is not a group JID: expected 10-20 digits or <phone>-<unix time>, "
                            "without device",
    [WAWEB_JID_BAD_LID] = "is not a LID: expected 1-20 digits before @lid",
    [WAWEB_JID_BAD_BROADCAST] = "is not a broadcast JID: expected status or digits before "
                                "@broadcast",
    [WAWEB_JID_BAD_NEWSLETTER] = "is not a newsletter JID: expected 1-20 digits before @newsletter",
};

static const char *const KIND_NAMES[] = {"user", "group", "lid", "broadcast", "newsletter"};

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + ('a' - 'A')) : c;
}

static int all_digits(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i])) {
            return 0;
        }
    }
    return 1;
}

static int equal_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen) {
        return 0;
    }
    for (size_t i = 0; i < alen; i++) {
        if (lower(a[i]) != b[i]) {
            return 0;
        }
    }
    return 1;
}

/* Small decimal number of 1..max_digits digits, at most max_value. */
static int parse_small(const char *p, size_t n, size_t max_digits, unsigned long max_value,
                       unsigned int *out)
{
    unsigned long v = 0;
    if (n == 0 || n > max_digits || !all_digits(p, n)) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        v = v * 10 + (unsigned long)(p[i] - '0');
    }
    if (v > max_value) {
        return 0;
    }
    *out = (unsigned int)v;
    return 1;
}

static void set_user(waweb_jid_t *out, const char *p, size_t n)
{
    memcpy(out->user, p, n);
    out->user[n] = '\0';
    out->user_len = n;
}

static void set_server(waweb_jid_t *out, waweb_jid_kind_t kind, const char *server)
{
    out->kind = kind;
    out->server = server;
    out->server_len = strlen(server);
}

/* Digits of a phone-number user part: country code first, 7-15 digits. */
static waweb_jid_status_t check_phone(const char *p, size_t n)
{
    if (!all_digits(p, n)) {
        return WAWEB_JID_BAD_USER;
    }
    if (p[0] == '0') {
        return WAWEB_JID_NOT_INTERNATIONAL;
    }
    if (n < PHONE_MIN_DIGITS) {
        return WAWEB_JID_TOO_SHORT;
    }
    if (n > WAWEB_JID_MAX_PHONE) {
        return WAWEB_JID_PHONE_TOO_LONG;
    }
    return WAWEB_JID_OK;
}

static int valid_group(const char *p, size_t n)
{
    const char *dash = memchr(p, '-', n);
    if (dash == NULL) {
        return n >= GROUP_MIN_DIGITS && n <= ID_MAX_DIGITS && all_digits(p, n);
    }
    size_t creator = (size_t)(dash - p);
    size_t time = n - creator - 1;
    return check_phone(p, creator) == WAWEB_JID_OK && time >= 1 && time <= ID_MAX_DIGITS &&
           all_digits(dash + 1, time);
}

static waweb_jid_status_t parse_full(const char *u, size_t ulen, const char *s, size_t slen,
                                     waweb_jid_t *out)
{
    const server_t *server = NULL;
    if (slen == 0) {
        return WAWEB_JID_EMPTY_SERVER;
    }
    for (size_t i = 0; i < sizeof(SERVERS) / sizeof(SERVERS[0]); i++) {
        if (equal_nocase(s, slen, SERVERS[i].name, SERVERS[i].len)) {
            server = &SERVERS[i];
            break;
        }
    }
    if (ulen > 0 && u[0] == '+') {
        u++;
        ulen--;
    }
    if (ulen == 0) {
        return WAWEB_JID_EMPTY_USER;
    }
    if (server == NULL) {
        return WAWEB_JID_UNKNOWN_SERVER;
    }

    /* user[.agent][:device] */
    size_t base = ulen;
    const char *colon = memchr(u, ':', ulen);
    if (colon != NULL) {
        size_t at = (size_t)(colon - u);
        if (!parse_small(colon + 1, ulen - at - 1, 5, 65535, &out->device)) {
            return WAWEB_JID_BAD_DEVICE;
        }
        out->has_device = 1;
        base = at;
    }
    const char *dot = memchr(u, '.', base);
    if (dot != NULL) {
        size_t at = (size_t)(dot - u);
        if (!parse_small(dot + 1, base - at - 1, 3, 255, &out->agent)) {
            return WAWEB_JID_BAD_AGENT;
        }
        out->has_agent = 1;
        base = at;
    }
    if (base == 0) {
        return WAWEB_JID_EMPTY_USER;
    }
    if (base > WAWEB_JID_MAX_USER) {
        base = WAWEB_JID_MAX_USER + 1; /* fails every length check below */
    }

    int linked = out->has_agent || out->has_device;
    waweb_jid_status_t st = WAWEB_JID_OK;
    switch (server->kind) {
    case WAWEB_JID_KIND_USER:
        st = check_phone(u, base);
        break;
    case WAWEB_JID_KIND_GROUP:
        if (linked || !valid_group(u, base)) {
            st = WAWEB_JID_BAD_GROUP;
        }
        break;
    case WAWEB_JID_KIND_LID:
        if (base > ID_MAX_DIGITS || !all_digits(u, base)) {
            st = WAWEB_JID_BAD_LID;
        }
        break;
    case WAWEB_JID_KIND_BROADCAST:
        if (linked || !((base <= ID_MAX_DIGITS && all_digits(u, base)) ||
                        equal_nocase(u, base, "status", 6))) {
            st = WAWEB_JID_BAD_BROADCAST;
        }
        break;
    case WAWEB_JID_KIND_NEWSLETTER:
        if (linked || base > ID_MAX_DIGITS || !all_digits(u, base)) {
            st = WAWEB_JID_BAD_NEWSLETTER;
        }
        break;
    }
    if (st != WAWEB_JID_OK) {
        return st;
    }
    set_user(out, u, base);
    if (server->kind == WAWEB_JID_KIND_BROADCAST && !is_digit(u[0])) {
        memcpy(out->user, "status", 6);
    }
    set_server(out, server->kind, server->canonical);
    return WAWEB_JID_OK;
}

/* What a person or Chatwoot typed: one leading '+', then digits with spaces, (), - and . */
static waweb_jid_status_t parse_phone(const char *p, size_t n, waweb_jid_t *out)
{
    char digits[ID_MAX_DIGITS];
    size_t count = 0;
    size_t i = 0;
    if (n > 0 && p[0] == '+') {
        i = 1;
    }
    for (; i < n; i++) {
        char c = p[i];
        if (is_digit(c)) {
            if (count < ID_MAX_DIGITS) {
                digits[count] = c;
            }
            count++;
        } else if (!(c == ' ' || c == '\t' || c == '(' || c == ')' || c == '-' || c == '.')) {
            return WAWEB_JID_BAD_CHAR;
        }
    }
    if (count == 0) {
        return WAWEB_JID_NO_DIGITS;
    }
    if (digits[0] == '0') {
        return WAWEB_JID_NOT_INTERNATIONAL;
    }
    if (count < PHONE_MIN_DIGITS) {
        return WAWEB_JID_TOO_SHORT;
    }
    if (count > ID_MAX_DIGITS) {
        return WAWEB_JID_NUMBER_TOO_LONG;
    }
    set_user(out, digits, count);
    /* More than 15 bare digits cannot be a phone: the gateway reads them as a group id. */
    if (count > WAWEB_JID_MAX_PHONE) {
        set_server(out, WAWEB_JID_KIND_GROUP, S_GROUP);
    } else {
        set_server(out, WAWEB_JID_KIND_USER, S_USER);
    }
    return WAWEB_JID_OK;
}

waweb_jid_status_t waweb_jid_parse(const char *in, size_t len, waweb_jid_t *out)
{
    memset(out, 0, sizeof(*out));
    if (in == NULL || len == 0) {
        return WAWEB_JID_EMPTY;
    }
    if (len > WAWEB_JID_MAX_INPUT) {
        return WAWEB_JID_TOO_LONG;
    }
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '\0') {
            return WAWEB_JID_NUL_BYTE;
        }
        if ((unsigned char)in[i] >= 0x80) {
            return WAWEB_JID_NON_ASCII;
        }
    }
    const char *p = in;
    const char *end = in + len;
    while (p < end && is_space(*p)) {
        p++;
    }
    while (end > p && is_space(end[-1])) {
        end--;
    }
    if (end - p >= 9 && equal_nocase(p, 9, "whatsapp:", 9)) {
        p += 9;
        while (p < end && is_space(*p)) {
            p++;
        }
    }
    if (p == end) {
        return WAWEB_JID_EMPTY;
    }
    size_t n = (size_t)(end - p);
    waweb_jid_status_t st;
    const char *at = memchr(p, '@', n);
    if (at == NULL) {
        st = parse_phone(p, n, out);
    } else if (memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL) {
        st = WAWEB_JID_TWO_AT;
    } else {
        st = parse_full(p, (size_t)(at - p), at + 1, (size_t)(end - at - 1), out);
    }
    if (st != WAWEB_JID_OK) {
        memset(out, 0, sizeof(*out));
    }
    return st;
}

size_t waweb_jid_format(const waweb_jid_t *jid, char *buf, size_t cap)
{
    size_t total = jid->user_len + 1 + jid->server_len;
    if (cap == 0 || buf == NULL) {
        return total;
    }
    size_t pos = 0;
    size_t n = jid->user_len < cap ? jid->user_len : cap;
    memcpy(buf, jid->user, n);
    pos = n;
    if (pos < cap) {
        buf[pos++] = '@';
    }
    if (pos < cap && jid->server != NULL) {
        n = jid->server_len < cap - pos ? jid->server_len : cap - pos;
        memcpy(buf + pos, jid->server, n);
        pos += n;
    }
    if (pos < cap) {
        buf[pos] = '\0';
    }
    return total;
}

const char *waweb_jid_status_message(waweb_jid_status_t st)
{
    if ((unsigned)st >= WAWEB_JID_STATUS_COUNT) {
        return "is invalid";
    }
    return MESSAGES[st];
}

const char *waweb_jid_kind_name(waweb_jid_kind_t kind)
{
    if ((unsigned)kind >= sizeof(KIND_NAMES) / sizeof(KIND_NAMES[0])) {
        return "unknown";
    }
    return KIND_NAMES[kind];
}

/* Brazilian mobiles: 55 + area 11-99 + either 9 + 8 digits (13) or 8 digits starting 6-9
 * (12). Each form has the other as its variant; nothing else has one. */
int waweb_jid_phone_variants(const waweb_jid_t *jid, waweb_jid_phone_t variants[2])
{
    const char *d = jid->user;
    size_t n = jid->user_len;
    if (jid->kind != WAWEB_JID_KIND_USER || n > WAWEB_JID_MAX_PHONE) {
        return 0;
    }
    memcpy(variants[0].digits, d, n);
    variants[0].digits[n] = '\0';
    variants[0].len = n;

    int area_ok = n >= 12 && d[0] == '5' && d[1] == '5' && d[2] >= '1' && d[2] <= '9' &&
                  !(d[2] == '1' && d[3] == '0');
    if (!area_ok) {
        return 1;
    }
    if (n == 12 && d[4] >= '6' && d[4] <= '9') {
        memcpy(variants[1].digits, d, 4);
        variants[1].digits[4] = '9';
        memcpy(variants[1].digits + 5, d + 4, 8);
        variants[1].len = 13;
    } else if (n == 13 && d[4] == '9') {
        memcpy(variants[1].digits, d, 4);
        memcpy(variants[1].digits + 4, d + 5, 8);
        variants[1].len = 12;
    } else {
        return 1;
    }
    variants[1].digits[variants[1].len] = '\0';
    return 2;
}

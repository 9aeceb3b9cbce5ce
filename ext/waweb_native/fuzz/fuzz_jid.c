/* libFuzzer harness for the JID core (jid.c): any bytes in; checks the documented
 * contract, not just the absence of crashes. Built by `rake fuzz`. */
#include "../jid.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static int all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

/* Formatting into a buffer of every small capacity writes at most cap bytes, returns
 * the full length and NUL-terminates when it fits. */
static void check_format_caps(const waweb_jid_t *jid, const char *full, size_t full_len)
{
    for (size_t cap = 0; cap <= full_len + 1; cap += (cap < 8 ? 1 : 7)) {
        char buf[WAWEB_JID_MAX_FORMAT + 16];
        memset(buf, 0x5a, sizeof(buf));
        size_t n = waweb_jid_format(jid, buf, cap);
        CHECK(n == full_len);
        for (size_t i = cap; i < sizeof(buf); i++)
            CHECK((unsigned char)buf[i] == 0x5a);
        size_t written = full_len < cap ? full_len : cap;
        CHECK(memcmp(buf, full, written) == 0);
        if (full_len < cap)
            CHECK(buf[full_len] == '\0');
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Copy into an exact-size heap block so ASan sees any read past the input. */
    char *in = malloc(size ? size : 1);
    if (!in)
        return 0;
    memcpy(in, data, size);

    waweb_jid_t jid;
    waweb_jid_status_t st = waweb_jid_parse(in, size, &jid);
    CHECK((int)st >= 0 && st < WAWEB_JID_STATUS_COUNT);
    CHECK(waweb_jid_status_message(st) != NULL);
    if (st != WAWEB_JID_OK) {
        free(in);
        return 0;
    }

    CHECK(jid.user_len <= WAWEB_JID_MAX_USER && jid.user[jid.user_len] == '\0');
    CHECK(strlen(jid.user) == jid.user_len);
    CHECK(jid.server != NULL && strlen(jid.server) == jid.server_len);
    CHECK(waweb_jid_kind_name(jid.kind) != NULL);

    char canon[WAWEB_JID_MAX_FORMAT + 1];
    size_t len = waweb_jid_format(&jid, canon, sizeof(canon));
    CHECK(len <= WAWEB_JID_MAX_FORMAT);
    CHECK(canon[len] == '\0');
    check_format_caps(&jid, canon, len);

    /* The canonical form is a fixed point: it parses to the same JID and formats to itself. */
    waweb_jid_t again;
    CHECK(waweb_jid_parse(canon, len, &again) == WAWEB_JID_OK);
    char canon2[WAWEB_JID_MAX_FORMAT + 1];
    size_t len2 = waweb_jid_format(&again, canon2, sizeof(canon2));
    CHECK(len2 == len && memcmp(canon, canon2, len) == 0);
    CHECK(again.kind == jid.kind);

    waweb_jid_phone_t v[2];
    memset(v, 0x5a, sizeof(v));
    int n = waweb_jid_phone_variants(&jid, v);
    CHECK(n >= 0 && n <= 2);
    if (jid.kind != WAWEB_JID_KIND_USER)
        CHECK(n == 0);
    for (int i = 0; i < n; i++) {
        CHECK(v[i].len >= 1 && v[i].len <= WAWEB_JID_MAX_PHONE);
        CHECK(v[i].digits[v[i].len] == '\0');
        CHECK(all_digits(v[i].digits, v[i].len));
    }
    if (n >= 1)
        CHECK(v[0].len == jid.user_len && memcmp(v[0].digits, jid.user, jid.user_len) == 0);
    if (n == 2)
        CHECK(v[1].len != v[0].len || memcmp(v[0].digits, v[1].digits, v[0].len) != 0);
    free(in);
    return 0;
}

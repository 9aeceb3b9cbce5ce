/* libFuzzer harness for the signature core (signature.c): header parsing on arbitrary
 * bytes, and sign/verify/secure_compare agreeing with each other on arbitrary keys and
 * bodies. Input layout: [key_len byte][key][rest = body, also tried as a header]. */
#include "../signature.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            __builtin_trap();                                                                      \
    } while (0)

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* An independent statement of "well formed": prefix, then exactly 64 hex digits. */
static int well_formed(const char *h, size_t len)
{
    if (len != WAWEB_SIG_HEADER_LEN || memcmp(h, WAWEB_SIG_PREFIX, WAWEB_SIG_PREFIX_LEN) != 0)
        return 0;
    for (size_t i = WAWEB_SIG_PREFIX_LEN; i < len; i++) {
        if (hexval(h[i]) < 0)
            return 0;
    }
    return 1;
}

static char *dup_exact(const uint8_t *p, size_t n)
{
    char *c = malloc(n ? n : 1);
    if (c && n)
        memcpy(c, p, n);
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The whole input as a header. */
    char *whole = dup_exact(data, size);
    unsigned char digest[WAWEB_SIG_DIGEST_LEN];
    int parsed = waweb_sig_parse_header(whole, size, digest);
    CHECK(parsed == well_formed(whole, size));
    if (parsed) {
        for (size_t i = 0; i < WAWEB_SIG_DIGEST_LEN; i++) {
            int hi = hexval(whole[WAWEB_SIG_PREFIX_LEN + 2 * i]);
            int lo = hexval(whole[WAWEB_SIG_PREFIX_LEN + 2 * i + 1]);
            CHECK(digest[i] == (unsigned char)((hi << 4) | lo));
        }
    }

    if (size == 0) {
        free(whole);
        return 0;
    }
    size_t key_len = data[0];
    if (key_len > size - 1)
        key_len = size - 1;
    char *key = dup_exact(data + 1, key_len);
    size_t body_len = size - 1 - key_len;
    char *body = dup_exact(data + 1 + key_len, body_len);

    char sig[WAWEB_SIG_HEADER_LEN];
    CHECK(waweb_sig_sign(key, key_len, body, body_len, sig) == 1);
    CHECK(well_formed(sig, sizeof(sig)));
    for (size_t i = WAWEB_SIG_PREFIX_LEN; i < sizeof(sig); i++)
        CHECK((sig[i] >= '0' && sig[i] <= '9') || (sig[i] >= 'a' && sig[i] <= 'f'));
    /* An empty key never verifies; any other key verifies its own signature. */
    CHECK(waweb_sig_verify(key, key_len, body, body_len, sig, sizeof(sig)) == (key_len > 0));

    /* One flipped bit in the signature, the body or the key breaks verification. */
    if (key_len > 0) {
        char bad[WAWEB_SIG_HEADER_LEN];
        memcpy(bad, sig, sizeof(bad));
        size_t at = WAWEB_SIG_PREFIX_LEN + (body_len + key_len) % (2 * WAWEB_SIG_DIGEST_LEN);
        bad[at] = bad[at] == '0' ? '1' : '0';
        CHECK(waweb_sig_verify(key, key_len, body, body_len, bad, sizeof(bad)) == 0);
        if (body_len > 0) {
            body[body_len / 2] ^= 1;
            CHECK(waweb_sig_verify(key, key_len, body, body_len, sig, sizeof(sig)) == 0);
            body[body_len / 2] ^= 1;
        }
        key[key_len / 2] ^= 0x80;
        CHECK(waweb_sig_verify(key, key_len, body, body_len, sig, sizeof(sig)) == 0);
        key[key_len / 2] ^= 0x80;
        /* The body as a header verifies exactly when it is this signature. */
        int same = body_len == sizeof(sig) && memcmp(body, sig, sizeof(sig)) == 0;
        if (same || !well_formed(body, body_len))
            CHECK(waweb_sig_verify(key, key_len, body, body_len, body, body_len) == same);
    }

    /* secure_compare is plain equality. */
    size_t half = body_len / 2;
    int eq = half == body_len - half && memcmp(body, body + half, half) == 0;
    CHECK(waweb_sig_secure_compare(body, half, body + half, body_len - half) == eq);
    CHECK(waweb_sig_secure_compare(body, body_len, body, body_len) == 1);
    CHECK(waweb_sig_secure_compare(key, key_len, body, body_len) ==
          (key_len == body_len && memcmp(key, body, key_len) == 0));

    free(key);
    free(body);
    free(whole);
    return 0;
}

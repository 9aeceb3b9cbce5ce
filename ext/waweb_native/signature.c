/* HMAC-SHA256 webhook signatures with OpenSSL's one-shot HMAC() and CRYPTO_memcmp. */
#include "signature.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char HEX[] = "0123456789abcdef";

int waweb_sig_hmac(const void *key, size_t key_len, const void *msg, size_t msg_len,
                   unsigned char out[WAWEB_SIG_DIGEST_LEN])
{
    unsigned int out_len = 0;
    /* HMAC() takes an int key length; a key that long is not a webhook secret. */
    if (key_len > 0x7fffffff) {
        return 0;
    }
    /* OpenSSL wants non-NULL pointers even for empty input. */
    static const unsigned char empty[1] = {0};
    if (key == NULL) {
        key = empty;
    }
    if (msg == NULL) {
        msg = empty;
    }
    if (HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &out_len) == NULL ||
        out_len != WAWEB_SIG_DIGEST_LEN) {
        return 0;
    }
    return 1;
}

int waweb_sig_sign(const void *key, size_t key_len, const void *msg, size_t msg_len,
                   char out[WAWEB_SIG_HEADER_LEN])
{
    unsigned char digest[WAWEB_SIG_DIGEST_LEN];
    if (!waweb_sig_hmac(key, key_len, msg, msg_len, digest)) {
        return 0;
    }
    memcpy(out, WAWEB_SIG_PREFIX, WAWEB_SIG_PREFIX_LEN);
    for (size_t i = 0; i < WAWEB_SIG_DIGEST_LEN; i++) {
        out[WAWEB_SIG_PREFIX_LEN + 2 * i] = HEX[digest[i] >> 4];
        out[WAWEB_SIG_PREFIX_LEN + 2 * i + 1] = HEX[digest[i] & 0x0f];
    }
    OPENSSL_cleanse(digest, sizeof(digest));
    return 1;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Branches here depend only on the (public) header, never on the secret digest. */
int waweb_sig_parse_header(const char *header, size_t len, unsigned char out[WAWEB_SIG_DIGEST_LEN])
{
    if (header == NULL || len != WAWEB_SIG_HEADER_LEN ||
        memcmp(header, WAWEB_SIG_PREFIX, WAWEB_SIG_PREFIX_LEN) != 0) {
        return 0;
    }
    const char *hex = header + WAWEB_SIG_PREFIX_LEN;
    for (size_t i = 0; i < WAWEB_SIG_DIGEST_LEN; i++) {
        int hi = hex_value(hex[2 * i]);
        int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return 0;
        }
        out[i] = (unsigned char)((hi << 4) | lo);
    }
    return 1;
}

int waweb_sig_verify(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     const char *header, size_t header_len)
{
    unsigned char expected[WAWEB_SIG_DIGEST_LEN];
    unsigned char given[WAWEB_SIG_DIGEST_LEN];
    int ok = 0;
    if (key == NULL || key_len == 0 || !waweb_sig_parse_header(header, header_len, given)) {
        return 0;
    }
    if (waweb_sig_hmac(key, key_len, msg, msg_len, expected)) {
        ok = CRYPTO_memcmp(expected, given, WAWEB_SIG_DIGEST_LEN) == 0;
    }
    OPENSSL_cleanse(expected, sizeof(expected));
    return ok;
}

int waweb_sig_secure_compare(const void *a, size_t a_len, const void *b, size_t b_len)
{
    if (a_len != b_len) {
        return 0;
    }
    if (a_len == 0) {
        return 1;
    }
    return CRYPTO_memcmp(a, b, a_len) == 0;
}

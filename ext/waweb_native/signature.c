/* HMAC-SHA256 webhook signatures with OpenSSL's one-shot HMAC() and CRYPTO_memcmp. */
#include "signature.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>

static const char HEX[] = "0123456789abcdef";

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
/* OpenSSL 3's one-shot HMAC() fetches the algorithm on every call, which costs more
 * than hashing a 1 KB body. Each thread instead keeps one HMAC-SHA256 context with the
 * digest already set and only re-keys it per call. A thread-local context needs no
 * lock (Ractors run C on separate threads) and is freed when its thread ends. */
#include <openssl/core_names.h>
#include <pthread.h>

static EVP_MAC *hmac_alg;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;
static pthread_key_t hmac_key;
static int hmac_ready;

static void free_thread_ctx(void *ctx)
{
    EVP_MAC_CTX_free(ctx);
}

static void hmac_init_once(void)
{
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    hmac_ready = hmac_alg != NULL && pthread_key_create(&hmac_key, free_thread_ctx) == 0;
}

static EVP_MAC_CTX *thread_ctx(void)
{
    pthread_once(&hmac_once, hmac_init_once);
    if (!hmac_ready) {
        return NULL;
    }
    EVP_MAC_CTX *ctx = pthread_getspecific(hmac_key);
    if (ctx != NULL) {
        return ctx;
    }
    char digest[] = "SHA256";
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    ctx = EVP_MAC_CTX_new(hmac_alg);
    if (ctx == NULL || !EVP_MAC_CTX_set_params(ctx, params) ||
        pthread_setspecific(hmac_key, ctx) != 0) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

/* EVP_MAC_init treats an empty key as "keep the previous key", so an empty key always
 * takes the one-shot path. */
static int hmac_fast(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     unsigned char out[WAWEB_SIG_DIGEST_LEN])
{
    size_t out_len = 0;
    EVP_MAC_CTX *ctx = key_len > 0 ? thread_ctx() : NULL;
    if (ctx == NULL) {
        return -1;
    }
    if (!EVP_MAC_init(ctx, key, key_len, NULL) || !EVP_MAC_update(ctx, msg, msg_len) ||
        !EVP_MAC_final(ctx, out, &out_len, WAWEB_SIG_DIGEST_LEN) ||
        out_len != WAWEB_SIG_DIGEST_LEN) {
        return 0;
    }
    return 1;
}
#else
static int hmac_fast(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     unsigned char out[WAWEB_SIG_DIGEST_LEN])
{
    (void)key, (void)key_len, (void)msg, (void)msg_len, (void)out;
    return -1;
}
#endif

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
    int fast = hmac_fast(key, key_len, msg, msg_len, out);
    if (fast >= 0) {
        return fast;
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

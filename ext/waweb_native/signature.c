/* HMAC-SHA256 webhook signatures with OpenSSL's one-shot HMAC() and CRYPTO_memcmp. */
#include "signature.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/opensslv.h>

static const char HEX[] = "0123456789abcdef";

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
/* OpenSSL 3's one-shot HMAC() fetches the algorithm on every call, which costs more
 * than hashing a 1 KB body. Each thread instead keeps one HMAC-SHA256 context with the
 * digest already set, re-keyed only when the secret changes. A thread-local context needs no
 * lock (Ractors run C on separate threads) and is freed when its thread ends. */
#include <openssl/core_names.h>
#include <pthread.h>

static EVP_MAC *hmac_alg;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;
static pthread_key_t hmac_key;
static int hmac_ready;

/* Longer secrets are re-keyed on every call (still correct, only slower). */
#define KEY_CACHE_MAX 128

/* Each thread's context, and the key it was last given: a webhook endpoint sees the
 * same few secrets over and over, and re-keying (two SHA-256 blocks plus OpenSSL's
 * digest set-up) costs about a third of verifying a 1 KB body. */
typedef struct {
    EVP_MAC_CTX *ctx;
    size_t key_len; /* 0: the context holds no reusable key */
    unsigned char key[KEY_CACHE_MAX];
} thread_mac_t;

static void free_thread_mac(void *ptr)
{
    thread_mac_t *t = ptr;
    EVP_MAC_CTX_free(t->ctx);
    OPENSSL_cleanse(t->key, sizeof(t->key));
    free(t);
}

static void hmac_init_once(void)
{
    hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
    hmac_ready = hmac_alg != NULL && pthread_key_create(&hmac_key, free_thread_mac) == 0;
}

static thread_mac_t *thread_mac(void)
{
    pthread_once(&hmac_once, hmac_init_once);
    if (!hmac_ready) {
        return NULL;
    }
    thread_mac_t *t = pthread_getspecific(hmac_key);
    if (t != NULL) {
        return t;
    }
    char digest[] = "SHA256";
    OSSL_PARAM params[2];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
    params[1] = OSSL_PARAM_construct_end();
    t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->ctx = EVP_MAC_CTX_new(hmac_alg);
    if (t->ctx == NULL || !EVP_MAC_CTX_set_params(t->ctx, params) ||
        pthread_setspecific(hmac_key, t) != 0) {
        free_thread_mac(t);
        return NULL;
    }
    return t;
}

/* EVP_MAC_init with no key re-initialises with the key the context already holds, so an
 * empty key always takes the one-shot path; the cached key is compared in constant time
 * (its length is not secret). */
static int hmac_fast(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     unsigned char out[WAWEB_SIG_DIGEST_LEN])
{
    size_t out_len = 0;
    thread_mac_t *t = key_len > 0 ? thread_mac() : NULL;
    if (t == NULL) {
        return -1;
    }
    int same = t->key_len == key_len && CRYPTO_memcmp(t->key, key, key_len) == 0;
    if (!EVP_MAC_init(t->ctx, same ? NULL : key, same ? 0 : key_len, NULL)) {
        t->key_len = 0;
        return 0;
    }
    if (!same) {
        t->key_len = key_len <= KEY_CACHE_MAX ? key_len : 0;
        memcpy(t->key, key, t->key_len);
    }
    if (!EVP_MAC_update(t->ctx, msg, msg_len) ||
        !EVP_MAC_final(t->ctx, out, &out_len, WAWEB_SIG_DIGEST_LEN) ||
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

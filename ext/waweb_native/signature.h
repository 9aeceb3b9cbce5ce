/* Webhook signatures: HMAC-SHA256 over the exact body bytes, sent by the gateway as
 * "sha256=<64 lowercase hex>". Ruby-free; OpenSSL libcrypto only. */
#ifndef WAWEB_SIGNATURE_H
#define WAWEB_SIGNATURE_H

#include <stddef.h>

#define WAWEB_SIG_DIGEST_LEN 32
#define WAWEB_SIG_PREFIX "sha256="
#define WAWEB_SIG_PREFIX_LEN 7
#define WAWEB_SIG_HEADER_LEN (WAWEB_SIG_PREFIX_LEN + 2 * WAWEB_SIG_DIGEST_LEN)

/* HMAC-SHA256 of msg under key. Returns 1 on success, 0 if OpenSSL failed. */
int waweb_sig_hmac(const void *key, size_t key_len, const void *msg, size_t msg_len,
                   unsigned char out[WAWEB_SIG_DIGEST_LEN]);

/* Writes "sha256=<64 lowercase hex>" (WAWEB_SIG_HEADER_LEN bytes, no NUL) into out.
 * Returns 1 on success, 0 if OpenSSL failed. */
int waweb_sig_sign(const void *key, size_t key_len, const void *msg, size_t msg_len,
                   char out[WAWEB_SIG_HEADER_LEN]);

/* Decodes a "sha256=<hex>" header into its digest. Hex digits are accepted in either
 * case (the gateway sends lowercase; both spell the same bytes). Returns 1 when the
 * header is exactly well formed, 0 otherwise. Timing depends only on the header. */
int waweb_sig_parse_header(const char *header, size_t len, unsigned char out[WAWEB_SIG_DIGEST_LEN]);

/* 1 when header is a well-formed signature of msg under key, else 0. An empty key never
 * verifies. The digest comparison is constant time. */
int waweb_sig_verify(const void *key, size_t key_len, const void *msg, size_t msg_len,
                     const char *header, size_t header_len);

/* 1 when a and b are equal. Lengths are compared first (a length mismatch returns at
 * once), then the bytes in constant time. */
int waweb_sig_secure_compare(const void *a, size_t a_len, const void *b, size_t b_len);

#endif

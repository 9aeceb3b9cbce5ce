/* WhatsApp identifiers (JIDs): parsing, sanitising and formatting, as fixed by
 * docs/jid-rules.md. Ruby-free: plain bytes in, a status and a struct out, no heap. */
#ifndef WAWEB_JID_H
#define WAWEB_JID_H

#include <stddef.h>

/* Longest input accepted, in bytes. */
#define WAWEB_JID_MAX_INPUT 256
/* Longest user part we can produce: an old group id "<15-digit phone>-<20-digit time>". */
#define WAWEB_JID_MAX_USER 40
/* Longest canonical "user@server" string, without the NUL. */
#define WAWEB_JID_MAX_FORMAT (WAWEB_JID_MAX_USER + 1 + 14)
/* A phone number (E.164) has at most 15 digits. */
#define WAWEB_JID_MAX_PHONE 15

typedef enum {
    WAWEB_JID_OK = 0,
    WAWEB_JID_EMPTY,
    WAWEB_JID_TOO_LONG,
    WAWEB_JID_NUL_BYTE,
    WAWEB_JID_NON_ASCII,
    WAWEB_JID_NO_DIGITS,
    WAWEB_JID_BAD_CHAR,
    WAWEB_JID_NOT_INTERNATIONAL,
    WAWEB_JID_TOO_SHORT,
    WAWEB_JID_PHONE_TOO_LONG,
    WAWEB_JID_NUMBER_TOO_LONG,
    WAWEB_JID_TWO_AT,
    WAWEB_JID_EMPTY_USER,
    WAWEB_JID_EMPTY_SERVER,
    WAWEB_JID_UNKNOWN_SERVER,
    WAWEB_JID_BAD_USER,
    WAWEB_JID_BAD_AGENT,
    WAWEB_JID_BAD_DEVICE,
    WAWEB_JID_BAD_GROUP,
    WAWEB_JID_BAD_LID,
    WAWEB_JID_BAD_BROADCAST,
    WAWEB_JID_BAD_NEWSLETTER,
    WAWEB_JID_STATUS_COUNT
} waweb_jid_status_t;

typedef enum {
    WAWEB_JID_KIND_USER = 0,
    WAWEB_JID_KIND_GROUP,
    WAWEB_JID_KIND_LID,
    WAWEB_JID_KIND_BROADCAST,
    WAWEB_JID_KIND_NEWSLETTER
} waweb_jid_kind_t;

typedef struct {
    waweb_jid_kind_t kind;
    /* Canonical user part (digits, "digits-digits" for old groups, "status"), NUL-terminated. */
    char user[WAWEB_JID_MAX_USER + 1];
    size_t user_len;
    /* Lowercase canonical server (static storage; c.us is already s.whatsapp.net). */
    const char *server;
    size_t server_len;
    unsigned int agent;  /* valid when has_agent */
    unsigned int device; /* valid when has_device */
    int has_agent;
    int has_device;
} waweb_jid_t;

/* Parses a full JID ("user[.agent][:device]@server") or a phone number typed by a
 * person ("+55 (11) 98765-4321", "whatsapp:+55...", bare digits; more than 15 bare
 * digits are a group id). On failure *out is left zeroed and the status says why. */
waweb_jid_status_t waweb_jid_parse(const char *in, size_t len, waweb_jid_t *out);

/* Writes the canonical "user@server" (no agent, no device) into buf. Returns the full
 * length; writes at most cap bytes and NUL-terminates when length < cap. */
size_t waweb_jid_format(const waweb_jid_t *jid, char *buf, size_t cap);

/* A short reason for a status, meant to follow the (quoted) input in a message. */
const char *waweb_jid_status_message(waweb_jid_status_t st);

/* The kind's name ("user", "group", "lid", "broadcast", "newsletter"). */
const char *waweb_jid_kind_name(waweb_jid_kind_t kind);

/* Brazil's ninth digit: the phone forms (digits only, no '+') under which one user may
 * be known. variants[0] is always the JID's own digits; variants[1] the other form
 * when there is one. Returns the number of forms written (1 or 2), or 0 when the
 * JID is not a user JID. */
typedef struct {
    char digits[WAWEB_JID_MAX_PHONE + 1];
    size_t len;
} waweb_jid_phone_t;

int waweb_jid_phone_variants(const waweb_jid_t *jid, waweb_jid_phone_t variants[2]);

#endif

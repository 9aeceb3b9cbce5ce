/* Webhook classification: one pass of a callback parser over the raw body (json_scan.c,
 * or libyajl for what it declines),
 * keeping only the fields the glue needs. Ruby-free: bytes in, a struct out. The
 * event owns every byte it points at (one arena plus two span lists); free it with
 * waweb_pl_event_free. On failure nothing is left allocated. */
#ifndef WAWEB_PAYLOAD_H
#define WAWEB_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

/* Nesting deeper than this many open objects/arrays is refused. */
#define WAWEB_PL_MAX_DEPTH 64
/* Room for an error text (always NUL-terminated, truncated if longer). */
#define WAWEB_PL_ERROR_MAX 160

typedef enum {
    WAWEB_PL_OK = 0,
    WAWEB_PL_ERR_SYNTAX,     /* yajl refused the text (also truncation), or the body is not
                                strict UTF-8 (RFC 3629); offset: the first bad byte */
    WAWEB_PL_ERR_NOT_OBJECT, /* top level is not a JSON object, or the body is empty */
    WAWEB_PL_ERR_DEPTH,      /* more than WAWEB_PL_MAX_DEPTH levels */
    WAWEB_PL_ERR_TOO_LARGE,  /* more bytes than the caller's cap */
    WAWEB_PL_ERR_NOMEM
} waweb_pl_status_t;

typedef enum { WAWEB_PL_FORMAT_V7 = 0, WAWEB_PL_FORMAT_V8 } waweb_pl_format_t;

typedef enum {
    WAWEB_PL_KIND_TEXT = 0,
    WAWEB_PL_KIND_IMAGE,
    WAWEB_PL_KIND_VIDEO,
    WAWEB_PL_KIND_AUDIO,
    WAWEB_PL_KIND_DOCUMENT,
    WAWEB_PL_KIND_STICKER,
    WAWEB_PL_KIND_CONTACT,
    WAWEB_PL_KIND_LOCATION,
    WAWEB_PL_KIND_REACTION,
    WAWEB_PL_KIND_EDIT,
    WAWEB_PL_KIND_REVOKE,
    WAWEB_PL_KIND_DELETE_FOR_ME,
    WAWEB_PL_KIND_RECEIPT,
    WAWEB_PL_KIND_GROUP_PARTICIPANTS,
    WAWEB_PL_KIND_GROUP_JOINED,
    WAWEB_PL_KIND_PRESENCE,
    WAWEB_PL_KIND_CALL,
    WAWEB_PL_KIND_NEWSLETTER,
    WAWEB_PL_KIND_HISTORY_SYNC,
    WAWEB_PL_KIND_UNSUPPORTED,
    WAWEB_PL_KIND_UNKNOWN,
    WAWEB_PL_KIND_COUNT
} waweb_pl_kind_t;

typedef enum {
    WAWEB_PL_RECEIPT_NONE = 0,
    WAWEB_PL_RECEIPT_DELIVERED,
    WAWEB_PL_RECEIPT_READ,
    WAWEB_PL_RECEIPT_READ_SELF
} waweb_pl_receipt_t;

typedef enum {
    WAWEB_PL_GROUP_NONE = 0,
    WAWEB_PL_GROUP_JOIN,
    WAWEB_PL_GROUP_LEAVE,
    WAWEB_PL_GROUP_PROMOTE,
    WAWEB_PL_GROUP_DEMOTE
} waweb_pl_group_action_t;

/* The string fields of an event, in the order the Ruby readers expose them. */
typedef enum {
    WAWEB_PL_EVENT_NAME = 0,
    WAWEB_PL_DEVICE_ID,
    WAWEB_PL_MESSAGE_ID,
    WAWEB_PL_CHAT,
    WAWEB_PL_SENDER,
    WAWEB_PL_SENDER_LID,
    WAWEB_PL_PUSH_NAME,
    WAWEB_PL_TEXT,
    WAWEB_PL_CAPTION,
    WAWEB_PL_REPLY_TO_ID,
    WAWEB_PL_MEDIA_PATH,
    WAWEB_PL_MEDIA_URL,
    WAWEB_PL_MIME_TYPE,
    WAWEB_PL_FILENAME,
    WAWEB_PL_CONTACT_NAME,
    WAWEB_PL_CONTACT_PHONE,
    WAWEB_PL_VCARD,
    WAWEB_PL_LOCATION_NAME,
    WAWEB_PL_EMOJI,
    WAWEB_PL_TARGET_ID,
    WAWEB_PL_GROUP_NAME,
    WAWEB_PL_DISPLAY_NAME, /* sender_display_name (v9.1+): the phone owner's saved name first */
    WAWEB_PL_SESSION_ID, /* the envelope's slot id (v8.8+) */
    WAWEB_PL_FIELD_COUNT
} waweb_pl_field_t;

/* Bytes [off, off+len) of the event's arena; off == WAWEB_PL_ABSENT means "not sent". */
#define WAWEB_PL_ABSENT SIZE_MAX
typedef struct {
    size_t off;
    size_t len;
} waweb_pl_span_t;

typedef struct {
    waweb_pl_span_t *items;
    size_t len;
    size_t cap;
    int present; /* the key was sent with an array value (which may be empty) */
} waweb_pl_list_t;

typedef struct {
    waweb_pl_format_t format;
    waweb_pl_kind_t kind;
    waweb_pl_receipt_t receipt_type;
    waweb_pl_group_action_t group_action;
    int has_timestamp;
    int64_t timestamp; /* Unix seconds */
    int from_me;       /* -1 not sent, 0 false, 1 true */
    int has_latitude;
    int has_longitude;
    double latitude;
    double longitude;
    waweb_pl_span_t fields[WAWEB_PL_FIELD_COUNT];
    waweb_pl_list_t ids;
    waweb_pl_list_t participants; /* canonical JIDs where they parse, else as sent */
    char *buf; /* arena holding every string above (valid UTF-8, not NUL-terminated; an
                  escaped lone surrogate becomes U+FFFD, or '?' when yajl saw a high one) */
    size_t buf_len;
    size_t buf_cap;
} waweb_pl_event_t;

typedef struct {
    waweb_pl_status_t status;
    size_t offset; /* byte offset in the body where the problem was found */
    char message[WAWEB_PL_ERROR_MAX];
} waweb_pl_error_t;

/* Classifies one webhook body. On WAWEB_PL_OK *ev is filled and owns its memory; on
 * any other status *ev is left empty (nothing to free) and *err says what and where. */
waweb_pl_status_t waweb_pl_classify(const char *json, size_t len, size_t max_bytes,
                                    waweb_pl_event_t *ev, waweb_pl_error_t *err);

/* The same with the fast scanner (json_scan.h) off: yajl alone, the reference the fuzz
 * harness holds the fast path to. */
waweb_pl_status_t waweb_pl_classify_yajl(const char *json, size_t len, size_t max_bytes,
                                         waweb_pl_event_t *ev, waweb_pl_error_t *err);

/* Releases what an event owns and empties it; safe on an empty or already freed event. */
void waweb_pl_event_free(waweb_pl_event_t *ev);

/* Parses an RFC 3339 date-time ("2026-08-01T10:00:00.5+07:00") into Unix seconds
 * (fractions dropped). Returns 1 on success, 0 if the text is not RFC 3339. */
int waweb_pl_parse_rfc3339(const char *s, size_t len, int64_t *out);

/* Kind names as the Ruby symbols spell them ("text", "delete_for_me", ...). */
const char *waweb_pl_kind_name(waweb_pl_kind_t kind);

#endif

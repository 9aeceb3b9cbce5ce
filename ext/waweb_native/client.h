/* Ruby-free HTTP client core over libcurl for the gateway's REST API.
 *
 * A waweb_client owns a small pool of slots; a slot (one easy handle driven by its own
 * multi handle, hence its own connection cache) is used by one thread at a time, so
 * keep-alive connections are reused without ever being shared by concurrent transfers.
 * The multi handle lets another thread wake a blocked transfer (waweb_request_interrupt). */
#ifndef WAWEB_CLIENT_H
#define WAWEB_CLIENT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define WAWEB_HEADERS_MAX (64 * 1024)
#define WAWEB_BODY_MAX_DEFAULT (64L * 1024 * 1024)
#define WAWEB_POOL_MAX 16

typedef enum {
    WAWEB_HTTP_OK = 0,
    WAWEB_HTTP_E_CONNECT,     /* refused, DNS, TLS, connection dropped */
    WAWEB_HTTP_E_TIMEOUT,     /* connect or total timeout */
    WAWEB_HTTP_E_TOO_LARGE,   /* response body or download past its cap */
    WAWEB_HTTP_E_INTERRUPTED, /* waweb_request_interrupt was called */
    WAWEB_HTTP_E_LOCAL_IO,    /* writing the download or reading an upload failed */
    WAWEB_HTTP_E_NOMEM,
    WAWEB_HTTP_E_ARG, /* bad option value (e.g. a NUL byte) */
    WAWEB_HTTP_E_OTHER
} waweb_http_status;

typedef struct {
    char *ptr;
    size_t len;
    size_t cap;
    size_t max;
} waweb_buf;

typedef struct {
    const char *base_url; /* no trailing slash needed */
    const char *username;
    const char *password;
    const char *device_id; /* NULL: no X-Device-Id */
    const char *user_agent;
    long open_timeout_ms;
    long timeout_ms;
    size_t max_body; /* cap for bodies captured in memory */
} waweb_client_config;

typedef struct waweb_client waweb_client;
typedef struct waweb_slot waweb_slot;

typedef struct {
    long requests;
    long connects; /* new connections opened, over all slots */
    long idle_slots;
    long last_connects; /* connections opened by the latest finished request */
} waweb_client_stats;

typedef struct {
    waweb_slot *slot;
    void *mime; /* curl_mime *, built by waweb_request_add_* */
    char *url;  /* owned */
    char *body; /* owned copy of a POST body */
    size_t body_len;
    int is_post;
    int is_json;
    const char *method; /* NULL: GET, or POST with a body; else a static "PATCH"/"DELETE" */
    int fd; /* >= 0: stream a 2xx body to this descriptor */
    int64_t max_bytes;
    volatile sig_atomic_t abort;
    /* results */
    int too_large;
    int io_errno;
    long status;
    long connects;
    int64_t written;
    waweb_buf headers;
    waweb_buf resp;
    int curl_code;
    char error[256];
} waweb_request;

/* curl_global_init once, and a fork handler so pools notice they were inherited. */
int waweb_http_global_init(void);

/* Copies every string of cfg. Returns NULL and sets *status on allocation failure
 * (WAWEB_HTTP_E_NOMEM) or a header value with CR, LF or NUL (WAWEB_HTTP_E_ARG). */
waweb_client *waweb_client_new(const waweb_client_config *cfg, waweb_http_status *status);
/* In a forked child the parent's handles are forgotten, never cleaned up: cleaning up would
 * close (and for TLS, write to) connections the parent still uses. */
void waweb_client_free(waweb_client *c);
void waweb_client_close_idle(waweb_client *c);
size_t waweb_client_memsize(const waweb_client *c);
void waweb_client_get_stats(waweb_client *c, waweb_client_stats *out);
const char *waweb_client_base_url(const waweb_client *c);

/* Slot for this thread (pooled or new; never one of a parent process's). NULL: no memory. */
waweb_slot *waweb_client_acquire(waweb_client *c);
void waweb_client_release(waweb_client *c, waweb_slot *s);

/* Request lifecycle: init, add body or parts, perform (without the GVL), cleanup. */
waweb_http_status waweb_request_init(waweb_request *r, waweb_client *c, waweb_slot *s,
                                     const char *path, size_t path_len);
waweb_http_status waweb_request_set_body(waweb_request *r, const char *body, size_t len,
                                         int is_json);
/* Names, paths, filenames and types are NUL-terminated; filename and content_type may be NULL.
 * Field values are copied with their length (binary safe). */
waweb_http_status waweb_request_add_field(waweb_request *r, const char *name, const char *value,
                                          size_t value_len);
waweb_http_status waweb_request_add_file(waweb_request *r, const char *name, const char *path,
                                         const char *filename, const char *content_type);
/* method must be a string literal (kept by pointer): "PATCH" or "DELETE". */
void waweb_request_set_method(waweb_request *r, const char *method);
void waweb_request_set_download(waweb_request *r, int fd, int64_t max_bytes);
waweb_http_status waweb_request_perform(waweb_client *c, waweb_request *r);
/* Async-signal-safe (Ruby may call it from its signal handler): sets a sig_atomic_t flag and
 * wakes the transfer with curl_multi_wakeup, a write() on the multi's wakeup socket. */
void waweb_request_interrupt(waweb_request *r);
void waweb_request_cleanup(waweb_request *r);

/* Walks "Name: value" lines of a header block. Returns 0 at the end. */
int waweb_header_next(const char *buf, size_t len, size_t *pos, const char **name, size_t *name_len,
                      const char **value, size_t *value_len);

#endif

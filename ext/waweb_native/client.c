/* Ruby-free libcurl core of the gateway client. See client.h for the model. */
#include "client.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* r->error doubles as curl's CURLOPT_ERRORBUFFER. */
typedef char waweb_error_buffer_fits[(CURL_ERROR_SIZE <= 256) ? 1 : -1];

struct waweb_slot {
    CURL *easy;
    CURLM *multi; /* owns this slot's connection cache; lets another thread wake us */
    struct waweb_slot *next;
};

struct waweb_client {
    char *base_url;
    char *username;
    char *password;
    char *user_agent;
    char *device_id;
    long open_timeout_ms;
    long timeout_ms;
    size_t max_body;
    struct curl_slist *hdr_plain;
    struct curl_slist *hdr_json;
    pthread_mutex_t lock; /* guards idle and idle_count */
    waweb_slot *idle;
    long idle_count;
    unsigned long generation; /* fork generation that created the pooled handles */
    long requests;
    long connects;
    long last_connects;
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;
/* Bumped in every forked child: cheaper than a getpid() syscall per request. */
static volatile unsigned long fork_generation = 0;

static void after_fork_in_child(void)
{
    fork_generation++;
}

static void global_init_once(void)
{
    global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
    if (global_result == CURLE_OK && pthread_atfork(NULL, NULL, after_fork_in_child) != 0) {
        global_result = CURLE_FAILED_INIT;
    }
}

int waweb_http_global_init(void)
{
    pthread_once(&global_once, global_init_once);
    return global_result == CURLE_OK ? 0 : -1;
}

static char *dup_cstr(const char *s)
{
    size_t n;
    char *p;
    if (s == NULL) {
        return NULL;
    }
    n = strlen(s);
    p = malloc(n + 1);
    if (p != NULL) {
        memcpy(p, s, n + 1);
    }
    return p;
}

static void wipe_free(char *s)
{
    volatile char *p = s;
    if (s == NULL) {
        return;
    }
    while (*p) {
        *p++ = 0;
    }
    free(s);
}

static int header_value_ok(const char *s)
{
    return s == NULL || strpbrk(s, "\r\n") == NULL;
}

static struct curl_slist *build_headers(const waweb_client *c, int json)
{
    struct curl_slist *list = NULL, *next;
    char *line = NULL;
    /* Expect: off, or curl waits for 100-continue before every upload above 1 MB. */
    const char *fixed[] = {"Accept: application/json",
                           "Expect:", json ? "Content-Type: application/json" : NULL};
    size_t i;
    for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
        if (fixed[i] == NULL) {
            continue;
        }
        next = curl_slist_append(list, fixed[i]);
        if (next == NULL) {
            goto fail;
        }
        list = next;
    }
    if (c->device_id != NULL) {
        size_t n = strlen(c->device_id) + sizeof("X-Device-Id: ");
        line = malloc(n);
        if (line == NULL) {
            goto fail;
        }
        snprintf(line, n, "X-Device-Id: %s", c->device_id);
        next = curl_slist_append(list, line);
        free(line);
        if (next == NULL) {
            goto fail;
        }
        list = next;
    }
    return list;
fail:
    curl_slist_free_all(list);
    return NULL;
}

waweb_client *waweb_client_new(const waweb_client_config *cfg, waweb_http_status *status)
{
    waweb_client *c;
    size_t n;
    if (!header_value_ok(cfg->device_id) || !header_value_ok(cfg->user_agent)) {
        *status = WAWEB_HTTP_E_ARG;
        return NULL;
    }
    *status = WAWEB_HTTP_E_NOMEM;
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        return NULL;
    }
    c->base_url = dup_cstr(cfg->base_url);
    c->username = dup_cstr(cfg->username ? cfg->username : "");
    c->password = dup_cstr(cfg->password ? cfg->password : "");
    c->user_agent = dup_cstr(cfg->user_agent ? cfg->user_agent : "waweb_native");
    c->device_id = dup_cstr(cfg->device_id);
    if (c->base_url == NULL || c->username == NULL || c->password == NULL ||
        c->user_agent == NULL || (cfg->device_id != NULL && c->device_id == NULL)) {
        waweb_client_free(c);
        return NULL;
    }
    n = strlen(c->base_url);
    while (n > 0 && c->base_url[n - 1] == '/') {
        c->base_url[--n] = '\0';
    }
    c->open_timeout_ms = cfg->open_timeout_ms;
    c->timeout_ms = cfg->timeout_ms;
    c->max_body = cfg->max_body ? cfg->max_body : (size_t)WAWEB_BODY_MAX_DEFAULT;
    c->hdr_plain = build_headers(c, 0);
    c->hdr_json = build_headers(c, 1);
    if (c->hdr_plain == NULL || c->hdr_json == NULL || pthread_mutex_init(&c->lock, NULL) != 0) {
        curl_slist_free_all(c->hdr_plain);
        curl_slist_free_all(c->hdr_json);
        c->hdr_plain = c->hdr_json = NULL;
        waweb_client_free(c);
        return NULL;
    }
    c->generation = fork_generation;
    *status = WAWEB_HTTP_OK;
    return c;
}

static void slot_free(waweb_slot *s)
{
    if (s->multi != NULL) {
        curl_multi_cleanup(s->multi);
    }
    if (s->easy != NULL) {
        curl_easy_cleanup(s->easy);
    }
    free(s);
}

static void free_idle(waweb_client *c)
{
    waweb_slot *s = c->idle, *next;
    int owner = c->generation == fork_generation;
    while (s != NULL) {
        next = s->next;
        if (owner) {
            slot_free(s);
        }
        /* else: the parent's handles, deliberately leaked (see client.h) */
        s = next;
    }
    c->idle = NULL;
    c->idle_count = 0;
}

void waweb_client_free(waweb_client *c)
{
    if (c == NULL) {
        return;
    }
    if (c->hdr_plain != NULL) { /* the lock was initialised */
        pthread_mutex_lock(&c->lock);
        free_idle(c);
        pthread_mutex_unlock(&c->lock);
        pthread_mutex_destroy(&c->lock);
    }
    curl_slist_free_all(c->hdr_plain);
    curl_slist_free_all(c->hdr_json);
    free(c->base_url);
    wipe_free(c->username);
    wipe_free(c->password);
    free(c->user_agent);
    free(c->device_id);
    free(c);
}

/* Called with the caller's big lock held (the GVL for Ruby), so no other thread of a forked
 * child can be inside the pool while we reset it. */
static void forget_parent(waweb_client *c)
{
    if (c->generation != fork_generation) {
        pthread_mutex_init(&c->lock, NULL);
        free_idle(c);
        c->generation = fork_generation;
    }
}

void waweb_client_close_idle(waweb_client *c)
{
    forget_parent(c);
    pthread_mutex_lock(&c->lock);
    free_idle(c);
    pthread_mutex_unlock(&c->lock);
}

size_t waweb_client_memsize(const waweb_client *c)
{
    /* libcurl's own allocations are opaque: count the strings and a rough slot size. */
    return sizeof(*c) + strlen(c->base_url) + strlen(c->user_agent) + 64 +
           (size_t)c->idle_count * (sizeof(waweb_slot) + 32 * 1024);
}

void waweb_client_get_stats(waweb_client *c, waweb_client_stats *out)
{
    out->requests = __atomic_load_n(&c->requests, __ATOMIC_RELAXED);
    out->connects = __atomic_load_n(&c->connects, __ATOMIC_RELAXED);
    out->last_connects = __atomic_load_n(&c->last_connects, __ATOMIC_RELAXED);
    out->idle_slots = c->idle_count;
}

const char *waweb_client_base_url(const waweb_client *c)
{
    return c->base_url;
}

waweb_slot *waweb_client_acquire(waweb_client *c)
{
    waweb_slot *s;
    forget_parent(c);
    pthread_mutex_lock(&c->lock);
    s = c->idle;
    if (s != NULL) {
        c->idle = s->next;
        c->idle_count--;
    }
    pthread_mutex_unlock(&c->lock);
    if (s != NULL) {
        s->next = NULL;
        return s;
    }
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->easy = curl_easy_init();
    s->multi = curl_multi_init();
    if (s->easy == NULL || s->multi == NULL) {
        slot_free(s);
        return NULL;
    }
    return s;
}

void waweb_client_release(waweb_client *c, waweb_slot *s)
{
    if (s == NULL) {
        return;
    }
    forget_parent(c);
    pthread_mutex_lock(&c->lock);
    if (c->idle_count < WAWEB_POOL_MAX) {
        s->next = c->idle;
        c->idle = s;
        c->idle_count++;
        s = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (s != NULL) {
        slot_free(s);
    }
}

/* 0 ok, -1 past the cap, -2 no memory */
static int buf_append(waweb_buf *b, const char *data, size_t len)
{
    size_t need, cap;
    char *p;
    if (len > b->max - b->len) {
        return -1;
    }
    need = b->len + len;
    if (need > b->cap) {
        cap = b->cap ? b->cap : 1024;
        while (cap < need) {
            cap = cap > b->max / 2 ? b->max : cap * 2;
        }
        p = realloc(b->ptr, cap);
        if (p == NULL) {
            return -2;
        }
        b->ptr = p;
        b->cap = cap;
    }
    memcpy(b->ptr + b->len, data, len);
    b->len += len;
    return 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
    waweb_request *r = ud;
    size_t len = size * n;
    /* A new status line (after 100 Continue) starts a new header block. */
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        r->headers.len = 0;
    }
    if (buf_append(&r->headers, data, len) != 0) {
        r->too_large = 1;
        return 0;
    }
    return len;
}

static size_t write_fd(waweb_request *r, const char *data, size_t len)
{
    size_t done = 0;
    ssize_t w;
    if ((int64_t)len > r->max_bytes - r->written) {
        r->too_large = 1;
        return 0;
    }
    while (done < len) {
        w = write(r->fd, data + done, len - done);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            r->io_errno = errno;
            return 0;
        }
        done += (size_t)w;
    }
    r->written += (int64_t)len;
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
    waweb_request *r = ud;
    size_t len = size * n;
    int rc;
    if (r->fd >= 0) {
        long code = 0;
        curl_easy_getinfo(r->slot->easy, CURLINFO_RESPONSE_CODE, &code);
        if (code >= 200 && code < 300) {
            return write_fd(r, data, len);
        }
        /* an error answer is kept in memory for the error message, never written */
    }
    rc = buf_append(&r->resp, data, len);
    if (rc == -1) {
        r->too_large = 1;
    } else if (rc == -2) {
        r->io_errno = ENOMEM;
    }
    return rc == 0 ? len : 0;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    const waweb_request *r = ud;
    return r->abort ? 1 : 0;
}

/* Exec'd children must not inherit gateway connections. */
static int on_sockopt(void *ud, curl_socket_t fd, curlsocktype purpose)
{
    int flags = fcntl(fd, F_GETFD);
    if (flags >= 0) {
        fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
    return CURL_SOCKOPT_OK;
}

#define SETOPT(opt, val)                                                                           \
    do {                                                                                           \
        if (curl_easy_setopt(e, opt, val) != CURLE_OK) {                                           \
            return WAWEB_HTTP_E_ARG;                                                               \
        }                                                                                          \
    } while (0)

waweb_http_status waweb_request_init(waweb_request *r, waweb_client *c, waweb_slot *s,
                                     const char *path, size_t path_len)
{
    CURL *e = s->easy;
    size_t base_len = strlen(c->base_url);
    int slash = path_len == 0 || path[0] != '/';
    memset(r, 0, sizeof(*r));
    r->slot = s;
    r->fd = -1;
    r->headers.max = WAWEB_HEADERS_MAX;
    r->resp.max = c->max_body;
    if (memchr(path, '\0', path_len) != NULL) {
        return WAWEB_HTTP_E_ARG;
    }
    if (path_len > (size_t)64 * 1024) {
        return WAWEB_HTTP_E_ARG;
    }
    r->url = malloc(base_len + (size_t)slash + path_len + 1);
    if (r->url == NULL) {
        return WAWEB_HTTP_E_NOMEM;
    }
    memcpy(r->url, c->base_url, base_len);
    if (slash) {
        r->url[base_len] = '/';
    }
    memcpy(r->url + base_len + slash, path, path_len);
    r->url[base_len + slash + path_len] = '\0';

    curl_easy_reset(e); /* options only: connections and DNS cache stay */
    SETOPT(CURLOPT_URL, r->url);
    SETOPT(CURLOPT_NOSIGNAL, 1L);
    SETOPT(CURLOPT_CONNECTTIMEOUT_MS, c->open_timeout_ms);
    SETOPT(CURLOPT_TIMEOUT_MS, c->timeout_ms);
    SETOPT(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    SETOPT(CURLOPT_USERNAME, c->username);
    SETOPT(CURLOPT_PASSWORD, c->password);
    SETOPT(CURLOPT_USERAGENT, c->user_agent);
#if LIBCURL_VERSION_NUM >= 0x075500
    SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
    SETOPT(CURLOPT_NOPROGRESS, 0L);
    SETOPT(CURLOPT_XFERINFOFUNCTION, on_progress);
    SETOPT(CURLOPT_XFERINFODATA, r);
    SETOPT(CURLOPT_HEADERFUNCTION, on_header);
    SETOPT(CURLOPT_HEADERDATA, r);
    SETOPT(CURLOPT_WRITEFUNCTION, on_body);
    SETOPT(CURLOPT_WRITEDATA, r);
    SETOPT(CURLOPT_SOCKOPTFUNCTION, on_sockopt);
    SETOPT(CURLOPT_ERRORBUFFER, r->error);
    SETOPT(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_body);
    return WAWEB_HTTP_OK;
}

waweb_http_status waweb_request_set_body(waweb_request *r, const char *body, size_t len,
                                         int is_json)
{
    free(r->body);
    r->body = malloc(len ? len : 1); /* POSTFIELDS does not copy: own the bytes */
    if (r->body == NULL) {
        return WAWEB_HTTP_E_NOMEM;
    }
    memcpy(r->body, body, len);
    r->body_len = len;
    r->is_post = 1;
    r->is_json = is_json;
    return WAWEB_HTTP_OK;
}

static curl_mimepart *add_part(waweb_request *r, const char *name)
{
    curl_mimepart *part;
    if (r->mime == NULL) {
        r->mime = curl_mime_init(r->slot->easy);
        if (r->mime == NULL) {
            return NULL;
        }
    }
    part = curl_mime_addpart(r->mime);
    if (part == NULL || curl_mime_name(part, name) != CURLE_OK) {
        return NULL;
    }
    r->is_post = 1;
    return part;
}

waweb_http_status waweb_request_add_field(waweb_request *r, const char *name, const char *value,
                                          size_t value_len)
{
    curl_mimepart *part = add_part(r, name);
    if (part == NULL || curl_mime_data(part, value, value_len) != CURLE_OK) {
        return WAWEB_HTTP_E_NOMEM;
    }
    return WAWEB_HTTP_OK;
}

waweb_http_status waweb_request_add_file(waweb_request *r, const char *name, const char *path,
                                         const char *filename, const char *content_type)
{
    curl_mimepart *part = add_part(r, name);
    if (part == NULL) {
        return WAWEB_HTTP_E_NOMEM;
    }
    /* filedata streams from disk while sending; it fails here if the file is unreadable */
    if (curl_mime_filedata(part, path) != CURLE_OK) {
        r->io_errno = errno ? errno : ENOENT;
        snprintf(r->error, sizeof(r->error), "cannot read the upload: %s", strerror(r->io_errno));
        return WAWEB_HTTP_E_LOCAL_IO;
    }
    if ((filename != NULL && curl_mime_filename(part, filename) != CURLE_OK) ||
        (content_type != NULL && curl_mime_type(part, content_type) != CURLE_OK)) {
        return WAWEB_HTTP_E_NOMEM;
    }
    return WAWEB_HTTP_OK;
}

void waweb_request_set_method(waweb_request *r, const char *method)
{
    r->method = method;
}

void waweb_request_set_download(waweb_request *r, int fd, int64_t max_bytes)
{
    r->fd = fd;
    r->max_bytes = max_bytes;
    curl_easy_setopt(r->slot->easy, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes);
}

static waweb_http_status map_curl(waweb_request *r, CURLcode cc)
{
    switch (cc) {
    case CURLE_OK:
        return WAWEB_HTTP_OK;
    case CURLE_ABORTED_BY_CALLBACK:
        return r->abort ? WAWEB_HTTP_E_INTERRUPTED : WAWEB_HTTP_E_OTHER;
    case CURLE_WRITE_ERROR:
        if (r->too_large) {
            return WAWEB_HTTP_E_TOO_LARGE;
        }
        return r->io_errno == ENOMEM ? WAWEB_HTTP_E_NOMEM : WAWEB_HTTP_E_LOCAL_IO;
    case CURLE_FILESIZE_EXCEEDED:
        r->too_large = 1;
        return WAWEB_HTTP_E_TOO_LARGE;
    case CURLE_OPERATION_TIMEDOUT:
        return WAWEB_HTTP_E_TIMEOUT;
    case CURLE_READ_ERROR:
        return WAWEB_HTTP_E_LOCAL_IO;
    case CURLE_OUT_OF_MEMORY:
        return WAWEB_HTTP_E_NOMEM;
    default:
        return WAWEB_HTTP_E_CONNECT;
    }
}

waweb_http_status waweb_request_perform(waweb_client *c, waweb_request *r)
{
    CURL *e = r->slot->easy;
    CURLM *m = r->slot->multi;
    CURLcode cc = CURLE_OK;
    CURLMsg *msg;
    int running = 1, left, done = 0;
    waweb_http_status st;

    SETOPT(CURLOPT_HTTPHEADER, r->is_json ? c->hdr_json : c->hdr_plain);
    if (r->mime != NULL) {
        SETOPT(CURLOPT_MIMEPOST, (curl_mime *)r->mime);
    } else if (r->is_post) {
        SETOPT(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
        SETOPT(CURLOPT_POSTFIELDS, r->body);
    }
    if (r->method != NULL) {
        SETOPT(CURLOPT_CUSTOMREQUEST, r->method);
    }
    if (curl_multi_add_handle(m, e) != CURLM_OK) {
        return WAWEB_HTTP_E_NOMEM;
    }
    /* The multi loop rather than curl_easy_perform: curl_multi_wakeup lets the unblocking
     * function end a wait at once instead of at the next progress tick. */
    while (running && !r->abort) {
        if (curl_multi_perform(m, &running) != CURLM_OK) {
            break;
        }
        if (running && !r->abort) {
#ifdef HAVE_CURL_MULTI_WAKEUP
            curl_multi_poll(m, NULL, 0, 1000, NULL);
#else
            curl_multi_wait(m, NULL, 0, 50, NULL);
#endif
        }
    }
    while ((msg = curl_multi_info_read(m, &left)) != NULL) {
        if (msg->msg == CURLMSG_DONE) {
            cc = msg->data.result;
            done = 1;
        }
    }
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &r->connects);
    curl_multi_remove_handle(m, e); /* an unfinished transfer's connection is closed here */
    __atomic_fetch_add(&c->requests, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c->connects, r->connects, __ATOMIC_RELAXED);
    __atomic_store_n(&c->last_connects, r->connects, __ATOMIC_RELAXED);

    if (!done) {
        st = r->abort ? WAWEB_HTTP_E_INTERRUPTED : WAWEB_HTTP_E_OTHER;
        cc = r->abort ? CURLE_ABORTED_BY_CALLBACK : CURLE_FAILED_INIT;
    } else {
        st = map_curl(r, cc);
    }
    r->curl_code = (int)cc;
    if (st == WAWEB_HTTP_E_LOCAL_IO && r->io_errno != 0) {
        snprintf(r->error, sizeof(r->error), "%s", strerror(r->io_errno));
    } else if (st != WAWEB_HTTP_OK && r->error[0] == '\0') {
        snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(cc));
    }
    return st;
}

void waweb_request_interrupt(waweb_request *r)
{
    r->abort = 1;
#ifdef HAVE_CURL_MULTI_WAKEUP
    if (r->slot != NULL && r->slot->multi != NULL) {
        curl_multi_wakeup(r->slot->multi);
    }
#endif
}

void waweb_request_cleanup(waweb_request *r)
{
    if (r->slot != NULL && r->slot->easy != NULL) {
        /* drop pointers into memory freed below before the handle is pooled */
        curl_easy_setopt(r->slot->easy, CURLOPT_ERRORBUFFER, NULL);
        curl_easy_setopt(r->slot->easy, CURLOPT_MIMEPOST, NULL);
        curl_easy_setopt(r->slot->easy, CURLOPT_POSTFIELDS, NULL);
        curl_easy_setopt(r->slot->easy, CURLOPT_CUSTOMREQUEST, NULL);
    }
    if (r->mime != NULL) {
        curl_mime_free((curl_mime *)r->mime);
        r->mime = NULL;
    }
    free(r->url);
    free(r->body);
    free(r->headers.ptr);
    free(r->resp.ptr);
    r->url = r->body = r->headers.ptr = r->resp.ptr = NULL;
}

int waweb_header_next(const char *buf, size_t len, size_t *pos, const char **name, size_t *name_len,
                      const char **value, size_t *value_len)
{
    while (*pos < len) {
        const char *line = buf + *pos;
        const char *end = memchr(line, '\n', len - *pos);
        const char *colon, *v, *ve;
        size_t line_len = end ? (size_t)(end - line) : len - *pos;
        *pos += line_len + (end ? 1 : 0);
        if (line_len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
            continue;
        }
        colon = memchr(line, ':', line_len);
        if (colon == NULL || colon == line) {
            continue;
        }
        v = colon + 1;
        ve = line + line_len;
        while (v < ve && (*v == ' ' || *v == '\t')) {
            v++;
        }
        while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t')) {
            ve--;
        }
        *name = line;
        *name_len = (size_t)(colon - line);
        *value = v;
        *value_len = (size_t)(ve - v);
        return 1;
    }
    return 0;
}

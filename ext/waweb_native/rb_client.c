/* Binding of the libcurl gateway client: WawebNative::Gateway::Client (TypedData).
 * The keyword constructor, query building and HTTP status -> error mapping live in
 * lib/waweb_native/gateway/client.rb; this file moves bytes and releases the GVL. */
#include "waweb_native.h"
#include "client.h"

#include <ruby/thread.h>
#include <limits.h>

static VALUE cClient;
static VALUE cResponse;
static VALUE eGatewayError;
static ID id_transport;

typedef enum { CALL_GET, CALL_POST_JSON, CALL_MULTIPART, CALL_DOWNLOAD, CALL_PATCH_JSON, CALL_DELETE } call_kind;

struct call {
    waweb_client *client;
    waweb_slot *slot;
    waweb_request req;
    call_kind kind;
    const char *verb;
    VALUE path;
    VALUE body;   /* JSON text */
    VALUE fields; /* [[name, value], ...] */
    VALUE files;  /* [[name, path, filename, content_type], ...] */
    int fd;
    int64_t max_bytes;
    waweb_http_status status;
};

static void client_free(void *p)
{
    waweb_client_free(p);
}

static size_t client_memsize(const void *p)
{
    return p ? waweb_client_memsize(p) : 0;
}

static const rb_data_type_t client_type = {
    .wrap_struct_name = "WawebNative::Gateway::Client",
    .function = {.dmark = NULL, .dfree = client_free, .dsize = client_memsize},
    .flags = RUBY_TYPED_FREE_IMMEDIATELY,
};

static VALUE client_alloc(VALUE klass)
{
    return TypedData_Wrap_Struct(klass, &client_type, NULL);
}

static waweb_client *get_client(VALUE self)
{
    waweb_client *c = rb_check_typeddata(self, &client_type);
    if (c == NULL) {
        rb_raise(rb_eRuntimeError, "WawebNative::Gateway::Client is not initialized");
    }
    return c;
}

static const char *kind_name(waweb_http_status st)
{
    switch (st) {
    case WAWEB_HTTP_E_TIMEOUT:
        return "timeout";
    case WAWEB_HTTP_E_TOO_LARGE:
        return "too_large";
    case WAWEB_HTTP_E_INTERRUPTED:
        return "interrupted";
    case WAWEB_HTTP_E_LOCAL_IO:
        return "local_io";
    case WAWEB_HTTP_E_ARG:
        return "argument";
    default:
        return "connection";
    }
}

/* The one raise helper: Gateway::Error.transport builds the message (what to do, no
 * secrets) from the kind, libcurl's text and the request line. */
NORETURN(static void raise_transport(struct call *k, waweb_http_status st, const char *detail));
static void raise_transport(struct call *k, waweb_http_status st, const char *detail)
{
    VALUE exc;
    if (st == WAWEB_HTTP_E_NOMEM) {
        rb_memerror();
    }
    exc = rb_funcall(eGatewayError, id_transport, 5, ID2SYM(rb_intern(kind_name(st))),
                     rb_utf8_str_new_cstr(detail), rb_utf8_str_new_cstr(k->verb),
                     k->req.url ? rb_utf8_str_new_cstr(k->req.url) : k->path,
                     LL2NUM(k->kind == CALL_DOWNLOAD ? k->max_bytes : -1));
    rb_exc_raise(exc);
}

static void *perform_nogvl(void *p)
{
    struct call *k = p;
    k->status = waweb_request_perform(k->client, &k->req);
    return NULL;
}

static void perform_ubf(void *p)
{
    struct call *k = p;
    waweb_request_interrupt(&k->req);
}

static void check(struct call *k, waweb_http_status st)
{
    if (st != WAWEB_HTTP_OK) {
        raise_transport(k, st, k->req.error[0] ? k->req.error : "invalid request");
    }
}

static void add_parts(struct call *k)
{
    long i;
    Check_Type(k->fields, T_ARRAY);
    Check_Type(k->files, T_ARRAY);
    for (i = 0; i < RARRAY_LEN(k->fields); i++) {
        VALUE pair = rb_ary_entry(k->fields, i);
        VALUE name, value;
        Check_Type(pair, T_ARRAY);
        name = rb_ary_entry(pair, 0);
        value = rb_ary_entry(pair, 1);
        StringValue(value);
        check(k, waweb_request_add_field(&k->req, StringValueCStr(name), RSTRING_PTR(value),
                                         (size_t)RSTRING_LEN(value)));
        RB_GC_GUARD(name);
        RB_GC_GUARD(value);
    }
    for (i = 0; i < RARRAY_LEN(k->files); i++) {
        VALUE f = rb_ary_entry(k->files, i);
        VALUE name, path, filename, type;
        Check_Type(f, T_ARRAY);
        name = rb_ary_entry(f, 0);
        path = rb_ary_entry(f, 1);
        filename = rb_ary_entry(f, 2);
        type = rb_ary_entry(f, 3);
        check(k, waweb_request_add_file(&k->req, StringValueCStr(name), StringValueCStr(path),
                                        NIL_P(filename) ? NULL : StringValueCStr(filename),
                                        NIL_P(type) ? NULL : StringValueCStr(type)));
        RB_GC_GUARD(name);
        RB_GC_GUARD(path);
        RB_GC_GUARD(filename);
        RB_GC_GUARD(type);
    }
}

static int textual(const char *type, size_t len)
{
    size_t i;
    for (i = 0; i + 4 <= len; i++) {
        if (memcmp(type + i, "json", 4) == 0 || memcmp(type + i, "text", 4) == 0) {
            return 1;
        }
    }
    return 0;
}

static VALUE build_response(struct call *k)
{
    const waweb_request *r = &k->req;
    VALUE headers = rb_hash_new(), body, args[3];
    const char *name, *value, *type = "";
    size_t pos = 0, name_len, value_len, type_len = 0, i;
    while (waweb_header_next(r->headers.ptr, r->headers.len, &pos, &name, &name_len, &value,
                             &value_len)) {
        VALUE key = rb_utf8_str_new(name, (long)name_len), old;
        char *kp = RSTRING_PTR(key);
        for (i = 0; i < name_len; i++) {
            if (kp[i] >= 'A' && kp[i] <= 'Z') {
                kp[i] = (char)(kp[i] + ('a' - 'A'));
            }
        }
        if (name_len == 12 && memcmp(kp, "content-type", 12) == 0) {
            type = value;
            type_len = value_len;
        }
        old = rb_hash_lookup2(headers, key, Qundef);
        if (old == Qundef) {
            rb_hash_aset(headers, rb_str_freeze(key), rb_utf8_str_new(value, (long)value_len));
        } else {
            rb_str_cat(old, ", ", 2);
            rb_str_cat(old, value, (long)value_len);
        }
    }
    body = textual(type, type_len)
               ? rb_utf8_str_new(r->resp.ptr, (long)r->resp.len)
               : rb_enc_str_new(r->resp.ptr, (long)r->resp.len, rb_ascii8bit_encoding());
    args[0] = LONG2NUM(r->status);
    args[1] = headers;
    args[2] = body;
    return rb_class_new_instance(3, args, cResponse);
}

static VALUE call_body(VALUE arg)
{
    struct call *k = (struct call *)arg;
    k->slot = waweb_client_acquire(k->client);
    if (k->slot == NULL) {
        rb_memerror();
    }
    check(k, waweb_request_init(&k->req, k->client, k->slot, RSTRING_PTR(k->path),
                                (size_t)RSTRING_LEN(k->path)));
    switch (k->kind) {
    case CALL_POST_JSON:
        check(k, waweb_request_set_body(&k->req, RSTRING_PTR(k->body), (size_t)RSTRING_LEN(k->body),
                                        1));
        break;
    case CALL_PATCH_JSON:
        check(k, waweb_request_set_body(&k->req, RSTRING_PTR(k->body), (size_t)RSTRING_LEN(k->body),
                                        1));
        waweb_request_set_method(&k->req, "PATCH");
        break;
    case CALL_DELETE:
        waweb_request_set_method(&k->req, "DELETE");
        break;
    case CALL_MULTIPART:
        add_parts(k);
        break;
    case CALL_DOWNLOAD:
        waweb_request_set_download(&k->req, k->fd, k->max_bytes);
        break;
    case CALL_GET:
        break;
    }
    /* Everything Ruby owned is copied to C memory by now. */
#ifdef RB_NOGVL_UBF_ASYNC_SAFE
    /* The ubf only sets a sig_atomic_t flag and write()s to curl's wakeup socket, so it may run
     * in a signal handler. Without the flag, Ruby (3.1, 3.2) starts and kills a helper Ruby
     * thread around every call made from the main thread, to deliver Ctrl-C: ~150 us each. */
    rb_nogvl(perform_nogvl, k, perform_ubf, k, RB_NOGVL_UBF_ASYNC_SAFE);
#else
    rb_thread_call_without_gvl(perform_nogvl, k, perform_ubf, k);
#endif
    if (k->status == WAWEB_HTTP_E_INTERRUPTED) {
        rb_thread_check_ints(); /* raises the Thread#kill / Timeout / Interrupt that woke us */
    }
    check(k, k->status);
    return build_response(k);
}

static VALUE call_cleanup(VALUE arg)
{
    struct call *k = (struct call *)arg;
    waweb_request_cleanup(&k->req);
    waweb_client_release(k->client, k->slot);
    k->slot = NULL;
    return Qnil;
}

static VALUE execute(struct call *k)
{
    VALUE result = rb_ensure(call_body, (VALUE)k, call_cleanup, (VALUE)k);
    RB_GC_GUARD(k->path);
    RB_GC_GUARD(k->body);
    RB_GC_GUARD(k->fields);
    RB_GC_GUARD(k->files);
    return result;
}

static void call_init(struct call *k, VALUE self, call_kind kind, const char *verb, VALUE path)
{
    memset(k, 0, sizeof(*k));
    k->req.fd = -1;
    k->client = get_client(self);
    k->kind = kind;
    k->verb = verb;
    StringValue(path);
    k->path = rb_str_new_frozen(path);
    k->body = k->fields = k->files = Qnil;
}

/* _get(path_with_query) -> Response */
static VALUE client_get(VALUE self, VALUE path)
{
    struct call k;
    call_init(&k, self, CALL_GET, "GET", path);
    return execute(&k);
}

/* _post_json(path, json_text) -> Response */
static VALUE client_post_json(VALUE self, VALUE path, VALUE json)
{
    struct call k;
    call_init(&k, self, CALL_POST_JSON, "POST", path);
    StringValue(json);
    k.body = rb_str_new_frozen(json);
    return execute(&k);
}

/* _patch_json(path, json_text) -> Response */
static VALUE client_patch_json(VALUE self, VALUE path, VALUE json)
{
    struct call k;
    call_init(&k, self, CALL_PATCH_JSON, "PATCH", path);
    StringValue(json);
    k.body = rb_str_new_frozen(json);
    return execute(&k);
}

/* _delete(path) -> Response */
static VALUE client_delete(VALUE self, VALUE path)
{
    struct call k;
    call_init(&k, self, CALL_DELETE, "DELETE", path);
    return execute(&k);
}

/* _post_multipart(path, [[name, value]...], [[name, path, filename, type]...]) -> Response */
static VALUE client_post_multipart(VALUE self, VALUE path, VALUE fields, VALUE files)
{
    struct call k;
    call_init(&k, self, CALL_MULTIPART, "POST", path);
    k.fields = fields;
    k.files = files;
    return execute(&k);
}

/* _download(path, fd, max_bytes) -> Response (body empty on 2xx: the bytes went to fd) */
static VALUE client_download(VALUE self, VALUE path, VALUE fd, VALUE max_bytes)
{
    struct call k;
    call_init(&k, self, CALL_DOWNLOAD, "GET", path);
    k.fd = NUM2INT(fd);
    k.max_bytes = NUM2LL(max_bytes);
    if (k.fd < 0 || k.max_bytes < 0) {
        rb_raise(rb_eArgError, "download needs an open file descriptor and max_bytes >= 0");
    }
    return execute(&k);
}

static char *opt_cstr(VALUE v)
{
    return NIL_P(v) ? NULL : StringValueCStr(v);
}

/* _setup(base_url, username, password, device_id, open_timeout_ms, timeout_ms, max_body, ua) */
static VALUE client_setup(int argc, VALUE *argv, VALUE self)
{
    waweb_client_config cfg;
    waweb_client *c;
    waweb_http_status st;
    rb_check_arity(argc, 8, 8);
    if (DATA_PTR(self) != NULL) {
        rb_raise(rb_eRuntimeError, "WawebNative::Gateway::Client is already initialized");
    }
    memset(&cfg, 0, sizeof(cfg));
    cfg.base_url = StringValueCStr(argv[0]);
    cfg.username = StringValueCStr(argv[1]);
    cfg.password = StringValueCStr(argv[2]);
    cfg.device_id = opt_cstr(argv[3]);
    cfg.open_timeout_ms = NUM2LONG(argv[4]);
    cfg.timeout_ms = NUM2LONG(argv[5]);
    cfg.max_body = NUM2SIZET(argv[6]);
    cfg.user_agent = StringValueCStr(argv[7]);
    if (cfg.open_timeout_ms < 0 || cfg.timeout_ms < 0) {
        rb_raise(rb_eArgError, "timeouts must be >= 0");
    }
    if (waweb_http_global_init() != 0) {
        rb_raise(eGatewayError, "libcurl failed to initialise");
    }
    c = waweb_client_new(&cfg, &st);
    if (c == NULL) {
        if (st == WAWEB_HTTP_E_ARG) {
            rb_raise(rb_eArgError, "device_id and user agent must not contain line breaks");
        }
        rb_memerror();
    }
    DATA_PTR(self) = c;
    RB_GC_GUARD(argv[0]);
    RB_GC_GUARD(argv[1]);
    RB_GC_GUARD(argv[2]);
    RB_GC_GUARD(argv[3]);
    RB_GC_GUARD(argv[7]);
    return self;
}

/* stats -> {requests:, connects:, last_connects:, idle_handles:} */
static VALUE client_stats(VALUE self)
{
    waweb_client_stats s;
    VALUE h = rb_hash_new();
    waweb_client_get_stats(get_client(self), &s);
    rb_hash_aset(h, ID2SYM(rb_intern("requests")), LONG2NUM(s.requests));
    rb_hash_aset(h, ID2SYM(rb_intern("connects")), LONG2NUM(s.connects));
    rb_hash_aset(h, ID2SYM(rb_intern("last_connects")), LONG2NUM(s.last_connects));
    rb_hash_aset(h, ID2SYM(rb_intern("idle_handles")), LONG2NUM(s.idle_slots));
    return h;
}

/* close -> nil: drops idle handles and their connections (the client stays usable). */
static VALUE client_close(VALUE self)
{
    waweb_client_close_idle(get_client(self));
    return Qnil;
}

void waweb_init_client(VALUE mod)
{
    VALUE mGateway = rb_define_module_under(mod, "Gateway");
    cResponse = rb_const_get(mGateway, rb_intern("Response"));
    eGatewayError = rb_const_get(mGateway, rb_intern("Error"));
    rb_gc_register_mark_object(cResponse);
    rb_gc_register_mark_object(eGatewayError);
    id_transport = rb_intern("transport");

    cClient = rb_define_class_under(mGateway, "Client", rb_cObject);
    rb_define_alloc_func(cClient, client_alloc);
    rb_define_private_method(cClient, "_setup", client_setup, -1);
    rb_define_private_method(cClient, "_get", client_get, 1);
    rb_define_private_method(cClient, "_post_json", client_post_json, 2);
    rb_define_private_method(cClient, "_post_multipart", client_post_multipart, 3);
    rb_define_private_method(cClient, "_patch_json", client_patch_json, 2);
    rb_define_private_method(cClient, "_delete", client_delete, 1);
    rb_define_private_method(cClient, "_download", client_download, 3);
    rb_define_method(cClient, "stats", client_stats, 0);
    rb_define_method(cClient, "close", client_close, 0);
}

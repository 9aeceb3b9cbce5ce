/* WawebNative::Multipart: the Ruby face of multipart.c. The TypedData object owns the C
 * builder (and so its open files); file reads run without the GVL. */
#include "waweb_native.h"
#include "multipart.h"

#include <errno.h>
#include <ruby/thread.h>

#define CHUNK_SIZE (64 * 1024)
/* Below this a read from the page cache is cheaper than handing the GVL over and back. */
#define NOGVL_MIN (16 * 1024)
/* each_chunk without a buffer reclaims dropped chunks after this many fresh bytes. */
#define RECLAIM_EVERY (4 * 1024 * 1024)

static VALUE cMultipart;
static VALUE eInvalidPart;
static VALUE eFileChanged;
static ID id_boundary, id_filename, id_content_type, id_start;
static VALUE minor_gc_opts; /* {full_mark: false, immediate_sweep: true} */

typedef struct {
    waweb_multipart *mp;
    int busy; /* a read is running without the GVL */
} mp_wrap;

static void mp_free(void *p)
{
    mp_wrap *w = p;
    waweb_multipart_free(w->mp);
    xfree(w);
}

static size_t mp_memsize(const void *p)
{
    const mp_wrap *w = p;
    return sizeof(*w) + (w->mp ? waweb_multipart_memsize(w->mp) : 0);
}

/* No dmark: the object holds no Ruby values. */
static const rb_data_type_t mp_type = {
    .wrap_struct_name = "WawebNative::Multipart",
    .function = {.dmark = NULL, .dfree = mp_free, .dsize = mp_memsize},
    .flags = RUBY_TYPED_FREE_IMMEDIATELY | RUBY_TYPED_WB_PROTECTED,
};

NORETURN(static void raise_mp(const waweb_multipart *mp, waweb_mp_status st, VALUE path));

static void raise_mp(const waweb_multipart *mp, waweb_mp_status st, VALUE path)
{
    const char *why = mp ? waweb_multipart_error(mp) : "invalid multipart boundary";
    switch (st) {
    case WAWEB_MP_ENOMEM:
        rb_memerror();
    case WAWEB_MP_ESYS: {
        int e = mp ? waweb_multipart_errno(mp) : EIO;
        if (!NIL_P(path))
            rb_syserr_fail_str(e, path);
        rb_syserr_fail(e, why);
    }
    case WAWEB_MP_ECHANGED:
        if (!NIL_P(path))
            rb_raise(eFileChanged, "%s: %" PRIsVALUE, why, path);
        rb_raise(eFileChanged, "%s", why);
    case WAWEB_MP_EBUSY:
        rb_raise(rb_eIOError, "%s", why);
    case WAWEB_MP_EINVAL:
    case WAWEB_MP_EOVERFLOW:
    default:
        rb_raise(eInvalidPart, "%s", why);
    }
}

static VALUE mp_alloc(VALUE klass)
{
    mp_wrap *w;
    return TypedData_Make_Struct(klass, mp_wrap, &mp_type, w);
}

static mp_wrap *get_wrap(VALUE self, int mutating)
{
    mp_wrap *w;
    TypedData_Get_Struct(self, mp_wrap, &mp_type, w);
    if (!w->mp)
        rb_raise(rb_eTypeError, "uninitialized WawebNative::Multipart");
    if (mutating && w->busy)
        rb_raise(rb_eIOError, "WawebNative::Multipart is being read by another thread");
    return w;
}

/* new(boundary: nil) */
static VALUE mp_initialize(int argc, VALUE *argv, VALUE self)
{
    VALUE opts = Qnil, boundary = Qundef;
    mp_wrap *w;
    TypedData_Get_Struct(self, mp_wrap, &mp_type, w);
    if (w->mp)
        rb_raise(rb_eTypeError, "WawebNative::Multipart already initialized");
    rb_scan_args(argc, argv, "0:", &opts);
    if (!NIL_P(opts))
        rb_get_kwargs(opts, &id_boundary, 0, 1, &boundary);
    waweb_mp_status st;
    if (boundary == Qundef || NIL_P(boundary)) {
        st = waweb_multipart_new(NULL, 0, &w->mp);
    } else {
        StringValue(boundary);
        st = waweb_multipart_new(RSTRING_PTR(boundary), (size_t)RSTRING_LEN(boundary), &w->mp);
        RB_GC_GUARD(boundary);
        if (st == WAWEB_MP_EINVAL)
            rb_raise(eInvalidPart, "boundary must be 1..%d characters of [0-9A-Za-z'+_.-]",
                     WAWEB_MP_BOUNDARY_MAX);
    }
    if (st != WAWEB_MP_OK)
        raise_mp(NULL, st, Qnil);
    return self;
}

static VALUE mp_initialize_copy(VALUE self, VALUE other)
{
    rb_raise(rb_eTypeError, "WawebNative::Multipart owns open files and cannot be copied");
}

static VALUE name_string(VALUE name)
{
    if (SYMBOL_P(name))
        return rb_sym2str(name);
    StringValue(name);
    return name;
}

static VALUE mp_add_field(VALUE self, VALUE name, VALUE value)
{
    mp_wrap *w = get_wrap(self, 1);
    name = name_string(name);
    StringValue(value);
    waweb_mp_status st =
        waweb_multipart_add_field(w->mp, RSTRING_PTR(name), (size_t)RSTRING_LEN(name),
                                  RSTRING_PTR(value), (size_t)RSTRING_LEN(value));
    RB_GC_GUARD(name);
    RB_GC_GUARD(value);
    if (st != WAWEB_MP_OK)
        raise_mp(w->mp, st, Qnil);
    return self;
}

/* The last path component, as File.basename gives it for a regular file's path. */
static VALUE path_basename(VALUE path)
{
    const char *p = RSTRING_PTR(path);
    long len = RSTRING_LEN(path), start = len;
    while (start > 0 && p[start - 1] != '/')
        start--;
    return rb_enc_str_new(p + start, len - start, rb_enc_get(path));
}

/* add_file(name, path, filename: File.basename(path), content_type: "application/octet-stream") */
static VALUE mp_add_file(int argc, VALUE *argv, VALUE self)
{
    VALUE name, path, opts = Qnil, kw[2] = {Qundef, Qundef};
    ID ids[2] = {id_filename, id_content_type};
    mp_wrap *w = get_wrap(self, 1);
    rb_scan_args(argc, argv, "2:", &name, &path, &opts);
    if (!NIL_P(opts))
        rb_get_kwargs(opts, ids, 0, 2, kw);
    name = name_string(name);
    path = rb_get_path(path);
    const char *cpath = StringValueCStr(path);
    VALUE filename = (kw[0] == Qundef || NIL_P(kw[0])) ? path_basename(path) : kw[0];
    StringValue(filename);
    VALUE ctype =
        (kw[1] == Qundef || NIL_P(kw[1])) ? rb_str_new_cstr("application/octet-stream") : kw[1];
    StringValue(ctype);
    waweb_mp_status st;
    for (int attempt = 0;; attempt++) {
        st = waweb_multipart_add_file(w->mp, RSTRING_PTR(name), (size_t)RSTRING_LEN(name), cpath,
                                      RSTRING_PTR(filename), (size_t)RSTRING_LEN(filename),
                                      RSTRING_PTR(ctype), (size_t)RSTRING_LEN(ctype));
        int e = waweb_multipart_errno(w->mp);
        /* Out of descriptors: unreferenced builders may hold some; collect them and retry
         * once, as Ruby's own File.open does. */
        if (st != WAWEB_MP_ESYS || (e != EMFILE && e != ENFILE) || attempt > 0)
            break;
        rb_gc();
    }
    RB_GC_GUARD(name);
    RB_GC_GUARD(path);
    RB_GC_GUARD(filename);
    RB_GC_GUARD(ctype);
    if (st != WAWEB_MP_OK)
        raise_mp(w->mp, st, path);
    return self;
}

static VALUE mp_boundary(VALUE self)
{
    size_t len;
    const char *b = waweb_multipart_boundary(get_wrap(self, 0)->mp, &len);
    return rb_obj_freeze(rb_usascii_str_new(b, (long)len));
}

static VALUE mp_content_type(VALUE self)
{
    size_t len;
    const char *b = waweb_multipart_boundary(get_wrap(self, 0)->mp, &len);
    VALUE s = rb_usascii_str_new_cstr("multipart/form-data; boundary=");
    rb_str_cat(s, b, (long)len);
    return rb_obj_freeze(s);
}

static VALUE mp_content_length(VALUE self)
{
    return ULL2NUM(waweb_multipart_content_length(get_wrap(self, 0)->mp));
}

static VALUE mp_pos(VALUE self)
{
    return ULL2NUM(waweb_multipart_position(get_wrap(self, 0)->mp));
}

static VALUE mp_eof_p(VALUE self)
{
    waweb_multipart *mp = get_wrap(self, 0)->mp;
    return waweb_multipart_position(mp) >= waweb_multipart_content_length(mp) ? Qtrue : Qfalse;
}

static VALUE mp_rewind(VALUE self)
{
    waweb_multipart_rewind(get_wrap(self, 1)->mp);
    return INT2FIX(0);
}

static VALUE mp_close(VALUE self)
{
    waweb_multipart_close(get_wrap(self, 1)->mp);
    return Qnil;
}

/* One pull from the C reader into str's buffer (capacity cap), GVL released when files
 * are read. The string is locked and the object marked busy meanwhile, both undone in
 * an ensure so an interrupt cannot leave them set. */
struct fill_args {
    mp_wrap *w;
    VALUE str;
    size_t cap;
    size_t got;
    waweb_mp_status st;
};

static void *fill_nogvl(void *p)
{
    struct fill_args *a = p;
    a->st = waweb_multipart_read(a->w->mp, RSTRING_PTR(a->str), a->cap, &a->got);
    return NULL;
}

static VALUE fill_body(VALUE p)
{
    struct fill_args *a = (struct fill_args *)p;
    rb_thread_call_without_gvl(fill_nogvl, a, RUBY_UBF_IO, NULL);
    return Qnil;
}

static VALUE fill_done(VALUE p)
{
    struct fill_args *a = (struct fill_args *)p;
    a->w->busy = 0;
    rb_str_unlocktmp(a->str);
    return Qnil;
}

/* Fills str (made binary, length set to the bytes produced); returns that count. */
static size_t fill(mp_wrap *w, VALUE str, size_t cap)
{
    struct fill_args a = {w, str, cap, 0, WAWEB_MP_OK};
    if ((unsigned long)cap > (unsigned long)LONG_MAX)
        rb_raise(rb_eRangeError, "read length too large");
    rb_str_modify(str);
    rb_str_resize(str, (long)cap);
    rb_enc_associate_index(str, rb_ascii8bit_encindex());
    if (cap >= NOGVL_MIN && waweb_multipart_pending_io(w->mp)) {
        rb_str_locktmp(str);
        w->busy = 1;
        rb_ensure(fill_body, (VALUE)&a, fill_done, (VALUE)&a);
    } else if (cap > 0) {
        fill_nogvl(&a);
    }
    rb_str_set_len(str, (long)a.got);
    if (a.st != WAWEB_MP_OK)
        raise_mp(w->mp, a.st, Qnil);
    return a.got;
}

static uint64_t remaining(const waweb_multipart *mp)
{
    uint64_t total = waweb_multipart_content_length(mp), pos = waweb_multipart_position(mp);
    return pos < total ? total - pos : 0;
}

/* read(length = nil, outbuf = nil), with IO#read's contract: nil length reads the rest
 * ("" at the end); a length returns up to that many bytes, nil at the end. */
static VALUE mp_read(int argc, VALUE *argv, VALUE self)
{
    VALUE vlen = Qnil, outbuf = Qnil;
    mp_wrap *w = get_wrap(self, 1);
    rb_scan_args(argc, argv, "02", &vlen, &outbuf);
    uint64_t left = remaining(w->mp);
    size_t cap;
    if (NIL_P(vlen)) {
        if (left > (uint64_t)LONG_MAX)
            rb_raise(rb_eRangeError, "multipart body too large to read at once");
        cap = (size_t)left;
    } else {
        long n = NUM2LONG(vlen);
        if (n < 0)
            rb_raise(rb_eArgError, "negative length %ld given", n);
        cap = (uint64_t)n < left ? (size_t)n : (size_t)left;
        if (n > 0 && left == 0) {
            if (!NIL_P(outbuf)) {
                StringValue(outbuf);
                rb_str_modify(outbuf);
                rb_str_set_len(outbuf, 0);
            }
            return Qnil;
        }
    }
    VALUE str;
    if (NIL_P(outbuf)) {
        str = rb_str_buf_new((long)cap);
    } else {
        StringValue(outbuf);
        str = outbuf;
    }
    fill(w, str, cap);
    return str;
}

static VALUE mp_each_chunk_size(VALUE self, VALUE args, VALUE eobj)
{
    mp_wrap *w = get_wrap(self, 0);
    uint64_t len = waweb_multipart_content_length(w->mp);
    return ULL2NUM((len + CHUNK_SIZE - 1) / CHUNK_SIZE);
}

/* each_chunk(buffer = nil) { |bytes| }: the whole body from its start in chunks of up to
 * 64 KiB. Without a buffer each chunk is a fresh String (safe to keep; a minor GC runs
 * every 4 MiB so dropped ones do not pile up); with one, that String is refilled and yielded every
 * time, so streaming a file of any size allocates nothing. */
static VALUE mp_each_chunk(int argc, VALUE *argv, VALUE self)
{
    VALUE buffer = Qnil;
    RETURN_SIZED_ENUMERATOR(self, argc, argv, mp_each_chunk_size);
    rb_scan_args(argc, argv, "01", &buffer);
    if (!NIL_P(buffer))
        StringValue(buffer);
    mp_wrap *w = get_wrap(self, 1);
    size_t fresh = 0;
    waweb_multipart_rewind(w->mp);
    for (;;) {
        w = get_wrap(self, 1);
        uint64_t left = remaining(w->mp);
        if (left == 0)
            break;
        size_t n = left < CHUNK_SIZE ? (size_t)left : CHUNK_SIZE;
        VALUE chunk = NIL_P(buffer) ? rb_str_buf_new((long)n) : buffer;
        if (fill(w, chunk, n) == 0)
            break;
        rb_yield(chunk);
        if (NIL_P(buffer) && (fresh += n) >= RECLAIM_EVERY) {
            /* Dropped chunks are malloc'd memory the GC frees only lazily; without this a
             * 200 MB body grew RSS by ~70 MB. A minor GC with immediate sweep is cheap. */
            fresh = 0;
            rb_funcallv_kw(rb_mGC, id_start, 1, &minor_gc_opts, RB_PASS_KEYWORDS);
        }
    }
    return self;
}

void waweb_init_multipart(VALUE mod)
{
    id_boundary = rb_intern("boundary");
    id_filename = rb_intern("filename");
    id_content_type = rb_intern("content_type");
    id_start = rb_intern("start");
    rb_gc_register_address(&minor_gc_opts);
    minor_gc_opts = rb_hash_new();
    rb_hash_aset(minor_gc_opts, ID2SYM(rb_intern("full_mark")), Qfalse);
    rb_hash_aset(minor_gc_opts, ID2SYM(rb_intern("immediate_sweep")), Qtrue);
    rb_obj_freeze(minor_gc_opts);

    cMultipart = rb_define_class_under(mod, "Multipart", rb_cObject);
    rb_gc_register_address(&cMultipart);
    eInvalidPart = rb_define_class_under(cMultipart, "InvalidPart", rb_eArgError);
    rb_include_module(eInvalidPart, waweb_eError);
    rb_gc_register_address(&eInvalidPart);
    eFileChanged = rb_define_class_under(cMultipart, "FileChanged", rb_eIOError);
    rb_include_module(eFileChanged, waweb_eError);
    rb_gc_register_address(&eFileChanged);

    rb_define_alloc_func(cMultipart, mp_alloc);
    rb_define_method(cMultipart, "initialize", mp_initialize, -1);
    rb_define_method(cMultipart, "initialize_copy", mp_initialize_copy, 1);
    rb_define_method(cMultipart, "add_field", mp_add_field, 2);
    rb_define_method(cMultipart, "add_file", mp_add_file, -1);
    rb_define_method(cMultipart, "boundary", mp_boundary, 0);
    rb_define_method(cMultipart, "content_type", mp_content_type, 0);
    rb_define_method(cMultipart, "content_length", mp_content_length, 0);
    rb_define_method(cMultipart, "size", mp_content_length, 0);
    rb_define_method(cMultipart, "pos", mp_pos, 0);
    rb_define_method(cMultipart, "eof?", mp_eof_p, 0);
    rb_define_method(cMultipart, "read", mp_read, -1);
    rb_define_method(cMultipart, "each_chunk", mp_each_chunk, -1);
    rb_define_method(cMultipart, "rewind", mp_rewind, 0);
    rb_define_method(cMultipart, "close", mp_close, 0);
}

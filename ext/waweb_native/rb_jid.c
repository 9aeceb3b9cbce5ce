/* WawebNative::JID: a frozen, immutable value wrapping the C core's waweb_jid_t. */
#include "waweb_native.h"
#include "jid.h"

/* Inputs are quoted in error messages up to this many bytes. */
#define QUOTE_MAX 64

static VALUE cJID;
static ID id_kinds[5];

static size_t jid_memsize(const void *ptr)
{
    return sizeof(waweb_jid_t);
}

static const rb_data_type_t jid_type = {
    .wrap_struct_name = "WawebNative::JID",
    .function =
        {
            .dmark = NULL,
            .dfree = RUBY_TYPED_DEFAULT_FREE,
            .dsize = jid_memsize,
        },
    .flags = RUBY_TYPED_FREE_IMMEDIATELY | RUBY_TYPED_WB_PROTECTED | RUBY_TYPED_FROZEN_SHAREABLE,
};

/* The message names the input (inspected, so control bytes and broken UTF-8 are escaped,
 * and cut to QUOTE_MAX bytes) and says what is wrong with it. */
NORETURN(static void raise_invalid(VALUE input, waweb_jid_status_t st));
static void raise_invalid(VALUE input, waweb_jid_status_t st)
{
    const char *reason = waweb_jid_status_message(st);
    if (NIL_P(input)) {
        rb_raise(waweb_eInvalidJID, "nil %s", reason);
    }
    long len = RSTRING_LEN(input);
    if (len > QUOTE_MAX) {
        VALUE head = rb_str_inspect(rb_str_subseq(input, 0, QUOTE_MAX));
        rb_raise(waweb_eInvalidJID, "%" PRIsVALUE "... (%ld bytes) %s", head, len, reason);
    }
    rb_raise(waweb_eInvalidJID, "%" PRIsVALUE " %s", rb_str_inspect(input), reason);
}

/* nil is an invalid JID like "" (a support agent sees the same message); other
 * non-Strings are a programming error and raise TypeError through StringValue. */
static void parse_or_raise(VALUE str, waweb_jid_t *out)
{
    if (NIL_P(str)) {
        raise_invalid(Qnil, WAWEB_JID_EMPTY);
    }
    StringValue(str);
    waweb_jid_status_t st = waweb_jid_parse(RSTRING_PTR(str), (size_t)RSTRING_LEN(str), out);
    RB_GC_GUARD(str);
    if (st != WAWEB_JID_OK) {
        raise_invalid(str, st);
    }
}

static const waweb_jid_t *get_jid(VALUE self)
{
    const waweb_jid_t *jid;
    TypedData_Get_Struct(self, waweb_jid_t, &jid_type, jid);
    return jid;
}

static VALUE frozen_utf8(const char *p, size_t n)
{
    return rb_str_freeze(rb_utf8_str_new(p, (long)n));
}

static VALUE canonical(const waweb_jid_t *jid)
{
    char buf[WAWEB_JID_MAX_FORMAT + 1];
    size_t n = waweb_jid_format(jid, buf, sizeof(buf));
    return frozen_utf8(buf, n);
}

/* JID.parse(str) -> JID */
static VALUE jid_s_parse(VALUE klass, VALUE str)
{
    waweb_jid_t parsed;
    waweb_jid_t *jid;
    if (rb_typeddata_is_kind_of(str, &jid_type)) {
        return str;
    }
    parse_or_raise(str, &parsed);
    VALUE obj = TypedData_Make_Struct(cJID, waweb_jid_t, &jid_type, jid);
    *jid = parsed;
    return rb_obj_freeze(obj);
}

/* JID.sanitize(str) -> "user@server", the gateway's phone field. */
static VALUE jid_s_sanitize(VALUE klass, VALUE str)
{
    waweb_jid_t jid;
    if (rb_typeddata_is_kind_of(str, &jid_type)) {
        return canonical(get_jid(str));
    }
    parse_or_raise(str, &jid);
    return canonical(&jid);
}

static VALUE variants_array(const waweb_jid_t *jid)
{
    waweb_jid_phone_t v[2];
    int n = waweb_jid_phone_variants(jid, v);
    if (n == 0) {
        return rb_ary_new_from_args(1, canonical(jid));
    }
    VALUE ary = rb_ary_new_capa(n);
    for (int i = 0; i < n; i++) {
        rb_ary_push(ary, frozen_utf8(v[i].digits, v[i].len));
    }
    return ary;
}

/* JID.phone_variants(str) -> ["5511987654321", "551187654321"] (digits, own form first);
 * one element for everything but a Brazilian mobile; [jid] for non-user JIDs. */
static VALUE jid_s_phone_variants(VALUE klass, VALUE str)
{
    waweb_jid_t jid;
    parse_or_raise(str, &jid);
    return variants_array(&jid);
}

static VALUE jid_phone_variants(VALUE self)
{
    return variants_array(get_jid(self));
}

static VALUE jid_user(VALUE self)
{
    const waweb_jid_t *jid = get_jid(self);
    return frozen_utf8(jid->user, jid->user_len);
}

static VALUE jid_server(VALUE self)
{
    const waweb_jid_t *jid = get_jid(self);
    return frozen_utf8(jid->server, jid->server_len);
}

static VALUE jid_device(VALUE self)
{
    const waweb_jid_t *jid = get_jid(self);
    return jid->has_device ? UINT2NUM(jid->device) : Qnil;
}

static VALUE jid_agent(VALUE self)
{
    const waweb_jid_t *jid = get_jid(self);
    return jid->has_agent ? UINT2NUM(jid->agent) : Qnil;
}

static VALUE jid_kind(VALUE self)
{
    return ID2SYM(id_kinds[get_jid(self)->kind]);
}

static VALUE jid_to_s(VALUE self)
{
    return canonical(get_jid(self));
}

static VALUE kind_p(VALUE self, waweb_jid_kind_t kind)
{
    return get_jid(self)->kind == kind ? Qtrue : Qfalse;
}

static VALUE jid_user_p(VALUE self)
{
    return kind_p(self, WAWEB_JID_KIND_USER);
}

static VALUE jid_group_p(VALUE self)
{
    return kind_p(self, WAWEB_JID_KIND_GROUP);
}

static VALUE jid_lid_p(VALUE self)
{
    return kind_p(self, WAWEB_JID_KIND_LID);
}

static VALUE jid_broadcast_p(VALUE self)
{
    return kind_p(self, WAWEB_JID_KIND_BROADCAST);
}

static VALUE jid_newsletter_p(VALUE self)
{
    return kind_p(self, WAWEB_JID_KIND_NEWSLETTER);
}

/* "+digits" for users only: a LID is a privacy id, never a phone number. */
static VALUE jid_phone(VALUE self)
{
    const waweb_jid_t *jid = get_jid(self);
    char buf[WAWEB_JID_MAX_USER + 2];
    if (jid->kind != WAWEB_JID_KIND_USER) {
        return Qnil;
    }
    buf[0] = '+';
    memcpy(buf + 1, jid->user, jid->user_len);
    return frozen_utf8(buf, jid->user_len + 1);
}

/* ContactInbox#source_id: digits for users, the whole JID otherwise. */
static VALUE jid_source_id(VALUE self)
{
    const waweb_jid_t *jid = get_jid(self);
    if (jid->kind == WAWEB_JID_KIND_USER) {
        return frozen_utf8(jid->user, jid->user_len);
    }
    return canonical(jid);
}

/* Contact#identifier: the canonical JID; broadcast and newsletter never become contacts. */
static VALUE jid_identifier(VALUE self)
{
    const waweb_jid_t *jid = get_jid(self);
    if (jid->kind == WAWEB_JID_KIND_BROADCAST || jid->kind == WAWEB_JID_KIND_NEWSLETTER) {
        return Qnil;
    }
    return canonical(jid);
}

/* Identity is the canonical user@server: agent and device name one linked device of the
 * same person, so they do not take part in ==, eql? or hash. */
static VALUE jid_eq(VALUE self, VALUE other)
{
    if (self == other) {
        return Qtrue;
    }
    if (!rb_typeddata_is_kind_of(other, &jid_type)) {
        return Qfalse;
    }
    const waweb_jid_t *a = get_jid(self);
    const waweb_jid_t *b = get_jid(other);
    return (a->kind == b->kind && a->user_len == b->user_len &&
            memcmp(a->user, b->user, a->user_len) == 0 && a->server == b->server)
               ? Qtrue
               : Qfalse;
}

static VALUE jid_hash(VALUE self)
{
    const waweb_jid_t *jid = get_jid(self);
    char buf[WAWEB_JID_MAX_FORMAT + 1];
    size_t n = waweb_jid_format(jid, buf, sizeof(buf));
    st_index_t h = rb_memhash(buf, (long)n);
    return LONG2FIX((long)(h & (st_index_t)FIXNUM_MAX));
}

static VALUE jid_inspect(VALUE self)
{
    const waweb_jid_t *jid = get_jid(self);
    char buf[WAWEB_JID_MAX_FORMAT + 1];
    waweb_jid_format(jid, buf, sizeof(buf));
    VALUE s = rb_sprintf("#<%" PRIsVALUE " %s", rb_class_name(CLASS_OF(self)), buf);
    if (jid->has_agent) {
        rb_str_catf(s, " agent=%u", jid->agent);
    }
    if (jid->has_device) {
        rb_str_catf(s, " device=%u", jid->device);
    }
    rb_str_cat_cstr(s, ">");
    return s;
}

/* An immutable value: copies are the object itself (like Integer). */
static VALUE jid_itself(int argc, VALUE *argv, VALUE self)
{
    return self;
}

void waweb_init_jid(VALUE mod)
{
    cJID = rb_define_class_under(mod, "JID", rb_cObject);
    rb_gc_register_address(&cJID);
    rb_undef_alloc_func(cJID);
    rb_undef_method(CLASS_OF(cJID), "new");

    id_kinds[WAWEB_JID_KIND_USER] = rb_intern("user");
    id_kinds[WAWEB_JID_KIND_GROUP] = rb_intern("group");
    id_kinds[WAWEB_JID_KIND_LID] = rb_intern("lid");
    id_kinds[WAWEB_JID_KIND_BROADCAST] = rb_intern("broadcast");
    id_kinds[WAWEB_JID_KIND_NEWSLETTER] = rb_intern("newsletter");

    rb_define_const(cJID, "MAX_INPUT_BYTES", INT2FIX(WAWEB_JID_MAX_INPUT));

    rb_define_singleton_method(cJID, "parse", jid_s_parse, 1);
    rb_define_singleton_method(cJID, "sanitize", jid_s_sanitize, 1);
    rb_define_singleton_method(cJID, "phone_variants", jid_s_phone_variants, 1);

    rb_define_method(cJID, "user", jid_user, 0);
    rb_define_method(cJID, "server", jid_server, 0);
    rb_define_method(cJID, "device", jid_device, 0);
    rb_define_method(cJID, "agent", jid_agent, 0);
    rb_define_method(cJID, "kind", jid_kind, 0);
    rb_define_method(cJID, "to_s", jid_to_s, 0);
    rb_define_method(cJID, "user?", jid_user_p, 0);
    rb_define_method(cJID, "group?", jid_group_p, 0);
    rb_define_method(cJID, "lid?", jid_lid_p, 0);
    rb_define_method(cJID, "broadcast?", jid_broadcast_p, 0);
    rb_define_method(cJID, "newsletter?", jid_newsletter_p, 0);
    rb_define_method(cJID, "phone", jid_phone, 0);
    rb_define_method(cJID, "source_id", jid_source_id, 0);
    rb_define_method(cJID, "identifier", jid_identifier, 0);
    rb_define_method(cJID, "phone_variants", jid_phone_variants, 0);
    rb_define_method(cJID, "==", jid_eq, 1);
    rb_define_method(cJID, "eql?", jid_eq, 1);
    rb_define_method(cJID, "hash", jid_hash, 0);
    rb_define_method(cJID, "inspect", jid_inspect, 0);
    rb_define_method(cJID, "dup", jid_itself, -1);
    rb_define_method(cJID, "clone", jid_itself, -1);
}

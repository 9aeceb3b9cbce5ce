/* WawebNative::Payload.classify and WawebNative::Event. The Event wraps the C struct
 * the core filled in; Ruby strings are made only when a reader asks, then cached,
 * so classifying a webhook costs one Ruby object plus what the caller reads. */
#include "waweb_native.h"
#include "payload.h"

#define DEFAULT_MAX_BYTES ((size_t)4 * 1024 * 1024)

static VALUE cEvent;
static size_t max_bytes = DEFAULT_MAX_BYTES;
static ID id_iv_offset;
static VALUE sym_format[2];
static VALUE sym_kind[WAWEB_PL_KIND_COUNT];
static VALUE sym_receipt[4];
static VALUE sym_group[5];

typedef struct {
    waweb_pl_event_t ev;
    VALUE str[WAWEB_PL_FIELD_COUNT]; /* 0 until a reader built it */
    VALUE ids;
    VALUE participants;
} event_t;

static void event_mark(void *ptr)
{
    event_t *e = ptr;
    for (int i = 0; i < WAWEB_PL_FIELD_COUNT; i++)
        if (e->str[i])
            rb_gc_mark_movable(e->str[i]);
    if (e->ids)
        rb_gc_mark_movable(e->ids);
    if (e->participants)
        rb_gc_mark_movable(e->participants);
}

static void event_compact(void *ptr)
{
    event_t *e = ptr;
    for (int i = 0; i < WAWEB_PL_FIELD_COUNT; i++)
        if (e->str[i])
            e->str[i] = rb_gc_location(e->str[i]);
    if (e->ids)
        e->ids = rb_gc_location(e->ids);
    if (e->participants)
        e->participants = rb_gc_location(e->participants);
}

/* Bytes the core malloc'ed for an event, reported to the GC: an Event is one small
 * object, so without this many would pile up (with their arenas) between collections. */
static size_t core_bytes(const waweb_pl_event_t *ev)
{
    return ev->buf_cap + (ev->ids.cap + ev->participants.cap) * sizeof(waweb_pl_span_t);
}

static void event_free(void *ptr)
{
    event_t *e = ptr;
    rb_gc_adjust_memory_usage(-(ssize_t)core_bytes(&e->ev));
    waweb_pl_event_free(&e->ev);
    xfree(e);
}

static size_t event_size(const void *ptr)
{
    const event_t *e = ptr;
    return sizeof(*e) + core_bytes(&e->ev);
}

/* Not FROZEN_SHAREABLE: readers fill the string cache of a frozen Event lazily. */
static const rb_data_type_t event_type = {
    .wrap_struct_name = "WawebNative::Event",
    .function =
        {
            .dmark = event_mark,
            .dfree = event_free,
            .dsize = event_size,
            .dcompact = event_compact,
        },
    .flags = RUBY_TYPED_FREE_IMMEDIATELY | RUBY_TYPED_WB_PROTECTED,
};

static event_t *get_event(VALUE self)
{
    event_t *e;
    TypedData_Get_Struct(self, event_t, &event_type, e);
    return e;
}

NORETURN(static void raise_parse_error(const waweb_pl_error_t *err));
static void raise_parse_error(const waweb_pl_error_t *err)
{
    if (err->status == WAWEB_PL_ERR_NOMEM)
        rb_memerror();
    VALUE exc = rb_exc_new_cstr(waweb_eParseError, err->message);
    rb_ivar_set(exc, id_iv_offset, SIZET2NUM(err->offset));
    rb_exc_raise(exc);
}

/* Payload.classify(raw) -> frozen Event */
static VALUE payload_classify(VALUE self, VALUE raw)
{
    waweb_pl_error_t err;
    event_t *e;

    StringValue(raw);
    /* The object exists before the core allocates, so its dfree owns the arena. */
    VALUE obj = TypedData_Make_Struct(cEvent, event_t, &event_type, e);
    if (waweb_pl_classify(RSTRING_PTR(raw), (size_t)RSTRING_LEN(raw), max_bytes, &e->ev, &err) !=
        WAWEB_PL_OK)
        raise_parse_error(&err);
    RB_GC_GUARD(raw);
    rb_gc_adjust_memory_usage((ssize_t)core_bytes(&e->ev));
    rb_obj_freeze(obj);
    return obj;
}

static VALUE payload_max_bytes(VALUE self)
{
    return SIZET2NUM(max_bytes);
}

static VALUE payload_set_max_bytes(VALUE self, VALUE n)
{
    if (!RB_INTEGER_TYPE_P(n) || RTEST(rb_funcall(n, rb_intern("<"), 1, INT2FIX(1))))
        rb_raise(rb_eArgError, "max_bytes must be a positive Integer");
    max_bytes = NUM2SIZET(n);
    return n;
}

/* Identity-like fields repeat across webhooks: interned strings cost no allocation
 * once the same value was seen. Free text is copied. */
static int interned_field(int field)
{
    switch (field) {
    case WAWEB_PL_EVENT_NAME:
    case WAWEB_PL_DEVICE_ID:
    case WAWEB_PL_SESSION_ID:
    case WAWEB_PL_CHAT:
    case WAWEB_PL_SENDER:
    case WAWEB_PL_SENDER_LID:
    case WAWEB_PL_PUSH_NAME:
    case WAWEB_PL_DISPLAY_NAME:
    case WAWEB_PL_MIME_TYPE:
        return 1;
    default:
        return 0;
    }
}

static VALUE span_str(const waweb_pl_event_t *ev, waweb_pl_span_t sp, int interned)
{
    const char *p = ev->buf ? ev->buf + sp.off : "";
    if (interned)
        return rb_enc_interned_str(p, (long)sp.len, rb_utf8_encoding());
    return rb_obj_freeze(rb_utf8_str_new(p, (long)sp.len));
}

static VALUE field(VALUE self, int i)
{
    event_t *e = get_event(self);
    if (e->str[i])
        return e->str[i];
    waweb_pl_span_t sp = e->ev.fields[i];
    if (sp.off == WAWEB_PL_ABSENT)
        return Qnil;
    VALUE s = span_str(&e->ev, sp, interned_field(i));
    RB_OBJ_WRITE(self, &e->str[i], s);
    return s;
}

#define READER(name, idx)                                                                          \
    static VALUE event_##name(VALUE self)                                                          \
    {                                                                                              \
        return field(self, idx);                                                                   \
    }
READER(event_name, WAWEB_PL_EVENT_NAME)
READER(device_id, WAWEB_PL_DEVICE_ID)
READER(message_id, WAWEB_PL_MESSAGE_ID)
READER(chat, WAWEB_PL_CHAT)
READER(sender, WAWEB_PL_SENDER)
READER(sender_lid, WAWEB_PL_SENDER_LID)
READER(push_name, WAWEB_PL_PUSH_NAME)
READER(text, WAWEB_PL_TEXT)
READER(caption, WAWEB_PL_CAPTION)
READER(reply_to_id, WAWEB_PL_REPLY_TO_ID)
READER(media_path, WAWEB_PL_MEDIA_PATH)
READER(media_url, WAWEB_PL_MEDIA_URL)
READER(mime_type, WAWEB_PL_MIME_TYPE)
READER(filename, WAWEB_PL_FILENAME)
READER(contact_name, WAWEB_PL_CONTACT_NAME)
READER(contact_phone, WAWEB_PL_CONTACT_PHONE)
READER(vcard, WAWEB_PL_VCARD)
READER(location_name, WAWEB_PL_LOCATION_NAME)
READER(emoji, WAWEB_PL_EMOJI)
READER(target_id, WAWEB_PL_TARGET_ID)
READER(group_name, WAWEB_PL_GROUP_NAME)
READER(display_name, WAWEB_PL_DISPLAY_NAME)
READER(session_id, WAWEB_PL_SESSION_ID)
#undef READER

static VALUE list_ary(const waweb_pl_event_t *ev, const waweb_pl_list_t *l, int interned)
{
    VALUE ary = rb_ary_new_capa((long)l->len);
    for (size_t i = 0; i < l->len; i++)
        rb_ary_push(ary, span_str(ev, l->items[i], interned));
    return rb_ary_freeze(ary);
}

/* nil when the key was not sent (or was not an array), else a frozen Array */
static VALUE event_ids(VALUE self)
{
    event_t *e = get_event(self);
    if (!e->ids && e->ev.ids.present)
        RB_OBJ_WRITE(self, &e->ids, list_ary(&e->ev, &e->ev.ids, 0));
    return e->ids ? e->ids : Qnil;
}

static VALUE event_participants(VALUE self)
{
    event_t *e = get_event(self);
    if (!e->participants && e->ev.participants.present)
        RB_OBJ_WRITE(self, &e->participants, list_ary(&e->ev, &e->ev.participants, 1));
    return e->participants ? e->participants : Qnil;
}

static VALUE event_format(VALUE self)
{
    return sym_format[get_event(self)->ev.format];
}

static VALUE event_kind(VALUE self)
{
    return sym_kind[get_event(self)->ev.kind];
}

static VALUE event_receipt_type(VALUE self)
{
    return sym_receipt[get_event(self)->ev.receipt_type];
}

static VALUE event_group_action(VALUE self)
{
    return sym_group[get_event(self)->ev.group_action];
}

static VALUE event_timestamp(VALUE self)
{
    event_t *e = get_event(self);
    return e->ev.has_timestamp ? LL2NUM(e->ev.timestamp) : Qnil;
}

static VALUE event_from_me(VALUE self)
{
    int v = get_event(self)->ev.from_me;
    return v < 0 ? Qnil : (v ? Qtrue : Qfalse);
}

static VALUE event_latitude(VALUE self)
{
    event_t *e = get_event(self);
    return e->ev.has_latitude ? DBL2NUM(e->ev.latitude) : Qnil;
}

static VALUE event_longitude(VALUE self)
{
    event_t *e = get_event(self);
    return e->ev.has_longitude ? DBL2NUM(e->ev.longitude) : Qnil;
}

static VALUE sym(const char *name)
{
    return ID2SYM(rb_intern(name));
}

void waweb_init_payload(VALUE mod)
{
    VALUE mPayload = rb_define_module_under(mod, "Payload");
    cEvent = rb_define_class_under(mod, "Event", rb_cObject);
    rb_undef_alloc_func(cEvent);
    rb_undef_method(CLASS_OF(cEvent), "new");
    rb_gc_register_address(&cEvent);
    id_iv_offset = rb_intern("@offset");

    sym_format[WAWEB_PL_FORMAT_V7] = sym("v7");
    sym_format[WAWEB_PL_FORMAT_V8] = sym("v8");
    for (int k = 0; k < WAWEB_PL_KIND_COUNT; k++)
        sym_kind[k] = sym(waweb_pl_kind_name((waweb_pl_kind_t)k));
    sym_receipt[WAWEB_PL_RECEIPT_NONE] = Qnil;
    sym_receipt[WAWEB_PL_RECEIPT_DELIVERED] = sym("delivered");
    sym_receipt[WAWEB_PL_RECEIPT_READ] = sym("read");
    sym_receipt[WAWEB_PL_RECEIPT_READ_SELF] = sym("read_self");
    sym_group[WAWEB_PL_GROUP_NONE] = Qnil;
    sym_group[WAWEB_PL_GROUP_JOIN] = sym("join");
    sym_group[WAWEB_PL_GROUP_LEAVE] = sym("leave");
    sym_group[WAWEB_PL_GROUP_PROMOTE] = sym("promote");
    sym_group[WAWEB_PL_GROUP_DEMOTE] = sym("demote");

    rb_define_singleton_method(mPayload, "classify", payload_classify, 1);
    rb_define_singleton_method(mPayload, "max_bytes", payload_max_bytes, 0);
    rb_define_singleton_method(mPayload, "max_bytes=", payload_set_max_bytes, 1);
    rb_define_const(mPayload, "DEFAULT_MAX_BYTES", SIZET2NUM(DEFAULT_MAX_BYTES));
    rb_define_const(mPayload, "MAX_DEPTH", INT2FIX(WAWEB_PL_MAX_DEPTH));

    rb_define_method(cEvent, "format", event_format, 0);
    rb_define_method(cEvent, "kind", event_kind, 0);
    rb_define_method(cEvent, "event_name", event_event_name, 0);
    rb_define_method(cEvent, "device_id", event_device_id, 0);
    rb_define_method(cEvent, "message_id", event_message_id, 0);
    rb_define_method(cEvent, "chat", event_chat, 0);
    rb_define_method(cEvent, "sender", event_sender, 0);
    rb_define_method(cEvent, "sender_lid", event_sender_lid, 0);
    rb_define_method(cEvent, "push_name", event_push_name, 0);
    rb_define_method(cEvent, "text", event_text, 0);
    rb_define_method(cEvent, "caption", event_caption, 0);
    rb_define_method(cEvent, "timestamp", event_timestamp, 0);
    rb_define_method(cEvent, "from_me?", event_from_me, 0);
    rb_define_method(cEvent, "reply_to_id", event_reply_to_id, 0);
    rb_define_method(cEvent, "media_path", event_media_path, 0);
    rb_define_method(cEvent, "media_url", event_media_url, 0);
    rb_define_method(cEvent, "mime_type", event_mime_type, 0);
    rb_define_method(cEvent, "filename", event_filename, 0);
    rb_define_method(cEvent, "contact_name", event_contact_name, 0);
    rb_define_method(cEvent, "contact_phone", event_contact_phone, 0);
    rb_define_method(cEvent, "vcard", event_vcard, 0);
    rb_define_method(cEvent, "latitude", event_latitude, 0);
    rb_define_method(cEvent, "longitude", event_longitude, 0);
    rb_define_method(cEvent, "location_name", event_location_name, 0);
    rb_define_method(cEvent, "emoji", event_emoji, 0);
    rb_define_method(cEvent, "target_id", event_target_id, 0);
    rb_define_method(cEvent, "receipt_type", event_receipt_type, 0);
    rb_define_method(cEvent, "ids", event_ids, 0);
    rb_define_method(cEvent, "group_action", event_group_action, 0);
    rb_define_method(cEvent, "participants", event_participants, 0);
    rb_define_method(cEvent, "group_name", event_group_name, 0);
    rb_define_method(cEvent, "display_name", event_display_name, 0);
    rb_define_method(cEvent, "session_id", event_session_id, 0);
}

#include "waweb_native.h"

VALUE waweb_mWawebNative;
VALUE waweb_eError;
VALUE waweb_eInvalidJID;
VALUE waweb_eParseError;

RUBY_FUNC_EXPORTED void Init_waweb_native(void)
{
#ifdef HAVE_RB_EXT_RACTOR_SAFE
    rb_ext_ractor_safe(true);
#endif
    waweb_mWawebNative = rb_define_module("WawebNative");
    waweb_eError = rb_const_get(waweb_mWawebNative, rb_intern("Error"));
    waweb_eInvalidJID = rb_const_get(waweb_mWawebNative, rb_intern("InvalidJID"));
    waweb_eParseError = rb_const_get(waweb_mWawebNative, rb_intern("ParseError"));
    /* rb_gc_register_address, not rb_gc_register_mark_object: the latter is
     * deprecated on newer Rubies. */
    rb_gc_register_address(&waweb_eError);
    rb_gc_register_address(&waweb_eInvalidJID);
    rb_gc_register_address(&waweb_eParseError);

    waweb_init_jid(waweb_mWawebNative);
    waweb_init_signature(waweb_mWawebNative);
    waweb_init_payload(waweb_mWawebNative);
    waweb_init_multipart(waweb_mWawebNative);
    waweb_init_client(waweb_mWawebNative);
}

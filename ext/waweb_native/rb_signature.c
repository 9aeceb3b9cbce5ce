/* WawebNative::Signature: thin binding over signature.c. verify? allocates no Ruby
 * objects and never raises for a missing or malformed header. */
#include "waweb_native.h"
#include "signature.h"

/* Never includes the secret: messages may reach logs. */
NORETURN(static void raise_openssl(void));
static void raise_openssl(void)
{
    rb_raise(rb_eRuntimeError, "HMAC-SHA256 failed inside OpenSSL");
}

/* Signature.sign(secret, body) -> "sha256=<64 lowercase hex>" */
static VALUE sig_s_sign(VALUE mod, VALUE secret, VALUE body)
{
    char out[WAWEB_SIG_HEADER_LEN];
    if (NIL_P(secret)) {
        rb_raise(rb_eArgError, "webhook secret is nil");
    }
    StringValue(secret);
    StringValue(body);
    if (RSTRING_LEN(secret) == 0) {
        rb_raise(rb_eArgError, "webhook secret is empty");
    }
    int ok = waweb_sig_sign(RSTRING_PTR(secret), (size_t)RSTRING_LEN(secret), RSTRING_PTR(body),
                            (size_t)RSTRING_LEN(body), out);
    RB_GC_GUARD(secret);
    RB_GC_GUARD(body);
    if (!ok) {
        raise_openssl();
    }
    return rb_usascii_str_new(out, WAWEB_SIG_HEADER_LEN);
}

/* Signature.verify?(secret, body, header) -> true/false. A nil/empty secret or a
 * header that is not a String never verifies. */
static VALUE sig_s_verify_p(VALUE mod, VALUE secret, VALUE body, VALUE header)
{
    if (NIL_P(secret) || !RB_TYPE_P(header, T_STRING)) {
        return Qfalse;
    }
    StringValue(secret);
    StringValue(body);
    int ok = waweb_sig_verify(RSTRING_PTR(secret), (size_t)RSTRING_LEN(secret), RSTRING_PTR(body),
                              (size_t)RSTRING_LEN(body), RSTRING_PTR(header),
                              (size_t)RSTRING_LEN(header));
    RB_GC_GUARD(secret);
    RB_GC_GUARD(body);
    RB_GC_GUARD(header);
    return ok ? Qtrue : Qfalse;
}

/* Signature.secure_compare(a, b) -> true/false; nil never equals anything. */
static VALUE sig_s_secure_compare(VALUE mod, VALUE a, VALUE b)
{
    if (NIL_P(a) || NIL_P(b)) {
        return Qfalse;
    }
    StringValue(a);
    StringValue(b);
    int eq = waweb_sig_secure_compare(RSTRING_PTR(a), (size_t)RSTRING_LEN(a), RSTRING_PTR(b),
                                      (size_t)RSTRING_LEN(b));
    RB_GC_GUARD(a);
    RB_GC_GUARD(b);
    return eq ? Qtrue : Qfalse;
}

void waweb_init_signature(VALUE mod)
{
    VALUE mSignature = rb_define_module_under(mod, "Signature");
    rb_define_const(mSignature, "PREFIX", rb_obj_freeze(rb_usascii_str_new_cstr(WAWEB_SIG_PREFIX)));
    rb_define_module_function(mSignature, "sign", sig_s_sign, 2);
    rb_define_module_function(mSignature, "verify?", sig_s_verify_p, 3);
    rb_define_module_function(mSignature, "secure_compare", sig_s_secure_compare, 2);
}

/* Shared declarations for the Ruby bindings. The C cores (jid.c, signature.c,
 * payload.c, multipart.c, client.c) never include this file: they know no Ruby. */
#ifndef WAWEB_NATIVE_H
#define WAWEB_NATIVE_H

#include <ruby.h>
#include <ruby/encoding.h>

#ifndef RUBY_TYPED_FROZEN_SHAREABLE
#define RUBY_TYPED_FROZEN_SHAREABLE 0
#endif

extern VALUE waweb_mWawebNative;

/* Error classes, defined in lib/waweb_native/errors.rb before the extension loads. */
extern VALUE waweb_eError;
extern VALUE waweb_eInvalidJID;
extern VALUE waweb_eParseError;

/* One initialiser per concern, each in its rb_<concern>.c binding. */
void waweb_init_jid(VALUE mod);
void waweb_init_signature(VALUE mod);
void waweb_init_payload(VALUE mod);
void waweb_init_multipart(VALUE mod);
void waweb_init_client(VALUE mod);

#endif

# frozen_string_literal: true

require "mkmf"

# Each library is looked up with pkg-config first, then by header and symbol; a miss
# stops the build with the Debian package that provides it.
def require_library(pkg, lib, header, func, debian)
  return if pkg_config(pkg) && have_header(header)
  return if have_header(header) && have_library(lib, func)

  abort <<~MSG
    waweb_native needs #{pkg} (#{header}) and could not find it.
    On Debian or Ubuntu: apt-get install #{debian}
  MSG
end

require_library("libcurl", "curl", "curl/curl.h", "curl_easy_init", "libcurl4-openssl-dev")
require_library("libcrypto", "crypto", "openssl/hmac.h", "HMAC", "libssl-dev")
require_library("yajl", "yajl", "yajl/yajl_parse.h", "yajl_alloc", "libyajl-dev")

# Version-specific Ruby API is probed, never assumed (3.1 lacks some TypedData flags).
have_const("RUBY_TYPED_FROZEN_SHAREABLE", "ruby.h")
have_func("rb_gc_mark_movable", "ruby.h")
have_func("rb_ext_ractor_safe", "ruby.h")
have_func("curl_multi_wakeup", "curl/curl.h")

$CFLAGS << " -std=c99 -fvisibility=hidden -Wall -Wextra -Wno-unused-parameter"
$CFLAGS << " -Werror" if ENV["WAWEB_PEDANTIC"] == "1"
$CFLAGS << (ENV["WAWEB_DEBUG"] == "1" ? " -O0 -g3 -DWAWEB_DEBUG=1" : " -DNDEBUG")
if ENV["WAWEB_ASAN"] == "1"
  $CFLAGS << " -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
  $LDFLAGS << " -fsanitize=address,undefined"
end

create_makefile("waweb_native/waweb_native")

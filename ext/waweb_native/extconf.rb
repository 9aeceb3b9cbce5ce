# frozen_string_literal: true

require "mkmf"

# Each library is looked up with pkg-config first, then by header and symbol; a miss
# stops the build with the package that provides it. Nothing here assumes glibc: the
# cores also build against musl (Alpine, the official Chatwoot image).
PACKAGES = {
  "libcurl" => { debian: "libcurl4-openssl-dev", alpine: "curl-dev" },
  "libcrypto" => { debian: "libssl-dev", alpine: "openssl-dev" },
  "yajl" => { debian: "libyajl-dev", alpine: "yajl-dev" }
}.freeze

def require_library(pkg, lib, header, func)
  return if pkg_config(pkg) && have_header(header)
  return if have_header(header) && have_library(lib, func)

  abort <<~MSG
    waweb_native needs #{pkg} (#{header}) and could not find it.
    On Debian or Ubuntu: apt-get install #{PACKAGES.fetch(pkg)[:debian]}
    On Alpine: apk add #{PACKAGES.fetch(pkg)[:alpine]}
  MSG
end

require_library("libcurl", "curl", "curl/curl.h", "curl_easy_init")
require_library("libcrypto", "crypto", "openssl/hmac.h", "HMAC")
require_library("yajl", "yajl", "yajl/yajl_parse.h", "yajl_alloc")

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

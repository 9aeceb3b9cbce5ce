# frozen_string_literal: true

# The official Chatwoot image is Alpine (musl). Without Docker here, this checks what can be
# checked on Debian: each Ruby-free C core compiles against musl's own headers (which hide
# POSIX names glibc's headers show), with the flags extconf.rb uses and warnings as errors.
# The bindings (rb_*.c, waweb_native.c) include ruby.h, whose config.h sets the feature macros on any libc.
namespace :compat do
  desc "Compile the Ruby-free C cores against musl's headers (needs musl-tools: apt-get install musl-tools)"
  task :musl do
    abort "musl-gcc not found: apt-get install musl-tools" unless system("command -v musl-gcc >/dev/null")
    multiarch = "/usr/include/#{`gcc -print-multiarch`.strip}"
    cores = Dir[File.expand_path("../ext/waweb_native/*.c", __dir__)]
            .reject { |f| File.read(f).match?(%r{#include [<"](ruby[./]|waweb_native\.h)}) }
    cores.each do |core|
      # Third-party headers (curl, yajl, OpenSSL) come after musl's, so libc's are musl's.
      ok = system("musl-gcc", "-std=c99", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Werror", "-fsyntax-only",
                  "-idirafter", "/usr/include", "-idirafter", multiarch, core)
      abort "compat:musl: #{File.basename(core)} does not compile against musl" unless ok
      puts "musl ok: #{File.basename(core)}"
    end
  end
end

# frozen_string_literal: true

require "rbconfig"
require "shellwords"

module WawebNative
  # Loads the C extension, lib/waweb_native/waweb_native.<so>. `gem install` and Bundler's
  # git: sources compile it on install; Bundler never compiles a path: gem (nor is a fresh
  # checkout compiled), so a missing or unloadable build raises a LoadError that says the
  # exact command to build it.
  module NativeExtension
    ROOT = File.expand_path("../..", __dir__)
    BINARY = File.join(__dir__, "waweb_native.#{RbConfig::CONFIG['DLEXT']}")
    HEADERS = "the headers of libcurl, OpenSSL and yajl (Debian: apt-get install build-essential pkg-config " \
              "libcurl4-openssl-dev libssl-dev libyajl-dev; Alpine: apk add build-base pkgconf curl-dev " \
              "openssl-dev yajl-dev)"

    module_function

    def load!
      require_relative "waweb_native"
    rescue LoadError => e
      raise LoadError, explanation(e)
    end

    # Out of the source tree (tmp/ is ignored by git), with the Ruby running now: the
    # extension must be built for this Ruby's ABI.
    def build_command
      build = File.join(ROOT, "tmp", "build-#{RbConfig::CONFIG['arch']}-#{RbConfig::CONFIG['ruby_version']}")
      build, ruby, extconf, lib = [build, RbConfig.ruby, File.join(ROOT, "ext/waweb_native/extconf.rb"), __dir__]
                                  .map(&:shellescape)
      "mkdir -p #{build} && cd #{build} && #{ruby} #{extconf} && make && " \
        "cp waweb_native.#{RbConfig::CONFIG['DLEXT']} #{lib}/"
    end

    def explanation(error)
      what = if File.exist?(BINARY)
               "waweb_native's C extension #{BINARY} could not be loaded (#{error.message}): rebuild it"
             else
               "waweb_native's C extension is not compiled in #{__dir__}. Bundler does not compile the " \
                 "extension of a gem from `path:` (a git: source or `gem install` does); build it once"
             end
      "#{what} with the Ruby that runs your app:\n  #{build_command}\n" \
        "It needs a C compiler, make and #{HEADERS}."
    end
  end
end

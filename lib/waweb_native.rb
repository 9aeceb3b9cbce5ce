# frozen_string_literal: true

require_relative "waweb_native/version"
require_relative "waweb_native/logging"
require_relative "waweb_native/errors"
require_relative "waweb_native/gateway/errors"
require_relative "waweb_native/gateway/response"
require_relative "waweb_native/native_extension"
WawebNative::NativeExtension.load! # the C extension: lib/waweb_native/waweb_native.so
require_relative "waweb_native/payload"
require_relative "waweb_native/event"
require_relative "waweb_native/gateway/client"

# WhatsApp Web for Chatwoot: the C primitives and their thin Ruby API.
module WawebNative
end

require_relative "waweb_native/engine" if defined?(Rails::Engine)

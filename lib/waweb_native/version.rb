# frozen_string_literal: true

module WawebNative
  VERSION = "0.1.0"
end

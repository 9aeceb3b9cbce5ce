# frozen_string_literal: true

module WawebNative
  class Engine < ::Rails::Engine
  end
end

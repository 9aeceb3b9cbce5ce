# frozen_string_literal: true

module WawebNative
  # The host's logger (Rails.logger) where there is one; nil in a Ruby process without
  # Rails, where the gem's lines are dropped (callers write `logger&.warn`).
  def self.logger = defined?(::Rails) && ::Rails.respond_to?(:logger) ? ::Rails.logger : nil
end

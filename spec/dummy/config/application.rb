# frozen_string_literal: true

require_relative "boot"

require "rails"
require "active_record/railtie"
require "active_storage/engine"
require "active_job/railtie"
require "action_controller/railtie"
require "sidekiq"
require "sidekiq/rails"
require "waweb_native"
# spec_helper may have required the gem before Rails existed, which skips its engine.
require "waweb_native/engine"

# A Chatwoot-shaped host: only the tables, models and services chatwoot-contract.md lists.
module Dummy
  class Application < Rails::Application
    config.load_defaults 7.1
    config.root = File.expand_path("..", __dir__)
    config.api_only = true
    config.eager_load = false
    config.time_zone = "UTC"
    config.active_job.queue_adapter = :sidekiq
    config.active_storage.service = :local
    config.logger = ActiveSupport::Logger.new(File.join(config.root, "log", "#{Rails.env}.log"))
    config.log_level = :info
    config.hosts.clear
    config.secret_key_base = "dummy-host-secret-key-base-not-secret-only-for-the-test-host"
  end
end

# frozen_string_literal: true

# For the demo: `bundle exec rackup spec/dummy/config.ru` and a Sidekiq process on the same Redis.
Rails.application.configure do
  config.enable_reloading = false
  config.eager_load = false
  config.cache_store = :memory_store
  config.log_level = :info
  config.logger = ActiveSupport::Logger.new($stdout)
  config.active_support.deprecation = :log
end

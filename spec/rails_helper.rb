# frozen_string_literal: true

# For specs that need the Chatwoot-shaped host (spec/dummy): `require "rails_helper"`.
# PostgreSQL when DATABASE_URL is set, else SQLite; Redis from REDIS_URL (required).
ENV["RAILS_ENV"] = "test"

require "spec_helper"
require_relative "dummy/config/environment"
require "rack/test"
require "net/http"
require "sidekiq/api"
require "sidekiq/processor"
require "sidekiq/fetch"

module HostDatabase
  INTERNAL_TABLES = %w[schema_migrations ar_internal_metadata].freeze

  module_function

  # The gem's own migrations (if it ships any), applied on top of Chatwoot's tables.
  GEM_MIGRATIONS = File.expand_path("../lib/waweb_native/db/migrate", __dir__) # the engine's db/migrate

  # The host's schema, (re)loaded once per run into the test database, then the gem's migrations.
  def load_schema!
    return if @loaded

    ActiveRecord::Migration.verbose = false
    ActiveRecord::Schema.verbose = false
    load File.expand_path("dummy/db/schema.rb", __dir__)
    run_gem_migrations!
    @loaded = true
  end

  def run_gem_migrations!
    return unless Dir.exist?(GEM_MIGRATIONS)

    # The tables were just recreated: forget earlier runs so every gem migration applies again.
    ActiveRecord::Base.connection.execute("DELETE FROM schema_migrations")
    ActiveRecord::MigrationContext.new([GEM_MIGRATIONS]).migrate
  end

  # Empties every table, for examples whose records were committed (:truncation).
  def truncate_all!
    conn = ActiveRecord::Base.connection
    tables = conn.tables - INTERNAL_TABLES
    if conn.adapter_name.match?(/postg/i)
      conn.execute("TRUNCATE #{tables.map { |t| conn.quote_table_name(t) }.join(', ')} RESTART IDENTITY CASCADE")
    else
      conn.disable_referential_integrity { tables.each { |t| conn.delete("DELETE FROM #{conn.quote_table_name(t)}") } }
    end
  end

  def postgresql?
    ActiveRecord::Base.connection.adapter_name.match?(/postg/i)
  end
end

# Requests against the host app from the spec thread (Rack::Test), e.g. `post "/webhooks/...", body, headers`.
module HostRequestHelper
  include Rack::Test::Methods

  def app
    Rails.application
  end
end

HostDatabase.load_schema!
# Inboxes the specs create configure no gateway by themselves (a job talking to the shared
# fake gateway); the specs of that feature switch it on.
WawebNative::Operators::GatewayConfiguration.automatic = false
Sidekiq.default_configuration.logger = Rails.logger

RSpec.configure do |config|
  config.include HostFactories
  config.include SidekiqHostHelper
  config.include HostRequestHelper
  config.include HostServerHelper

  # Default: each example runs in a transaction rolled back afterwards (non-joinable, so
  # after_commit callbacks still fire, as in Rails' transactional tests). Examples tagged
  # :truncation commit for real (Puma, Sidekiq worker threads) and get every table emptied after.
  config.around do |example|
    Sidekiq.redis { |r| r.call("FLUSHDB") }
    if example.metadata[:truncation]
      begin
        example.run
      ensure
        HostDatabase.truncate_all!
      end
    else
      conn = ActiveRecord::Base.connection
      conn.begin_transaction(joinable: false, _lazy: false)
      conn.pool.lock_thread = true
      begin
        example.run
      ensure
        conn.rollback_transaction while conn.transaction_open?
        conn.pool.lock_thread = false
      end
    end
  end
end

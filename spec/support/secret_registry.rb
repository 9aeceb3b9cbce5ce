# frozen_string_literal: true

require "set"

# Every Basic Auth password and webhook secret the run used, from where they enter the
# gem: channels (saved or loaded), gateway clients (wrong passwords included, even set with
# update_columns) and fake gateways. After the suite, none may appear in what was logged:
# LogCapture's buffer plus whatever was appended to spec/dummy/log/*.log (which also
# catches child processes such as bin/demo). Secrets shorter than MIN_LENGTH ("nope",
# "p") are too short to search for without false alarms and are left out.
module SecretRegistry
  MIN_LENGTH = 8
  LOG_DIR = File.expand_path("../dummy/log", __dir__)
  CONFIG_KEYS = %w[basic_auth_password webhook_verify_token].freeze

  @secrets = Set.new
  @lock = Mutex.new
  @log_offsets = {}

  class << self
    def add(value)
      value = value.to_s
      return if value.length < MIN_LENGTH

      @lock.synchronize { @secrets << value.dup.freeze }
    end

    def add_config(config)
      return unless config.respond_to?(:[])

      CONFIG_KEYS.each { |key| add(config[key]) }
    end

    def include?(value) = @lock.synchronize { @secrets.include?(value.to_s) }
    def all = @lock.synchronize { @secrets.to_a }

    # The registered secrets found in `text`.
    def leaks(text)
      bytes = text.to_s.b
      all.select { |secret| bytes.include?(secret.b) }
    end

    # Channel::Whatsapp is the host's model: hooked once Rails is loaded (rails_helper).
    def watch_channels!
      return if @watching || !defined?(::Rails.application) || ::Rails.application.nil?

      ::Channel::Whatsapp.after_initialize { SecretRegistry.add_config(provider_config) }
      ::Channel::Whatsapp.after_save { SecretRegistry.add_config(provider_config) }
      @watching = true
    end

    def mark_logs!
      @log_offsets = Dir[File.join(LOG_DIR, "*.log")].to_h { |path| [path, File.size(path)] }
    end

    # What the log files gained since mark_logs!.
    def appended_logs
      Dir[File.join(LOG_DIR, "*.log")].sum("") do |path|
        File.open(path, "rb") do |file|
          file.seek(@log_offsets.fetch(path, 0))
          file.read
        end
      end
    end

    # Everything logged during the run, and the secrets found in it.
    def check_run
      leaks(LogCapture.text + appended_logs.b)
    end
  end

  # Observes the credentials handed to the gem's gateway client (the object is unchanged).
  module ClientTap
    def initialize(password:, **rest)
      SecretRegistry.add(password)
      super
    end
  end

  module FakeGatewayTap
    def initialize(**options)
      super
      SecretRegistry.add(password)
    end
  end
end

FakeGateway.prepend(SecretRegistry::FakeGatewayTap)
WawebNative::Gateway::Client.prepend(SecretRegistry::ClientTap)

RSpec.configure do |config|
  config.before(:suite) do
    SecretRegistry.mark_logs!
    SecretRegistry.watch_channels!
  end

  # Fails the run (RSpec reports an error in an after(:suite) hook and exits non-zero).
  config.after(:suite) do
    found = SecretRegistry.check_run
    unless found.empty?
      masked = found.map { |s| "#{s[0, 2]}...(#{s.length} chars)" }
      raise "secrets found in the run's log output: #{masked.join(', ')}"
    end
  end
end

# frozen_string_literal: true

# Shared by the host benches (webhook_endpoint, end_to_end, load): boots spec/dummy on
# PostgreSQL, serves it with Puma in a child process, runs Sidekiq as a child process,
# and speaks keep-alive HTTP/1.1 over loopback. Not a *_bench.rb file: `rake bench`
# runs only those.
require_relative "bench_helper"
require "json"
require "socket"
require "openssl"
require "securerandom"

abort "bench needs DATABASE_URL and REDIS_URL: eval \"$(bin/services)\"" unless ENV["DATABASE_URL"] && ENV["REDIS_URL"]
ENV["RAILS_ENV"] = "test"
require_relative "../spec/dummy/config/environment"
require "puma"
require "puma/server"
require "sidekiq/api"

module HostBench
  ROOT = File.expand_path("..", __dir__)

  # HostBench::Connection, also loaded on its own by bench/load/client.rb (no Rails there).
  require_relative "load/connection"
  require_relative "host_puma"
  require_relative "host_processes"

  module_function

  def prepare_database
    conn = ActiveRecord::Base.connection
    unless conn.table_exists?(:channel_whatsapp)
      ActiveRecord::Schema.verbose = false
      load File.join(ROOT, "spec/dummy/db/schema.rb")
    end
    ActiveRecord::Migration.verbose = false
    ActiveRecord::MigrationContext.new(WawebNative::Engine.paths["db/migrate"].existent).migrate
  end

  # A whatsapp_web channel saved without asking a gateway (none runs here).
  def create_inbox(secret, name: "bench")
    account = Account.create!(name: name)
    channel = Channel::Whatsapp.new(account: account, provider: "whatsapp_web",
                                    phone_number: "+62896#{format('%08d', rand(100_000_000))}",
                                    # device_id: the bodies below name DEVICE, which must be this inbox's
                                    provider_config: { "webhook_verify_token" => secret, "device_id" => DEVICE,
                                                       "api_base_url" => "http://127.0.0.1:9" })
    channel.save!(validate: false)
    Inbox.create!(account: account, channel: channel, name: name)
  end

  DEVICE = "6289600000001@s.whatsapp.net"

  # A text message in the gateway's v8 envelope; pad: grow the text to about that many bytes.
  def text_body(id, sender:, text: "hello", from_me: false, pad: nil)
    chat = "#{sender}@s.whatsapp.net"
    payload = { "body" => text, "chat_id" => chat, "from" => from_me ? DEVICE : chat,
                "from_name" => "Customer #{sender[-4..]}", "id" => id, "is_from_me" => from_me,
                "timestamp" => "2026-08-01T10:00:00Z" }
    if pad
      shell = JSON.generate({ "device_id" => DEVICE, "event" => "message", "payload" => payload })
      payload["body"] = "#{text} #{'lorem ipsum ' * ((pad - shell.bytesize) / 12)}"
    end
    JSON.generate({ "device_id" => DEVICE, "event" => "message", "payload" => payload })
  end

  # A delivery or read receipt (message.ack) for ids in one chat.
  def receipt_body(ids, sender:, type:)
    chat = "#{sender}@s.whatsapp.net"
    JSON.generate({ "device_id" => DEVICE, "event" => "message.ack",
                    "payload" => { "chat_id" => chat, "from" => chat, "ids" => ids, "receipt_type" => type },
                    "timestamp" => "2026-08-01T10:06:00Z" })
  end

  def now
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  def wait_until(timeout, interval: 0.01)
    deadline = now + timeout
    until yield
      raise "timed out after #{timeout}s" if now > deadline

      sleep interval
    end
  end

  def post(http, path, body, secret)
    status = http.post(path, body, "Content-Type" => "application/json",
                                   "X-Hub-Signature-256" => WawebNative::Signature.sign(secret, body))
    raise "#{path}: HTTP #{status}" unless status == "200"
  end

  # POSTs every body, signed, to the inbox's webhook, then waits (at most timeout s) for
  # the inbox to hold as many messages. Returns [seconds until the last POST was answered,
  # seconds until the last row].
  def deliver_all(http, inbox, bodies, timeout:)
    path = "/webhooks/whatsapp_web/#{inbox.channel.phone_number}"
    secret = inbox.channel.provider_config["webhook_verify_token"]
    scope = Message.where(inbox_id: inbox.id)
    started = now
    bodies.each { |body| post(http, path, body, secret) }
    posted = now - started
    wait_until(timeout, interval: 0.05) { scope.count >= bodies.size }
    [posted, now - started]
  end

  def flush_redis
    Sidekiq.redis { |r| r.call("FLUSHDB") }
  end

  def load_average
    File.read("/proc/loadavg").split.first(3).join(" ")
  end
end

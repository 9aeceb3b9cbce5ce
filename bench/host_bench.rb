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

  # Puma serving the host app in a forked child; returns [pid, port]. All threads from
  # the start, as Rails' (and Chatwoot's) puma.rb sets them: Puma 6 with fewer spawned
  # threads than max never sheds a busy keep-alive connection, so connections beyond
  # the spawned threads wait unaccepted for as long as the others keep sending.
  # gc_report: a file the child writes its GC figures to (JSON) when it stops.
  def start_puma(threads: 4, gc_report: nil)
    reader, writer = IO.pipe
    ActiveRecord::Base.connection_pool.disconnect!
    pid = fork do
      reader.close
      size_pools(threads)
      report_gc(gc_report) if gc_report
      server = Puma::Server.new(Rails.application, nil, min_threads: threads, max_threads: threads,
                                                        log_writer: Puma::LogWriter.null)
      server.add_tcp_listener("127.0.0.1", 0)
      writer.puts(server.connected_ports.first)
      writer.close
      server.run.join
    end
    writer.close
    port = Integer(reader.gets)
    reader.close
    [pid, port]
  end

  # Sidekiq (the real server: fetcher, processors, retries) as a child process.
  # require: the file Sidekiq loads (defaults to the host's environment).
  def start_sidekiq(concurrency: 5, require: File.join(ROOT, "spec/dummy/config/environment.rb"), env: {})
    Process.spawn({ "RAILS_ENV" => "test" }.merge(env), "bundle", "exec", "sidekiq", "-r", require,
                  "-c", concurrency.to_s, "-q", "high", "-q", "default", "-q", "low",
                  "-q", "purgable",
                  chdir: ROOT, out: File::NULL, err: File::NULL)
  end

  def stop(pid)
    return unless pid

    Process.kill("TERM", pid)
    Process.wait(pid)
  rescue Errno::ESRCH, Errno::ECHILD
    nil
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

  def wait_for_sidekiq_process
    wait_until(90, interval: 0.1) { Sidekiq::ProcessSet.new.size.positive? }
  end

  def post(http, path, body, secret)
    status = http.post(path, body, "Content-Type" => "application/json",
                                   "X-Hub-Signature-256" => WawebNative::Signature.sign(secret, body))
    raise "#{path}: HTTP #{status}" unless status == "200"
  end

  def flush_redis
    Sidekiq.redis { |r| r.call("FLUSHDB") }
  end

  def load_average
    File.read("/proc/loadavg").split.first(3).join(" ")
  end
end

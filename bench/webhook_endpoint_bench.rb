# frozen_string_literal: true

# The webhook endpoint on Puma, against a plain-Ruby Rails controller doing the same job
# the common way (Channel lookup per request, OpenSSL::HMAC + secure compare, Rails JSON
# params, the same enqueue), measured in one run over keep-alive HTTP on loopback; then
# webhook POST to committed Message row with Puma + Sidekiq + PostgreSQL (messages/s).
# Needs PostgreSQL and Redis: eval "$(bin/services)" first (DATABASE_URL, REDIS_URL).
require_relative "bench_helper"
require "json"
require "socket"
require "openssl"
require "securerandom"

abort "bench needs DATABASE_URL and REDIS_URL: eval \"$(bin/services)\"" unless ENV["DATABASE_URL"] && ENV["REDIS_URL"]
ENV["RAILS_ENV"] = "test"
# Its own database next to the specs' one, so the rows it commits never meet a spec.
if ENV["DATABASE_URL"].start_with?("postgres")
  require "pg"
  require "uri"
  bench_url = URI(ENV.fetch("DATABASE_URL")).tap { |u| u.path = "/waweb_bench" }
  begin
    PG.connect(URI(ENV.fetch("DATABASE_URL")).tap { |u| u.path = "/postgres" }.to_s)
      .tap { |c| c.exec("CREATE DATABASE waweb_bench") }.close
  rescue PG::DuplicateDatabase
    nil
  end
  ENV["DATABASE_URL"] = bench_url.to_s
end
ENV["CONVERSATION_MESSAGE_PER_MINUTE_LIMIT"] = "1000000" # the end-to-end run writes one chat fast
require_relative "../spec/dummy/config/environment"
require "puma"
require "puma/server"
require "sidekiq/api"

module WebhookBench
  # The reference: what a Ruby-only gem would write with Rails' usual tools.
  class ReferenceWebhooksController < ActionController::API
    IGNORED = %w[chat_presence call.offer label.edit].freeze

    def create
      channel = Channel::Whatsapp.find_by(phone_number: params[:phone_number])
      return head(:not_found) unless channel&.provider == "whatsapp_web"
      return head(:unauthorized) unless signed?(channel)
      return head(:ok) if ignored?

      Webhooks::WhatsappWebEventsJob.perform_later(channel.id, request.raw_post)
      head :ok
    end

    private

    def signed?(channel)
      secret = channel.provider_config["webhook_verify_token"].to_s
      expected = "sha256=#{OpenSSL::HMAC.hexdigest('SHA256', secret, request.raw_post)}"
      given = request.headers["X-Hub-Signature-256"].to_s
      given.bytesize == expected.bytesize && OpenSSL.fixed_length_secure_compare(given, expected)
    end

    def ignored?
      event = params[:event].to_s
      IGNORED.include?(event) || event.start_with?("newsletter")
    end
  end

  module_function

  def prepare_database
    conn = ActiveRecord::Base.connection
    ActiveRecord::Migration.verbose = false
    ActiveRecord::Schema.verbose = false
    load File.expand_path("../spec/dummy/db/schema.rb", __dir__) unless conn.table_exists?(:channel_whatsapp)
    ActiveRecord::MigrationContext.new(WawebNative::Engine.paths["db/migrate"].existent).migrate
  end

  # A whatsapp_web channel saved without asking a gateway (none runs here).
  def create_inbox(secret)
    account = Account.create!(name: "bench")
    channel = Channel::Whatsapp.new(account: account, provider: "whatsapp_web",
                                    phone_number: "+62896#{format('%08d', rand(100_000_000))}",
                                    provider_config: { "webhook_verify_token" => secret,
                                                       "api_base_url" => "http://127.0.0.1:9" })
    channel.save!(validate: false)
    Inbox.create!(account: account, channel: channel, name: "bench")
  end

  # A text message of about 1 KB, shaped as the gateway's v8 envelope.
  def body(id, sender: "628123456789")
    payload = { "body" => "", "chat_id" => "#{sender}@s.whatsapp.net", "from" => "#{sender}@s.whatsapp.net",
                "from_lid" => "251500000001@lid", "from_name" => "John Doe", "id" => id, "is_from_me" => false,
                "timestamp" => "2026-08-01T10:00:00Z" }
    shell = JSON.generate({ "device_id" => "6289600000001@s.whatsapp.net", "event" => "message", "payload" => payload })
    payload["body"] = "lorem ipsum " * ((1024 - shell.bytesize) / 12)
    JSON.generate({ "device_id" => "6289600000001@s.whatsapp.net", "event" => "message", "payload" => payload })
  end

  # Puma serving the host app in a child process; returns [pid, port].
  def start_puma(threads: 4)
    reader, writer = IO.pipe
    pid = fork do
      reader.close
      server = Puma::Server.new(Rails.application, nil, min_threads: 1, max_threads: threads,
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

  def start_sidekiq
    env_file = File.expand_path("../spec/dummy/config/environment.rb", __dir__)
    Process.spawn({ "RAILS_ENV" => "test" }, "bundle", "exec", "sidekiq", "-r", env_file, "-c", "5",
                  "-q", "high", "-q", "default", "-q", "low", out: File::NULL, err: File::NULL)
  end

  def wait_until(timeout)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
    until yield
      raise "timed out" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

      sleep 0.01
    end
  end

  # A minimal keep-alive HTTP/1.1 client: one write per request and TCP_NODELAY, so the
  # figures are the server's (Net::HTTP's split writes stall on delayed ACKs on loopback).
  class Connection
    def initialize(port)
      @socket = TCPSocket.new("127.0.0.1", port)
      @socket.setsockopt(Socket::IPPROTO_TCP, Socket::TCP_NODELAY, 1)
    end

    def post(path, body, headers)
      head = "POST #{path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: #{body.bytesize}\r\n"
      headers.each { |name, value| head << "#{name}: #{value}\r\n" }
      @socket.write(head << "\r\n" << body)
      status_line = @socket.gets
      length = 0
      while (line = @socket.gets) != "\r\n"
        length = line.split(":", 2).last.to_i if line.downcase.start_with?("content-length:")
      end
      @socket.read(length) if length.positive?
      status_line.split[1]
    end

    def finish
      @socket.close
    end
  end

  def post(http, path, body, secret)
    status = http.post(path, body, "Content-Type" => "application/json",
                                   "X-Hub-Signature-256" => WawebNative::Signature.sign(secret, body))
    raise "#{path}: HTTP #{status}" unless status == "200"
  end

  def compare_interleaved(name, native:, reference:, rounds: 7, seconds: 0.7)
    pairs = Array.new(rounds) do
      [Bench.ops_per_second(seconds: seconds, &native), Bench.ops_per_second(seconds: seconds, &reference)]
    end
    c, r = pairs.transpose.map { |list| list.sort[list.size / 2] }
    per_round = pairs.map { |a, b| format("%<ratio>.1f", ratio: a / b) }.join(" ")
    puts format("%<name>-34s C %<c>10.0f req/s | Ruby %<r>10.0f req/s | %<ratio>5.2fx " \
                "(medians of %<rounds>d alternating rounds; per round: %<per_round>s)",
                name: name, c: c, r: r, ratio: c / r, rounds: rounds, per_round: per_round)
    c / r
  end

  def flush_redis
    Sidekiq.redis { |r| r.call("FLUSHDB") }
  end
end

WebhookBench.prepare_database
secret = SecureRandom.hex(16)
inbox = WebhookBench.create_inbox(secret)
phone = inbox.channel.phone_number
Rails.application.routes.disable_clear_and_finalize = true
Rails.application.routes.draw { post "bench/reference/:phone_number", to: "webhook_bench/reference_webhooks#create" }
WebhookBench.flush_redis

puma_pid, port = WebhookBench.start_puma
begin
  http = WebhookBench::Connection.new(port)
  body = WebhookBench.body("BENCH1")
  puts "webhook body: #{body.bytesize} bytes, Puma #{port}, #{ActiveRecord::Base.connection.adapter_name}"
  # Alternating rounds and medians: on a shared machine the load moves between rounds.
  ratio = WebhookBench.compare_interleaved(
    "signed 1 KB webhook, Puma (req/s)",
    native: -> { WebhookBench.post(http, "/webhooks/whatsapp_web/#{phone}", body, secret) },
    reference: -> { WebhookBench.post(http, "/bench/reference/#{phone}", body, secret) }
  )
  puts format("endpoint ratio: %.2fx (target >= 2x)", ratio)
  WebhookBench.flush_redis

  # End to end: POST -> queue -> Sidekiq -> committed Message row.
  sidekiq_pid = WebhookBench.start_sidekiq
  WebhookBench.wait_until(60) { Sidekiq::ProcessSet.new.size.positive? }
  count = Integer(ENV.fetch("WAWEB_BENCH_MESSAGES", "1000"))
  senders = Array.new(20) { |i| "62812#{format('%07d', i)}" }
  before = Message.where(inbox_id: inbox.id).count
  started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
  count.times do |i|
    WebhookBench.post(http, "/webhooks/whatsapp_web/#{phone}", WebhookBench.body("E2E#{i}", sender: senders[i % 20]),
                      secret)
  end
  posted = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
  WebhookBench.wait_until(300) { Message.where(inbox_id: inbox.id).count >= before + count }
  elapsed = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
  puts format("end to end: %d messages, webhook POST to committed Message row, Puma + Sidekiq(5 threads) + %s: " \
              "%.0f messages/s (all POSTs answered in %.2fs)",
              count, ActiveRecord::Base.connection.adapter_name, count / elapsed, posted)
ensure
  http&.finish
  Process.kill("TERM", sidekiq_pid) if sidekiq_pid
  Process.wait(sidekiq_pid) if sidekiq_pid
  Process.kill("TERM", puma_pid)
  Process.wait(puma_pid)
  WebhookBench.flush_redis
end

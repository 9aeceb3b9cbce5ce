# frozen_string_literal: true

# The webhook endpoint on Puma against a plain-Ruby Rails controller doing the same job
# the common way (Channel lookup per request, OpenSSL::HMAC + secure compare, Rails JSON
# params, the same enqueue), both mounted in the same app and measured in one run over
# keep-alive HTTP on loopback, alternating rounds.
# Needs PostgreSQL and Redis: eval "$(bin/services)" first (DATABASE_URL, REDIS_URL).
require_relative "host_bench"

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

    # Reads the event through Rails' JSON params parser, as a plain controller would.
    def ignored?
      event = params[:event].to_s
      IGNORED.include?(event) || event.start_with?("newsletter")
    end
  end

  module_function

  # n requests on one keep-alive connection; returns [seconds, latencies].
  def round(http, path, body, secret, count)
    latencies = Array.new(count)
    started = HostBench.now
    count.times do |i|
      t = HostBench.now
      HostBench.post(http, path, body, secret)
      latencies[i] = HostBench.now - t
    end
    [HostBench.now - started, latencies]
  end

  def summary(name, total, latencies)
    sorted = latencies.sort
    mean = sorted.sum / sorted.size
    printf("%<name>-28s %<rate>8.0f req/s  mean %<mean>6.2f ms  p50 %<p50>6.2f ms  p99 %<p99>6.2f ms\n",
           name: name, rate: sorted.size / total, mean: mean * 1000, p50: sorted[sorted.size / 2] * 1000,
           p99: sorted[(sorted.size * 0.99).floor] * 1000)
    sorted.size / total
  end
end

HostBench.prepare_database
secret = SecureRandom.hex(16)
inbox = HostBench.create_inbox(secret)
phone = inbox.channel.phone_number
Rails.application.routes.disable_clear_and_finalize = true
Rails.application.routes.draw { post "bench/reference/:phone_number", to: "webhook_bench/reference_webhooks#create" }
HostBench.flush_redis

rounds = Integer(ENV.fetch("WAWEB_BENCH_ROUNDS", "6"))
per_round = Integer(ENV.fetch("WAWEB_BENCH_REQUESTS", "300"))
puma_pid, port = HostBench.start_puma
begin
  http = HostBench::Connection.new(port)
  body = HostBench.text_body("BENCH1", sender: "628123456789", pad: 1024)
  paths = { gem: "/webhooks/whatsapp_web/#{phone}", reference: "/bench/reference/#{phone}" }
  puts "webhook body: #{body.bytesize} bytes, Puma 127.0.0.1:#{port} (4 threads), " \
       "#{ActiveRecord::Base.connection.adapter_name}, #{rounds} alternating rounds x #{per_round} requests each"
  paths.each_value { |path| WebhookBench.round(http, path, body, secret, 50) } # warm up both
  totals = { gem: 0.0, reference: 0.0 }
  latencies = { gem: [], reference: [] }
  rounds.times do |r|
    order = r.even? ? %i[gem reference] : %i[reference gem]
    order.each do |which|
      seconds, lat = WebhookBench.round(http, paths[which], body, secret, per_round)
      totals[which] += seconds
      latencies[which].concat(lat)
    end
    HostBench.flush_redis # keep the low queue from growing through the run
  end
  gem_rate = WebhookBench.summary("gem endpoint (Metal + C)", totals[:gem], latencies[:gem])
  ref_rate = WebhookBench.summary("plain Rails controller", totals[:reference], latencies[:reference])
  printf("endpoint ratio: %<ratio>.2fx (target >= 2x); load average %<load>s\n",
         ratio: gem_rate / ref_rate, load: HostBench.load_average)
ensure
  http&.finish
  HostBench.stop(puma_pid)
  HostBench.flush_redis
end

# frozen_string_literal: true

# The gateway client against the fake gateway, both in this run:
#  1. 200 sequential /send/message: mean latency vs HTTParty (a new connection per request,
#     the seed's way). Target >= 2x lower.
#  2. 8 threads vs 1 thread against a gateway answering after 20 ms. Target >= 5x throughput.
require_relative "bench_helper"
require_relative "../spec/support/fake_gateway"
require "httparty"

module GatewayClientBench
  module_function

  def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

  def mean_latency(count, &)
    5.times(&) # warm up
    started = now
    count.times(&)
    (now - started) / count
  end

  def throughput(threads, per_thread, &block)
    started = now
    Array.new(threads) { Thread.new { per_thread.times(&block) } }.each(&:join)
    threads * per_thread / (now - started)
  end

  def us(seconds) = one_decimal(seconds * 1e6)
  def one_decimal(value) = format("%.1f", value)

  def report(name, detail, ratio, target)
    puts "#{name.ljust(44)} #{detail} | #{format('%.2f', ratio)}x (target >= #{target}x)"
  end

  def sequential(gateway, client, body)
    auth = { username: gateway.username, password: gateway.password }
    native = mean_latency(200) { client.post_json("/send/message", body) }
    reference = mean_latency(200) do
      response = HTTParty.post("#{gateway.url}/send/message", body: JSON.generate(body), basic_auth: auth,
                                                              headers: { "Content-Type" => "application/json" })
      raise "HTTParty got #{response.code}" unless response.code == 200
    end
    report("200 sequential /send/message, mean latency",
           "C #{us(native)} us | HTTParty #{us(reference)} us", reference / native, 2)
  end

  def threaded(gateway, client, body)
    gateway.latency = 0.02
    one = throughput(1, 25) { client.post_json("/send/message", body) }
    eight = throughput(8, 25) { client.post_json("/send/message", body) }
    report("20 ms gateway, throughput",
           "8 threads #{one_decimal(eight)} req/s | 1 thread #{one_decimal(one)} req/s", eight / one, 5)
  ensure
    gateway.latency = 0
  end

  def run
    gateway = FakeGateway.start
    client = WawebNative::Gateway::Client.new(base_url: gateway.url, username: gateway.username,
                                              password: gateway.password)
    body = { phone: "6281234567890", message: "Hello from the benchmark" }
    sequential(gateway, client, body)
    threaded(gateway, client, body)
    puts "connections opened by the client: #{client.stats[:connects]} for #{client.stats[:requests]} requests"
  ensure
    gateway&.stop
  end
end

GatewayClientBench.run

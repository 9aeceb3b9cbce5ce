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

  def mean_latency(count)
    5.times { yield } # warm up
    started = now
    count.times { yield }
    (now - started) / count
  end

  def throughput(threads, per_thread, &block)
    started = now
    Array.new(threads) { Thread.new { per_thread.times(&block) } }.each(&:join)
    threads * per_thread / (now - started)
  end

  def run
    gateway = FakeGateway.start
    client = WawebNative::Gateway::Client.new(base_url: gateway.url, username: gateway.username,
                                              password: gateway.password)
    body = { phone: "6281234567890", message: "Hello from the benchmark" }
    auth = { username: gateway.username, password: gateway.password }

    native = mean_latency(200) { client.post_json("/send/message", body) }
    reference = mean_latency(200) do
      response = HTTParty.post("#{gateway.url}/send/message", body: JSON.generate(body), basic_auth: auth,
                                                               headers: { "Content-Type" => "application/json" })
      raise "HTTParty got #{response.code}" unless response.code == 200
    end
    ratio1 = reference / native
    printf("%-44s C %8.1f us | HTTParty %8.1f us | %6.2fx (target >= 2x)\n",
           "200 sequential /send/message, mean latency", native * 1e6, reference * 1e6, ratio1)

    gateway.latency = 0.02
    one = throughput(1, 25) { client.post_json("/send/message", body) }
    eight = throughput(8, 25) { client.post_json("/send/message", body) }
    ratio2 = eight / one
    printf("%-44s 8 threads %7.1f req/s | 1 thread %7.1f req/s | %6.2fx (target >= 5x)\n",
           "20 ms gateway, throughput", eight, one, ratio2)
    printf("connections opened by the client: %d for %d requests\n", client.stats[:connects], client.stats[:requests])
  ensure
    gateway&.stop
  end
end

GatewayClientBench.run

# frozen_string_literal: true

# The gateway client against the fake gateway, both in this run:
#  1. 200 sequential /send/message: mean latency vs HTTParty (a new connection per request,
#     the seed's way). Target >= 2x lower.
#  2. 8 threads vs 1 thread against a gateway answering after 20 ms. Target >= 5x throughput.
# The fake gateways run in a separate process, as the real gateway does: in-process
# they would compete with the clients for the GVL and blur what is measured.
require_relative "bench_helper"
require_relative "../spec/support/fake_gateway"
require "httparty"

module GatewayClientBench
  module_function

  def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

  def throughput(threads, per_thread, &block)
    started = now
    Array.new(threads) { Thread.new { per_thread.times(&block) } }.each(&:join)
    threads * per_thread / (now - started)
  end

  def us(seconds) = one_decimal(seconds * 1e6)
  def one_decimal(value) = format("%.1f", value)

  def report(name, detail, ratio, target = nil)
    puts "#{name.ljust(44)} #{detail} | #{format('%.2f', ratio)}x#{" (target >= #{target}x)" if target}"
  end

  # Calls alternate so a load spike on the shared machine hits both sides alike; the median is
  # printed too because on a loaded machine the mean is mostly scheduling tail.
  def sequential(gateway, body)
    client = client_for(gateway)
    native = proc { client.post_json("/send/message", body) }
    reference = httparty_call(gateway, body)
    [native, reference].each { |call| 3.times(&call) } # warm up
    c, r, c_cpu, r_cpu = Array.new(200) { timed(&native) + timed(&reference) }.transpose.values_at(0, 2, 1, 3)
    compare("200 sequential /send/message, mean latency", mean(c), mean(r), 2)
    compare("  same, median latency", median(c), median(r))
    compare("  same, client CPU per request", mean(c_cpu), mean(r_cpu))
    client
  end

  def compare(name, native, reference, target = nil)
    report(name, "C #{us(native)} us | HTTParty #{us(reference)} us", reference / native, target)
  end

  def httparty_call(gateway, body)
    auth = { username: gateway[:username], password: gateway[:password] }
    proc do
      response = HTTParty.post("#{gateway[:url]}/send/message", body: JSON.generate(body), basic_auth: auth,
                                                                headers: { "Content-Type" => "application/json" })
      raise "HTTParty got #{response.code}" unless response.code == 200
    end
  end

  # [wall seconds, this process's CPU seconds] (the gateway runs in another process)
  def timed
    wall = now
    cpu = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
    yield
    [now - wall, Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID) - cpu]
  end

  def mean(values) = values.sum / values.size
  def median(values) = values.sort[values.size / 2]

  def threaded(gateway, body)
    client = client_for(gateway)
    one = throughput(1, 25) { client.post_json("/send/message", body) }
    eight = throughput(8, 25) { client.post_json("/send/message", body) }
    report("20 ms gateway, throughput",
           "8 threads #{one_decimal(eight)} req/s | 1 thread #{one_decimal(one)} req/s", eight / one, 5)
    client
  end

  def client_for(gateway)
    WawebNative::Gateway::Client.new(base_url: gateway[:url], username: gateway[:username],
                                     password: gateway[:password])
  end

  GATEWAYS_SCRIPT = <<~RUBY.freeze
    require #{File.expand_path('../spec/support/fake_gateway', __dir__).dump}
    gateways = [FakeGateway.start, FakeGateway.start(latency: 0.02)]
    puts JSON.generate(gateways.map { |g| { url: g.url, username: g.username, password: g.password } })
    $stdout.flush
    $stdin.read # until the bench closes the pipe
  RUBY

  # A fast and a 20 ms fake gateway in a separate process (spawned, not forked, so neither side
  # pays copy-on-write faults); yields their coordinates.
  def with_gateways
    env = { "BUNDLE_GEMFILE" => File.expand_path("../Gemfile", __dir__) }
    IO.popen(env, [RbConfig.ruby, "-rbundler/setup", "-e", GATEWAYS_SCRIPT], "r+") do |io|
      yield(*JSON.parse(io.gets, symbolize_names: true))
    ensure
      io.close_write
    end
  end

  def run
    body = { phone: "6281234567890", message: "Hello from the benchmark" }
    with_gateways do |fast, slow|
      clients = [sequential(fast, body), threaded(slow, body)]
      connects = clients.sum { |c| c.stats[:connects] }
      puts "connections opened by the clients: #{connects} for #{clients.sum { |c| c.stats[:requests] }} requests"
    end
  end
end

GatewayClientBench.run

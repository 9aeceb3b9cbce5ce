# frozen_string_literal: true

# The load generator, run as its own process (no Rails, no gem): reads pre-signed
# requests (one JSON array [path, body, signature] per line), sends them over
# `concurrency` keep-alive connections on loopback, one thread each, and prints one JSON
# object: statuses, per-request ack latencies (seconds), wall time. A request whose
# connection breaks before an answer is sent again on a new connection, as the gateway
# retries (the endpoint is idempotent); those count in "resent".
# Usage: ruby bench/load/client.rb REQUESTS_FILE PORT CONCURRENCY
require "json"
require_relative "connection"

# One request; a broken connection is reopened and the request sent again (up to 3
# times, yielding each time). Returns the status, or "broken".
def send_request(http, request)
  path, body, signature = request
  headers = { "Content-Type" => "application/json", "X-Hub-Signature-256" => signature }
  attempts = 0
  begin
    http.post(path, body, headers)
  rescue EOFError, Errno::ECONNRESET, Errno::EPIPE
    http.finish
    attempts += 1
    yield
    retry if attempts < 3
    "broken"
  end
end

file, port, concurrency = ARGV
requests = File.readlines(file, chomp: true).map { |line| JSON.parse(line) }
port = Integer(port)
concurrency = Integer(concurrency)

latencies = Array.new(requests.size)
slow = [] # [connection, nth request on it, started at (s), seconds] of acks over 1 s
statuses = Array.new(requests.size)
next_index = -1
lock = Mutex.new
resent = 0
clock = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }

started = clock.call
threads = Array.new(concurrency) do |connection|
  Thread.new do
    http = HostBench::Connection.new(port)
    nth = 0
    loop do
      i = lock.synchronize { next_index += 1 }
      break if i >= requests.size

      t = clock.call
      statuses[i] = send_request(http, requests[i]) { lock.synchronize { resent += 1 } }
      latencies[i] = clock.call - t
      nth += 1
      lock.synchronize { slow << [connection, nth, t - started, latencies[i]] } if latencies[i] > 1.0
    end
    connects = http.connects
    http.finish
    connects
  end
end
connects = threads.sum(&:value)
elapsed = clock.call - started

puts JSON.generate({ "seconds" => elapsed, "latencies" => latencies, "statuses" => statuses.tally,
                     "resent" => resent, "connections" => connects, "slow" => slow })

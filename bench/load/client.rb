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

file, port, concurrency = ARGV
requests = File.readlines(file, chomp: true).map { |line| JSON.parse(line) }
port = Integer(port)
concurrency = Integer(concurrency)

latencies = Array.new(requests.size)
statuses = Array.new(requests.size)
next_index = -1
lock = Mutex.new
resent = 0
clock = -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) }

started = clock.call
threads = Array.new(concurrency) do
  Thread.new do
    http = HostBench::Connection.new(port)
    loop do
      i = lock.synchronize { next_index += 1 }
      break if i >= requests.size

      path, body, signature = requests[i]
      headers = { "Content-Type" => "application/json", "X-Hub-Signature-256" => signature }
      t = clock.call
      attempts = 0
      begin
        statuses[i] = http.post(path, body, headers)
      rescue EOFError, Errno::ECONNRESET, Errno::EPIPE
        http.finish
        attempts += 1
        lock.synchronize { resent += 1 }
        retry if attempts < 3
        statuses[i] = "broken"
      end
      latencies[i] = clock.call - t
    end
    connects = http.connects
    http.finish
    connects
  end
end
connects = threads.sum(&:value)
elapsed = clock.call - started

puts JSON.generate({ "seconds" => elapsed, "latencies" => latencies, "statuses" => statuses.tally,
                     "resent" => resent, "connections" => connects })

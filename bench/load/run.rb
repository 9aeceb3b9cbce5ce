# frozen_string_literal: true

# Load run (issue 6, item 4): WAWEB_LOAD_REQUESTS (10,000) signed webhooks at
# WAWEB_LOAD_CONCURRENCY (32) from a second process (bench/load/client.rb, keep-alive,
# loopback) into Puma + a Sidekiq process + PostgreSQL, 20% of them duplicate
# deliveries. Two waves, as a phone produces them: first the messages (incoming texts
# from many chats and texts typed on the phone, from_me), then, once Sidekiq has stored
# them, the receipts of the from_me texts, shuffled (some "read" before "delivered").
# Then it checks that exactly the expected messages exist, none lost or doubled, with
# read winning over delivered whatever the order. Bounded: every wait has a timeout.
# Usage: rake bench:load (starts the services), or eval "$(bin/services)"; ruby bench/load/run.rb
require_relative "../host_bench"
require "tempfile"
require "rbconfig"

module LoadBench
  DONE_KEY = "waweb:load:done"
  GATEWAY_GIVES_UP = 10.0 # seconds, the gateway's webhook timeout

  module_function

  def setting(name, default)
    Integer(ENV.fetch(name, default.to_s))
  end

  # [events, duplicates]: duplicates are copies of random events of the same wave,
  # share: duplicates / all deliveries of the wave.
  def with_duplicates(events, share, rng)
    extra = (events.size * share / (1 - share)).round
    copies = Array.new(extra) { events.sample(random: rng) }
    [(events + copies).shuffle(random: rng), extra]
  end

  # Runs the client process on these bodies; returns its JSON report.
  # target: { path:, secret:, port:, concurrency: }
  def deliver(bodies, target, timeout)
    file = Tempfile.new(["waweb-load", ".jsonl"])
    bodies.each do |body|
      file.puts(JSON.generate([target[:path], body, WawebNative::Signature.sign(target[:secret], body)]))
    end
    file.close
    out = Tempfile.new("waweb-load-out")
    pid = Process.spawn(RbConfig.ruby, File.join(__dir__, "client.rb"), file.path, target[:port].to_s,
                        target[:concurrency].to_s, out: out.path)
    run_client(pid, timeout)
    JSON.parse(File.read(out.path))
  ensure
    file&.unlink
    out&.unlink
  end

  # Waits for the client process; kills it when it overruns.
  def run_client(pid, timeout)
    status = nil
    HostBench.wait_until(timeout, interval: 0.05) { status = Process.wait2(pid, Process::WNOHANG)&.last }
    raise "load client failed (#{status})" unless status.success?
  ensure
    if status.nil?
      Process.kill("KILL", pid)
      Process.wait(pid)
    end
  end

  # A few signed presence events (verified, classified, not queued) on as many parallel
  # connections as Puma has threads, so the first wave's latencies do not include loading
  # the host's code, nor each thread's first request.
  def warm_up(port, path, secret, connections)
    presence = JSON.generate({ "device_id" => HostBench::DEVICE, "event" => "chat_presence",
                               "payload" => { "chat_id" => "628140000000@s.whatsapp.net", "state" => "composing" } })
    Array.new(connections) do
      Thread.new do
        http = HostBench::Connection.new(port)
        5.times { HostBench.post(http, path, presence, secret) }
      ensure
        http&.finish
      end
    end.each(&:join)
  end

  def done_count
    Sidekiq.redis { |r| r.call("GET", DONE_KEY) }.to_i
  end

  # Seconds until every queued job has finished (retries included), measured from now.
  def drain(expected_done, timeout)
    started = HostBench.now
    HostBench.wait_until(timeout, interval: 0.05) do
      waiting = Sidekiq::Queue.new(WawebNative::Inbound::EventsQueue.name).size + Sidekiq::RetrySet.new.size +
                Sidekiq::ScheduledSet.new.size
      done_count >= expected_done && waiting.zero?
    end
    HostBench.now - started
  end

  # The acks over 1 s: a first request on its connection waiting the whole wave is
  # Puma 6 not accepting new keep-alive connections while its threads are all busy.
  def print_slowest(report)
    slow = report["slow"].sort_by { |row| -row[3] }.first(8)
    return if slow.empty?

    rows = slow.map { |conn, nth, at, secs| "conn #{conn} req #{nth} sent at #{at.round(2)}s took #{secs.round(2)}s" }
    puts "  #{report['slow'].size} acks over 1 s; slowest: #{rows.join(', ')}"
  end

  def percentile(sorted, fraction)
    sorted[[(sorted.size * fraction).ceil - 1, 0].max]
  end
end

total = LoadBench.setting("WAWEB_LOAD_REQUESTS", 10_000)
concurrency = LoadBench.setting("WAWEB_LOAD_CONCURRENCY", 32)
chat_count = LoadBench.setting("WAWEB_LOAD_CHATS", 500)
# A Puma thread per gateway connection (see bench/load/README.md): with fewer, Puma 6
# closes busy keep-alive connections and leaves the reconnections unaccepted for seconds.
puma_threads = LoadBench.setting("WAWEB_LOAD_PUMA_THREADS", 32)
sidekiq_threads = LoadBench.setting("WAWEB_LOAD_SIDEKIQ_THREADS", 5)
drain_timeout = LoadBench.setting("WAWEB_LOAD_DRAIN_TIMEOUT", 900)
rng = Random.new(LoadBench.setting("WAWEB_LOAD_SEED", 6))
duplicate_share = 0.2

# Of the distinct events (80% of all deliveries): 5/16 incoming texts, 4/16 from_me texts,
# one "delivered" receipt per from_me text, "read" receipts for the rest (3/16).
unique = (total * (1 - duplicate_share)).round
incoming_n = unique * 5 / 16
from_me_n = unique / 4
read_n = unique - incoming_n - (2 * from_me_n)
raise "WAWEB_LOAD_REQUESTS too small" if read_n.negative? || read_n > from_me_n

HostBench.prepare_database
secret = SecureRandom.hex(16)
inbox = HostBench.create_inbox(secret, name: "load")
path = "/webhooks/whatsapp_web/#{inbox.channel.phone_number}"
run = SecureRandom.hex(3).upcase
chats = Array.new(chat_count) { |i| "62814#{format('%07d', i)}" }

incoming = Array.new(incoming_n) do |i|
  HostBench.text_body("IN#{run}#{i}", sender: chats[i % chat_count], text: "customer text #{i}")
end
from_me_ids = Array.new(from_me_n) { |i| "OUT#{run}#{i}" }
from_me_chat = from_me_ids.each_with_index.to_h { |id, i| [id, chats[(i * 7) % chat_count]] }
from_me = from_me_ids.map.with_index do |id, i|
  HostBench.text_body(id, sender: from_me_chat[id], text: "typed on the phone #{i}", from_me: true)
end
read_ids = from_me_ids.sample(read_n, random: rng)
receipts = from_me_ids.map { |id| [id, "delivered"] } + read_ids.map { |id| [id, "read"] }

wave1, dups1 = LoadBench.with_duplicates(incoming + from_me, duplicate_share, rng)
wave2_events, dups2 = LoadBench.with_duplicates(receipts, duplicate_share, rng)
first_position = {}
wave2_events.each_with_index { |(id, type), i| first_position[[id, type]] ||= i }
read_first = read_ids.count { |id| first_position[[id, "read"]] < first_position[[id, "delivered"]] }
wave2 = wave2_events.map { |id, type| HostBench.receipt_body([id], sender: from_me_chat[id], type: type) }

puts "load: #{wave1.size + wave2.size} signed webhooks (#{dups1 + dups2} duplicates) at concurrency #{concurrency}, " \
     "#{chat_count} chats; wave 1: #{incoming_n} incoming + #{from_me_n} from_me texts + #{dups1} duplicates; " \
     "wave 2: #{from_me_n} delivered + #{read_n} read receipts + #{dups2} duplicates, shuffled " \
     "(#{read_first} reads before their delivered)"
puts "Puma #{puma_threads} threads, Sidekiq #{sidekiq_threads} threads, " \
     "#{ActiveRecord::Base.connection.adapter_name}; load average before: #{HostBench.load_average}"

HostBench.flush_redis
gc_report = Tempfile.new("waweb-load-gc")
puma_pid, port = HostBench.start_puma(threads: puma_threads, gc_report: gc_report.path)
sidekiq_pid = HostBench.start_sidekiq(concurrency: sidekiq_threads, require: File.join(__dir__, "sidekiq_boot.rb"))
failures = []
begin
  HostBench.wait_for_sidekiq_process
  LoadBench.warm_up(port, path, secret, puma_threads)
  reports = []
  drains = []
  started = HostBench.now
  [wave1, wave2].each_with_index do |bodies, wave|
    report = LoadBench.deliver(bodies, { path: path, secret: secret, port: port, concurrency: concurrency },
                               drain_timeout)
    reports << report
    acked = reports.sum { |r| r["statuses"].fetch("200", 0) }
    drains << LoadBench.drain(acked, drain_timeout)
    printf("wave %d: %d requests in %.2fs (%.0f acks/s), statuses %s, resent %d, TCP connections %d; " \
           "Sidekiq drained %.2fs " \
           "after the last ack; load average %s\n",
           wave + 1, bodies.size, report["seconds"], bodies.size / report["seconds"], report["statuses"],
           report["resent"], report["connections"], drains.last, HostBench.load_average)
    LoadBench.print_slowest(report)
  end
  finished = HostBench.now - started

  latencies = reports.flat_map { |r| r["latencies"] }.sort
  ack_seconds = reports.sum { |r| r["seconds"] }
  statuses = reports.map { |r| r["statuses"] }.reduce { |a, b| a.merge(b) { |_, x, y| x + y } }
  late = latencies.count { |s| s > LoadBench::GATEWAY_GIVES_UP }
  printf("acks: %.0f/s over both waves, p50 %.1f ms, p99 %.1f ms, max %.1f ms, %d over the gateway's 10 s; " \
         "Sidekiq drain %.2fs + %.2fs; first POST to last job %.1fs\n",
         latencies.size / ack_seconds, LoadBench.percentile(latencies, 0.5) * 1000,
         LoadBench.percentile(latencies, 0.99) * 1000, latencies.last * 1000, late, drains[0], drains[1], finished)
  failures << "non-200 answers: #{statuses}" unless statuses.keys == ["200"]
  # Reported, not failed: the gateway retries those, and duplicates are what this run checks.
  puts "WARNING: #{late} acks slower than the gateway's 10 s (it would deliver them again)" if late.positive?

  # Exactly the expected rows: each id once, of the right type, final status read > delivered.
  rows = Message.where(inbox_id: inbox.id).where.not(source_id: nil).pluck(:source_id, :message_type, :status)
  by_id = rows.group_by(&:first)
  doubled = by_id.count { |_, list| list.size > 1 }
  expected_ids = Array.new(incoming_n) { |i| "IN#{run}#{i}" } + from_me_ids
  lost = expected_ids.count { |id| !by_id.key?(id) }
  extra = by_id.size - (by_id.keys & expected_ids).size
  wrong_type = by_id.count { |id, list| list.first[1] != (id.start_with?("IN") ? "incoming" : "outgoing") }
  read_set = read_ids.to_h { |id| [id, true] }
  wrong_status = from_me_ids.count do |id|
    by_id.key?(id) && by_id[id].first[2] != (read_set[id] ? "read" : "delivered")
  end
  final = from_me_ids.filter_map { |id| by_id[id]&.first&.at(2) }.tally
  conversations = Conversation.where(inbox_id: inbox.id).count
  dead = Sidekiq::DeadSet.new.size
  printf("verify: %d message rows (expected %d), lost %d, doubled %d, unexpected %d, wrong type %d; " \
         "from_me final statuses %s (expected read %d, delivered %d), wrong %d; %d conversations for %d chats; " \
         "dead jobs %d\n",
         rows.size, expected_ids.size, lost, doubled, extra, wrong_type, final, read_n, from_me_n - read_n,
         wrong_status, conversations, chat_count, dead)
  failures << "#{lost} messages lost" if lost.positive?
  failures << "#{doubled} messages doubled" if doubled.positive?
  failures << "#{extra} unexpected messages" if extra.positive?
  failures << "#{wrong_type} messages of the wrong type" if wrong_type.positive?
  failures << "#{wrong_status} wrong final statuses" if wrong_status.positive?
  failures << "#{conversations} conversations for #{chat_count} chats" if conversations != chat_count
  failures << "#{dead} dead jobs" if dead.positive?
ensure
  HostBench.stop(sidekiq_pid)
  HostBench.stop(puma_pid)
  HostBench.flush_redis
  # Puma's collections during the run (warm-up included): a major one stalls every thread.
  gc = File.size?(gc_report.path) && JSON.parse(File.read(gc_report.path))
  if gc
    puts "Puma GC: #{gc['minor_gc_count']} minor + #{gc['major_gc_count']} major collections " \
         "(major by #{gc['major_by'].join(', ')}), #{gc['time']} ms"
  end
  gc_report.close!
end

if failures.empty?
  puts "load: OK"
else
  puts "load: FAILED: #{failures.join('; ')}"
  exit 1
end

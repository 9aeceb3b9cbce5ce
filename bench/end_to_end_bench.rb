# frozen_string_literal: true

# End to end: signed webhook POST (Puma, keep-alive loopback) -> Redis -> Sidekiq (real
# server process, worker threads) -> committed Message row in PostgreSQL. N distinct
# texts over many chats (the host keeps Chatwoot's 200 messages/minute flood limit per
# conversation), messages/s from the first POST to the last committed row. There is no
# plain-Ruby twin for this one: issue 3 asks for the figure on this machine.
# Needs PostgreSQL and Redis: eval "$(bin/services)" first (DATABASE_URL, REDIS_URL).
require_relative "host_bench"

count = Integer(ENV.fetch("WAWEB_BENCH_MESSAGES", "1000"))
chats = Integer(ENV.fetch("WAWEB_BENCH_CHATS", "100"))
concurrency = Integer(ENV.fetch("WAWEB_BENCH_SIDEKIQ_THREADS", "5"))

HostBench.prepare_database
secret = SecureRandom.hex(16)
inbox = HostBench.create_inbox(secret, name: "e2e bench")
senders = Array.new(chats) { |i| "62813#{format('%07d', i)}" }
run = SecureRandom.hex(3).upcase
bodies = Array.new(count) do |i|
  HostBench.text_body("E2E#{run}#{i}", sender: senders[i % chats], text: "message #{i} of the end-to-end bench")
end
HostBench.flush_redis

HostBench.with_host(sidekiq_threads: concurrency) do |http|
  scope = Message.where(inbox_id: inbox.id)
  posted, elapsed = HostBench.deliver_all(http, inbox, bodies, timeout: 600)
  raise "expected #{count} messages, found #{scope.count}" unless scope.count == count

  printf("end to end: %d texts over %d chats, POST to committed Message row, Puma(4 threads) + " \
         "Sidekiq(%d threads) + %s: %.1f messages/s (%.2fs; POSTs all answered after %.2fs, %.0f req/s); " \
         "load average %s\n",
         count, chats, concurrency, ActiveRecord::Base.connection.adapter_name, count / elapsed, elapsed, posted,
         count / posted, HostBench.load_average)
end

# frozen_string_literal: true

# History import against live webhooks, same run, same messages: 10,000 texts over 200
# chats in the fake gateway's chat store (spec/support/fake_gateway) imported into
# PostgreSQL by WawebNative::History (as the job runs it: one runner, its chats on
# WAWEB_IMPORT_THREADS workers, default 6), next to the same
# 10,000 messages delivered as signed webhooks (Puma 4 threads + Sidekiq 5 threads, the
# end_to_end bench's path) into another inbox. messages/s for each, from the first
# request to the last committed row, and their ratio (target: import >= webhooks).
# Needs PostgreSQL and Redis: eval "$(bin/services)" first (DATABASE_URL, REDIS_URL).
require_relative "host_bench"
require_relative "../spec/support/fake_gateway"

count = Integer(ENV.fetch("WAWEB_BENCH_MESSAGES", "10000"))
chats = Integer(ENV.fetch("WAWEB_BENCH_CHATS", "200"))
concurrency = Integer(ENV.fetch("WAWEB_BENCH_SIDEKIQ_THREADS", "5"))

HostBench.prepare_database
gateway = FakeGateway.start
gateway.scan!("org_1", HostBench::DEVICE.split("@").first) # the device the inboxes name
run = SecureRandom.hex(3).upcase
senders = Array.new(chats) { |i| "62814#{format('%07d', i)}" }
now = Time.now.utc
rows = Array.new(count) do |i|
  sender = senders[i % chats]
  # Spread over the last six days, one chat's messages a minute apart.
  time = now - (((i % chats) * 2500) + 3600) + ((i / chats) * 60)
  { id: "HIST#{run}#{i}", chat: "#{sender}@s.whatsapp.net", sender: sender, time: time,
    text: "message #{i} of the history bench" }
end
rows.each { |r| gateway.store_message(r[:chat], id: r[:id], timestamp: r[:time], content: r[:text]) }

secret = SecureRandom.hex(16)
imported = HostBench.create_inbox(secret, name: "history bench")
imported.channel.update_columns(provider_config: imported.channel.provider_config.merge(
  "api_base_url" => gateway.url, "basic_auth_username" => gateway.username, "basic_auth_password" => gateway.password
))
imported.reload
live = HostBench.create_inbox(secret, name: "history bench (webhooks)")
bodies = rows.map do |r|
  HostBench.text_body(r[:id], sender: r[:sender], text: r[:text]).sub("2026-08-01T10:00:00Z", r[:time].iso8601)
end
HostBench.flush_redis

# 1. The import, in this process.
started = HostBench.now
WawebNative::History.run_now(imported, days: 7)
import_seconds = HostBench.now - started
status = WawebNative::History.status(imported)
made = Message.where(inbox_id: imported.id).count
raise "import made #{made} messages, expected #{count}: #{status}" unless made == count && status[:state] == "done"

# 2. The same messages as webhooks.
webhook_seconds = nil
begin
  HostBench.with_host(sidekiq_threads: concurrency) do |http|
    _, webhook_seconds = HostBench.deliver_all(http, live, bodies, timeout: 900)
  end
ensure
  gateway.stop
end

import_rate = count / import_seconds
webhook_rate = count / webhook_seconds
workers = ENV.fetch("WAWEB_IMPORT_THREADS", WawebNative::History::Importer::DEFAULT_THREADS.to_s)
printf("history import: %d texts over %d chats from the fake gateway's store into %s: %.1f messages/s (%.1fs, " \
       "%s workers)\n", count, chats, ActiveRecord::Base.connection.adapter_name, import_rate, import_seconds, workers)
printf("same messages as webhooks: Puma(4 threads) + Sidekiq(%d threads): %.1f messages/s (%.1fs)\n",
       concurrency, webhook_rate, webhook_seconds)
printf("import / webhooks: %.2fx (target >= 1.0); load average %s\n", import_rate / webhook_rate,
       HostBench.load_average)

# frozen_string_literal: true

# SQLite is bin/demo's database (Chatwoot runs PostgreSQL), and the demo's Sidekiq threads
# write side by side (webhooks, avatars, ActiveStorage's analysis). Two things in Rails 7.1's
# SQLite adapter turn that into "database is locked" after 5 s stalls; Rails 7.2/8 fixed both,
# and this host does the same:
# - deferred transactions deadlock (both read, then both want to write): begin IMMEDIATE, so
#   writers queue at BEGIN;
# - the busy timeout waits inside SQLite holding Ruby's GVL, so the thread that holds the lock
#   cannot run to release it: wait in Ruby instead (sleep releases the GVL).
module SQLiteConcurrentWriters
  def begin_db_transaction
    log("begin immediate transaction", "TRANSACTION") do
      with_raw_connection(allow_retry: true, materialize_transactions: false) do |conn|
        result = conn.transaction(:immediate)
        verified!
        result
      end
    end
  end

  private

  def configure_connection
    super
    timeout = self.class.type_cast_config_to_integer(@config[:timeout]).to_i
    return unless timeout.positive?

    deadline = nil
    @raw_connection.busy_handler do |count|
      now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      deadline = now + (timeout / 1000.0) if count.zero?
      next false if now > deadline

      sleep(0.001 * [count, 20].min)
      true
    end
  end
end

ActiveSupport.on_load(:active_record_sqlite3adapter) { prepend SQLiteConcurrentWriters }

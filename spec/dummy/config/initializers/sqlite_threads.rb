# frozen_string_literal: true

# SQLite (the demo host's database) shared by the threads of one process: Puma, Sidekiq's
# workers and the demo script. Two changes make a writer wait for another instead of failing
# (Rails 8 does both; Rails 7.1 with the sqlite3 1.x gem does neither):
# - sqlite3 1.x's busy_timeout sleeps in C holding the GVL, so a thread waiting for the write
#   lock freezes the whole process, the holder included: the holder cannot reach COMMIT and
#   the waiter fails after the full timeout ("database is locked" after 5 s). This busy
#   handler sleeps in Ruby, which lets the holder run and commit.
# - DEFERRED transactions that read before they write (with_lock, save with validations) fail
#   at once when another connection wrote meanwhile; IMMEDIATE ones take the write lock at
#   BEGIN and so wait in the busy handler instead.
module SqliteThreads
  def configure_connection
    super
    timeout = self.class.type_cast_config_to_integer(@config.fetch(:timeout, 5000)).to_i / 1000.0
    deadline = nil
    @raw_connection.busy_handler do |count|
      now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      deadline = now + timeout if count.zero?
      next false if now > deadline

      sleep(0.001)
      true
    end
  end

  def begin_db_transaction
    log("begin immediate transaction", "TRANSACTION") do
      with_raw_connection(allow_retry: true, materialize_transactions: false) do |conn|
        result = conn.transaction(:immediate)
        verified!
        result
      end
    end
  end
end

ActiveSupport.on_load(:active_record_sqlite3adapter) { prepend SqliteThreads }

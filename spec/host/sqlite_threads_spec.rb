# frozen_string_literal: true

require "rails_helper"
require "tmpdir"

module SqliteThreadsProbe
  # A connection to a scratch SQLite file through the host's adapter settings
  # (config/initializers/sqlite_threads.rb), as the demo host opens its database.
  class Base < ActiveRecord::Base
    self.abstract_class = true
  end
end

# The demo host runs Puma, Sidekiq's threads and its own script in one process on one SQLite
# file. A thread that must wait for another's write lock has to wait, not fail: before,
# "database is locked" after a 5 s freeze of the whole process failed jobs of bin/demo.
RSpec.describe "The test host on SQLite, written by several threads of one process" do
  around do |example|
    Dir.mktmpdir("waweb-sqlite") do |dir|
      SqliteThreadsProbe::Base.establish_connection(adapter: "sqlite3", database: File.join(dir, "probe.sqlite3"),
                                                    timeout: 5000, pool: 4)
      connection { |c| c.execute("CREATE TABLE t (x integer)") }
      example.run
    ensure
      SqliteThreadsProbe::Base.remove_connection
    end
  end

  def connection(&) = SqliteThreadsProbe::Base.connection_pool.with_connection(&)
  def rows = connection { |c| c.select_values("SELECT x FROM t ORDER BY rowid") }

  it "lets a writer wait for a transaction whose thread let go of the GVL, then write after its commit" do
    inside = Queue.new
    holder = Thread.new do
      connection do |c|
        c.transaction do
          c.execute("INSERT INTO t VALUES (1)")
          inside << true
          sleep 0.3 # what a job's thread does inside a transaction when it waits on I/O or loses its time slice
        end
      end
    end
    inside.pop
    expect { connection { |c| c.execute("INSERT INTO t VALUES (2)") } }.not_to raise_error
    holder.join
    expect(rows).to eq([1, 2])
  end

  it "lets a transaction that reads and then writes finish while another thread writes meanwhile" do
    read = Queue.new
    reader_error = nil
    reader = Thread.new do
      connection do |c|
        c.transaction do
          c.select_value("SELECT count(*) FROM t") # with_lock, or a save's validations, read first
          read << true
          sleep 0.3
          c.execute("INSERT INTO t VALUES (1)")
        end
      end
    rescue StandardError => e
      reader_error = e
    end
    read.pop
    connection { |c| c.execute("INSERT INTO t VALUES (2)") }
    reader.join
    expect(reader_error).to be_nil
    expect(rows).to eq([1, 2])
  end
end

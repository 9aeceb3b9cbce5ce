# frozen_string_literal: true

# Sizing and GC figures of the Puma child that HostBench.start_puma forks; loaded by
# host_bench.rb (not a *_bench.rb file).
module HostBench
  module_function

  # A database connection and a Redis connection (enqueueing) for every Puma thread: with
  # fewer, threads beyond the pool wait for one (Sidekiq's client pool is 10 by default and
  # times out after 1 s, which answers 503). The parent's pool was built before the fork.
  def size_pools(threads)
    db = ActiveRecord::Base.connection_db_config.configuration_hash
    ActiveRecord::Base.establish_connection(db.merge(pool: [threads, db[:pool].to_i].max))
    return if threads <= 10

    Sidekiq.default_configuration.instance_variable_set(:@redis, nil)
    Sidekiq.configure_client { |config| config.redis = { size: threads } }
  end

  # Writes the child's collections since now (JSON) to `path` when it exits.
  def report_gc(path)
    before = GC.stat
    at_exit do
      File.write(path, JSON.generate(%i[count major_gc_count minor_gc_count time].to_h do |key|
        [key, GC.stat(key) - before[key].to_i]
      end))
    end
  end
end

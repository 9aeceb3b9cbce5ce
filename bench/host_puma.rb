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

  # Writes the child's collections since now (JSON) to `path` when it exits, with what
  # triggered each major one (GC.latest_gc_info, polled every 20 ms).
  def report_gc(path)
    before = GC.stat
    majors = []
    Thread.new do
      seen = GC.stat(:major_gc_count)
      loop do
        sleep 0.02
        count = GC.stat(:major_gc_count)
        majors << GC.latest_gc_info(:major_by).to_s if count > seen
        seen = count
      end
    end
    at_exit do
      figures = %i[count major_gc_count minor_gc_count time].to_h { |key| [key, GC.stat(key) - before[key].to_i] }
      File.write(path, JSON.generate(figures.merge(major_by: majors)))
    end
  end
end

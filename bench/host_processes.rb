# frozen_string_literal: true

# The host's processes for the host benches: Puma (forked, see host_puma.rb) and Sidekiq
# (spawned), and both around a block; loaded by host_bench.rb (not a *_bench.rb file).
module HostBench
  module_function

  # Puma serving the host app in a forked child; returns [pid, port]. All threads from
  # the start, as Rails' (and Chatwoot's) puma.rb sets them: Puma 6 with fewer spawned
  # threads than max never sheds a busy keep-alive connection, so connections beyond
  # the spawned threads wait unaccepted for as long as the others keep sending.
  # gc_report: a file the child writes its GC figures to (JSON) when it stops.
  def start_puma(threads: 4, gc_report: nil)
    reader, writer = IO.pipe
    ActiveRecord::Base.connection_pool.disconnect!
    pid = fork do
      reader.close
      size_pools(threads)
      report_gc(gc_report) if gc_report
      server = Puma::Server.new(Rails.application, nil, min_threads: threads, max_threads: threads,
                                                        log_writer: Puma::LogWriter.null)
      server.add_tcp_listener("127.0.0.1", 0)
      writer.puts(server.connected_ports.first)
      writer.close
      server.run.join
    end
    writer.close
    port = Integer(reader.gets)
    reader.close
    [pid, port]
  end

  # Sidekiq (the real server: fetcher, processors, retries) as a child process.
  # require: the file Sidekiq loads (defaults to the host's environment).
  def start_sidekiq(concurrency: 5, require: File.join(ROOT, "spec/dummy/config/environment.rb"), env: {})
    Process.spawn({ "RAILS_ENV" => "test" }.merge(env), "bundle", "exec", "sidekiq", "-r", require,
                  "-c", concurrency.to_s, "-q", "high", "-q", "default", "-q", "low", "-q", "purgable",
                  chdir: ROOT, out: File::NULL, err: File::NULL)
  end

  # The host as Chatwoot runs it (Puma 4 threads, Sidekiq with sidekiq_threads) for the
  # block, which gets a keep-alive connection to Puma; both stopped and Redis emptied after.
  def with_host(sidekiq_threads:)
    puma_pid, port = start_puma
    sidekiq_pid = start_sidekiq(concurrency: sidekiq_threads)
    wait_for_sidekiq_process
    http = Connection.new(port)
    yield http
  ensure
    http&.finish
    stop(sidekiq_pid)
    stop(puma_pid)
    flush_redis
  end

  def stop(pid)
    return unless pid

    Process.kill("TERM", pid)
    Process.wait(pid)
  rescue Errno::ESRCH, Errno::ECHILD
    nil
  end

  def wait_for_sidekiq_process
    wait_until(90, interval: 0.1) { Sidekiq::ProcessSet.new.size.positive? }
  end
end

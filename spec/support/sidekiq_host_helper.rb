# frozen_string_literal: true

# Runs ActiveJob jobs from the REAL Redis queues through Sidekiq's own execution path
# (Sidekiq::Processor#process: job logger, retry handling, server middleware, then
# ActiveJob's JobWrapper#perform). Not Sidekiq::Testing: the job is really serialised,
# pushed to Redis, fetched back and deserialised. Included by rails_helper.
module SidekiqHostHelper
  QUEUES = %w[critical high medium default mailers action_mailbox_routing low scheduled_jobs purgable].freeze

  # Runs jobs in this thread, highest-priority queue first, until the given queues are
  # empty (jobs enqueued by jobs run too). scheduled: true first moves every scheduled
  # job (e.g. SendReplyJob's 2 s delay for attachments) to its queue whatever its time.
  # A job that raises is re-raised here (Sidekiq has put it in the retry set).
  # Returns the job hashes run, in order.
  def drain_sidekiq(queues: QUEUES, scheduled: true, max_jobs: 500)
    ran = []
    loop do
      promote_scheduled_jobs if scheduled
      uow = pop_sidekiq_job(queues)
      break unless uow

      ran << JSON.parse(uow.job)
      raise "drain_sidekiq: more than #{max_jobs} jobs, a job loop?" if ran.size > max_jobs

      sidekiq_processor.send(:process, uow)
    end
    ran
  end

  # Jobs waiting in one queue (raw Sidekiq hashes, oldest first).
  def sidekiq_jobs(queue)
    Sidekiq::Queue.new(queue).map(&:item).reverse
  end

  # Turns a queue around: the newest job runs first (as jobs on several threads or
  # processes may).
  def reverse_sidekiq_queue(queue)
    key = "queue:#{queue}"
    Sidekiq.redis do |r|
      jobs = r.call("LRANGE", key, 0, -1)
      r.call("DEL", key)
      r.call("RPUSH", key, *jobs.reverse) unless jobs.empty?
    end
  end

  def sidekiq_queue_sizes
    QUEUES.to_h { |q| [q, Sidekiq::Queue.new(q).size] }
  end

  def clear_sidekiq_redis
    Sidekiq.redis { |r| r.call("FLUSHDB") }
  end

  # Real worker threads (each job wrapped in the Rails executor, as Sidekiq's server
  # does) fetching with BRPOP while the block runs. Use with `:truncation` examples:
  # these threads hold their own database connections. Errors are collected in
  # sidekiq_worker_errors instead of killing the threads.
  def with_sidekiq_workers(threads: 2, queues: QUEUES)
    state = { stop: false, busy: Concurrent::AtomicFixnum.new(0) }
    @sidekiq_worker_state = state
    workers = Array.new(threads) { Thread.new { sidekiq_worker_loop(state, queues) } }
    yield
  ensure
    state[:stop] = true
    workers&.each(&:join)
  end

  # Waits until the queues are empty and no worker is busy; raises after timeout seconds.
  def wait_for_sidekiq_idle(timeout: 15, queues: QUEUES)
    deadline = monotonic_now + timeout
    loop do
      busy = @sidekiq_worker_state ? @sidekiq_worker_state[:busy].value : 0
      return if busy.zero? && queues.all? { |q| Sidekiq::Queue.new(q).size.zero? } # rubocop:disable Style/ZeroLengthPredicate
      raise "Sidekiq not idle after #{timeout}s: #{sidekiq_queue_sizes}" if monotonic_now > deadline

      sleep 0.02
    end
  end

  def sidekiq_worker_errors
    @sidekiq_worker_errors ||= Concurrent::Array.new
  end

  private

  def monotonic_now
    Process.clock_gettime(Process::CLOCK_MONOTONIC)
  end

  def sidekiq_processor
    @sidekiq_processor ||= Sidekiq::Processor.new(Sidekiq.default_configuration.default_capsule)
  end

  def promote_scheduled_jobs
    Sidekiq::ScheduledSet.new.each(&:add_to_queue)
  end

  def pop_sidekiq_job(queues)
    queues.each do |queue|
      job = Sidekiq.redis { |r| r.call("RPOP", "queue:#{queue}") }
      return Sidekiq::BasicFetch::UnitOfWork.new("queue:#{queue}", job, Sidekiq.default_configuration) if job
    end
    nil
  end

  def sidekiq_worker_loop(state, queues)
    processor = Sidekiq::Processor.new(Sidekiq.default_configuration.default_capsule)
    keys = queues.map { |q| "queue:#{q}" }
    until state[:stop]
      queue, job = Sidekiq.redis { |r| r.blocking_call(2, "BRPOP", *keys, 0.2) }
      next unless job

      state[:busy].increment
      begin
        Rails.application.executor.wrap do
          processor.send(:process, Sidekiq::BasicFetch::UnitOfWork.new(queue, job, Sidekiq.default_configuration))
        end
      rescue StandardError => e
        sidekiq_worker_errors << e
      ensure
        state[:busy].decrement
      end
    end
  end
end

# frozen_string_literal: true

# Loaded into Chatwoot's Puma and Sidekiq by the benchmark (RUBYOPT, after bundler/setup):
# one JSON line per job performed and per controller action, with the thread's CPU time,
# its SQL queries (count, time, by name) and the jobs it enqueued. Read back by
# bench_profile.rb on the host. The `bundle` launcher loads it first without the gems on
# its path: it then does nothing.
begin
  require "active_support"
  require "active_support/notifications"
  require "json"
rescue LoadError
  return
end

module WawebCompatProfile
  DIR = ENV.fetch("WAWEB_COMPAT_PROFILE_DIR", nil)
  # Jobs or actions whose queries are named with the app line that ran them (slower).
  TRACE = ENV.fetch("WAWEB_COMPAT_PROFILE_TRACE", "").split(",")
  APP_CODE = %r{/waweb_native/|\A/chatwoot/(app|lib|enterprise)/}

  # Frames of the thread's running jobs/actions (a job may perform another inline).
  Frame = Struct.new(:kind, :name, :queue, :wall, :cpu, :sql, :sql_ms, :names, :enqueued, :parts, :in_part)

  class << self
    def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    def cpu = Process.clock_gettime(Process::CLOCK_THREAD_CPUTIME_ID)
    def frames = (Thread.current[:waweb_compat_profile] ||= [])

    def start(kind, name, queue)
      frames.push(Frame.new(kind, name, queue, now, cpu, 0, 0.0, Hash.new(0), Hash.new(0), Hash.new(0.0), false))
    end

    def finish
      frame = frames.pop or return
      line = { "ts" => Time.now.to_f, "role" => role, "depth" => frames.size, **identity(frame),
               "wall_ms" => ((now - frame.wall) * 1000).round(2), "cpu_ms" => ((cpu - frame.cpu) * 1000).round(2),
               "sql" => frame.sql, "sql_ms" => frame.sql_ms.round(2), "sql_names" => frame.names,
               "enqueued" => frame.enqueued, "parts" => frame.parts.transform_values { |v| (v * 1000).round(2) } }
      write(line)
    end

    def identity(frame) = { "kind" => frame.kind, "name" => frame.name, "queue" => frame.queue }

    def role
      @role ||= defined?(::Sidekiq) && ::Sidekiq.respond_to?(:server?) && ::Sidekiq.server? ? "sidekiq" : "web"
    end

    def sql(payload, millis)
      frame = frames.last or return
      return if payload[:name] == "SCHEMA"

      frame.sql += 1
      frame.sql_ms += millis
      name = payload[:cached] ? "CACHE" : payload[:name].to_s
      name = "#{name} @ #{origin}" if TRACE.include?(frame.name)
      frame.names[name] += 1
    end

    # The innermost line of Chatwoot's or the gem's code under the query.
    def origin
      line = caller_locations(3, 80).find { |l| APP_CODE.match?(l.path) }
      line ? "#{line.path.sub(%r{\A.*/(waweb_native|chatwoot)/}, '')}:#{line.lineno}" : "?"
    end

    # CPU of a piece of Chatwoot's own work inside the current job or action (outermost only).
    def part(name)
      frame = frames.last
      return yield if frame.nil? || frame.in_part

      frame.in_part = true
      started = cpu
      begin
        yield
      ensure
        frame.parts[name] += cpu - started
        frame.in_part = false
      end
    end

    def enqueued(job)
      frame = frames.last or return
      frame.enqueued["#{job.class.name}(#{job.queue_name})"] += 1
    end

    def write(line)
      @mutex.synchronize do
        # Open for the process's life (one line per job): closed when it exits.
        @out ||= File.open(File.join(DIR, "profile-#{Process.pid}.jsonl"), "a").tap { |f| f.sync = true } # rubocop:disable Style/FileOpen
        @out.puts(JSON.generate(line))
      end
    end
  end
  @mutex = Mutex.new

  # Chatwoot's Message: saving it (validations, callbacks, INSERT, touch) and its after_commit
  # callbacks (events, SendReplyJob, templates, contact activity), whoever creates it.
  module MessageWork
    def save!(...) = WawebCompatProfile.part("Message#save!") { super }
    def committed!(...) = WawebCompatProfile.part("Message after_commit") { super }
  end

  # start/finish listener: the frame is the performing thread's.
  class Listener
    def initialize(kind, &name)
      @kind = kind
      @name = name
    end

    def start(_event, _id, payload)
      queue = payload[:job].queue_name if payload[:job].respond_to?(:queue_name)
      WawebCompatProfile.start(@kind, @name.call(payload), queue)
    end

    def finish(_event, _id, _payload) = WawebCompatProfile.finish
  end
end

if WawebCompatProfile::DIR
  ActiveSupport::Notifications.subscribe("perform.active_job",
                                         WawebCompatProfile::Listener.new("job") { |p| p[:job].class.name })
  ActiveSupport::Notifications.subscribe("process_action.action_controller",
                                         WawebCompatProfile::Listener.new("request") do |p|
                                           "#{p[:controller]}##{p[:action]}"
                                         end)
  ActiveSupport::Notifications.subscribe("sql.active_record") do |event|
    WawebCompatProfile.sql(event.payload, event.duration)
  end
  ActiveSupport.on_load(:after_initialize) { Message.prepend(WawebCompatProfile::MessageWork) }
  %w[enqueue.active_job enqueue_at.active_job].each do |event|
    ActiveSupport::Notifications.subscribe(event) { |*, payload| WawebCompatProfile.enqueued(payload[:job]) }
  end
end

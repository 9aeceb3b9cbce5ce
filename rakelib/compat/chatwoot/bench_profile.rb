# frozen_string_literal: true

require "json"
require "fileutils"

module Compat
  module Chatwoot
    # WAWEB_COMPAT_BENCH=1: where each side's time goes. Chatwoot's Puma and Sidekiq load
    # profile_hook.rb (RUBYOPT), which writes a line per job and per controller action
    # (thread CPU time, SQL queries, jobs enqueued); #report sums a side's lines, from its
    # first request until Sidekiq is idle again, per message.
    module BenchProfile
      HOOK = "/waweb-compat/profile_hook.rb"
      DIR = "#{Services::LOG_DIR}/profile".freeze
      TOP = 8

      # The lines of one job class or action (in one process) over a side.
      Group = Struct.new(:role, :name, :lines) do
        def n = lines.size
        def sum(key) = lines.sum { |l| l[key] }
        def each_avg(key) = sum(key).fdiv(n)

        # {"Contact Load" => 2.0, ...} per line, most frequent first.
        def tally(key, per)
          totals = lines.each_with_object(Hash.new(0)) { |l, h| l.fetch(key, {}).each { |k, v| h[k] += v } }
          totals.sort_by { |_, v| -v }.map { |k, v| "#{k} #{format('%.2f', v.fdiv(per))}" }.join(", ")
        end
      end

      # Chatwoot's Sidekiq queues in the order it serves them (config/sidekiq.yml gives no
      # weights: a queue waits until every queue above it is empty).
      QUEUES = %w[critical high medium default mailers action_mailbox_routing low scheduled_jobs deferred
                  purgable housekeeping].freeze
      GEM_JOBS = /\A(Webhooks::WhatsappWeb|WhatsappWeb::)/

      module_function

      def enabled? = ENV["WAWEB_COMPAT_BENCH"] == "1"

      # Environment of Chatwoot's Puma and Sidekiq: the hook, and where it writes.
      def env
        return {} unless enabled?

        FileUtils.mkdir_p(Compat.inside(File.dirname(HOOK)))
        FileUtils.cp(File.expand_path("profile_hook.rb", __dir__), Compat.inside(HOOK))
        FileUtils.rm_rf(Compat.inside(DIR))
        FileUtils.mkdir_p(Compat.inside(DIR))
        # WAWEB_COMPAT_PROFILE_TRACE=Job,Controller#action: their queries by the line that ran them.
        { "RUBYOPT" => "-r#{HOOK}", "WAWEB_COMPAT_PROFILE_DIR" => DIR,
          "WAWEB_COMPAT_PROFILE_TRACE" => ENV.fetch("WAWEB_COMPAT_PROFILE_TRACE", "") }
      end

      # Outermost jobs and actions that finished between two wall-clock times.
      def lines(from, to)
        Dir[File.join(Compat.inside(DIR), "profile-*.jsonl")].flat_map do |path|
          File.readlines(path).filter_map do |text|
            line = JSON.parse(text)
            line if line["depth"].zero? && line["ts"].between?(from, to)
          rescue JSON::ParserError
            nil # a line being written
          end
        end
      end

      # Text lines: CPU per message in each process, then the costliest jobs and actions.
      def report(from, to, messages)
        groups = lines(from, to).group_by { |l| [l["role"], l["name"]] }.map { |(r, n), ls| Group.new(r, n, ls) }
        costliest = groups.sort_by { |g| -g.sum("cpu_ms") }.first(TOP)
        [totals(groups, messages), *costliest.flat_map { |g| row(g, messages) }]
      end

      # Per message, the Sidekiq CPU of Chatwoot's own work that runs before a burst's last
      # message can commit through the gem: its Message save and callbacks inside the gem's
      # events jobs, and its jobs in the queues served before the events job's queue. A gem
      # costing nothing would still pay it, in one Ruby process. Lower bound: Chatwoot's jobs
      # in the events job's own queue and Sidekiq's fetching are left out.
      def chatwoot_floor(from, to, messages)
        ours, theirs = sidekiq_lines(from, to).partition { |l| GEM_JOBS.match?(l["name"]) }
        queue = ours.find { |l| l["name"] == "Webhooks::WhatsappWebEventsJob" }&.dig("queue")
        return nil unless queue

        work = message_work(ours)
        { queue: queue, ms: (cpu(theirs.select { |l| rank(l["queue"]) < rank(queue) }) + work) / messages,
          gem_ms: (cpu(ours) - work) / messages }
      end

      def sidekiq_lines(from, to) = lines(from, to).select { |l| l["role"] == "sidekiq" }
      def cpu(lines) = lines.sum { |l| l["cpu_ms"] }
      def message_work(lines) = lines.sum { |l| l.fetch("parts", {}).values.sum }
      def rank(queue) = QUEUES.index(queue.to_s) || QUEUES.size

      def totals(groups, messages)
        cpu = %w[sidekiq web].map { |role| groups.select { |g| g.role == role }.sum { |g| g.sum("cpu_ms") } / messages }
        format("    CPU per message: Sidekiq %<s>.1f ms, Puma %<w>.1f ms; %<q>.1f SQL queries per message",
               s: cpu[0], w: cpu[1], q: groups.sum { |g| g.sum("sql") }.fdiv(messages))
      end

      def row(group, messages)
        head = format("    %<role>-7s %<name>s x%<n>d: CPU %<cpu>.1f ms/message (%<each>.1f ms each, " \
                      "wall %<wall>.0f ms), SQL %<sql>.1f each (%<sms>.1f ms)",
                      role: group.role, name: group.name, n: group.n, cpu: group.sum("cpu_ms") / messages,
                      each: group.each_avg("cpu_ms"), wall: group.each_avg("wall_ms"), sql: group.each_avg("sql"),
                      sms: group.each_avg("sql_ms"))
        enqueued = group.tally("enqueued", messages)
        parts = group.tally("parts", group.n)
        ["#{head}; enqueues per message: #{enqueued.empty? ? 'none' : enqueued}",
         ("      of its CPU, Chatwoot's Message work (ms each): #{parts}" unless parts.empty?),
         "      queries each: #{group.tally('sql_names', group.n)}"].compact
      end
    end
  end
end

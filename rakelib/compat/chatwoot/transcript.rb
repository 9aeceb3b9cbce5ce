# frozen_string_literal: true

module Compat
  module Chatwoot
    class StepFailed < StandardError; end

    # The run's steps, each timed and marked pass or FAIL, printed as they go and as one
    # table at the end. A failing step never stops the ones after it.
    class Transcript
      Row = Struct.new(:section, :title, :ok, :ms, :detail)

      def initialize
        @rows = []
        @section = ""
      end

      def section(name)
        @section = name
        puts "\n== #{name}"
      end

      # Runs the block; its String result is the detail. Returns the block's value (nil on failure).
      def step(title)
        started = clock
        value = yield
        record(title, true, started, value.is_a?(String) ? value : nil)
        value
      rescue StandardError => e
        record(title, false, started, "#{e.class.name.split('::').last}: #{e.message}"[0, 400])
        nil
      end

      def check(condition, message)
        raise StepFailed, message unless condition
      end

      def ok? = @rows.all?(&:ok)
      def failures = @rows.reject(&:ok)

      def table
        width = [@rows.map { |r| r.title.size }.max.to_i, 60].min
        lines = ["", line(width, ["#", "", "step", "ms", "detail"])]
        section = nil
        @rows.each_with_index do |row, i|
          lines << "-- #{section = row.section}" unless section == row.section
          lines << line(width,
                        [i + 1, row.ok ? "pass" : "FAIL", row.title, row.ms.round, row.detail.to_s.tr("\n", " ")])
        end
        lines << "#{@rows.size} steps: #{@rows.count(&:ok)} passed, #{@rows.count { |r| !r.ok }} failed"
        lines.join("\n")
      end

      private

      def record(title, passed, started, detail)
        row = Row.new(@section, title, passed, (clock - started) * 1000, detail)
        @rows << row
        suffix = detail ? " — #{detail}" : ""
        puts format("  %<mark>-4s %<ms>6.0f ms  %<title>s%<suffix>s", mark: passed ? "ok" : "FAIL", ms: row.ms,
                                                                      title: title, suffix: suffix)
      end

      def line(width, cells)
        number, mark, title, ms, detail = cells
        format("%<n>-3s %<mark>-4s %<title>-#{width}s %<ms>7s  %<detail>s",
               n: number, mark: mark, title: title.to_s[0, width], ms: ms, detail: detail[0, 160])
      end

      def clock = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end
  end
end

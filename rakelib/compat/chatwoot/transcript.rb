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
        lines = ["", format("%-3s %-4s %-#{width}s %7s  %s", "#", "", "step", "ms", "detail")]
        section = nil
        @rows.each_with_index do |row, i|
          lines << "-- #{section = row.section}" unless section == row.section
          lines << format("%-3d %-4s %-#{width}s %7.0f  %s", i + 1, row.ok ? "pass" : "FAIL", row.title[0, width],
                          row.ms, row.detail.to_s.tr("\n", " ")[0, 160])
        end
        lines << format("%d steps: %d passed, %d failed", @rows.size, @rows.count(&:ok), @rows.count { |r| !r.ok })
        lines.join("\n")
      end

      private

      def record(title, ok, started, detail)
        row = Row.new(@section, title, ok, (clock - started) * 1000, detail)
        @rows << row
        puts format("  %-4s %6.0f ms  %s%s", ok ? "ok" : "FAIL", row.ms, title, detail ? " — #{detail}" : "")
      end

      def clock = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end
  end
end

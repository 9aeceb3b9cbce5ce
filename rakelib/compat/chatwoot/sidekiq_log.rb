# frozen_string_literal: true

module Compat
  module Chatwoot
    # Chatwoot's Sidekiq log (JSON lines, the job's class in ctx): which jobs it performed
    # from a point on, and when it has gone quiet.
    class SidekiqLog
      def initialize(path)
        @path = path
      end

      def size = File.size(@path)

      # {job class => times performed} from byte `offset` on.
      def performed_since(offset)
        File.open(@path) do |f|
          f.seek(offset)
          f.read.lines.grep(/"msg":"Performed /).map { |l| l[/"class":"([^"]+)"/, 1] }.tally
        end
      end

      # Returns once nothing was logged for `quiet` seconds (or after `timeout`).
      def settle(quiet: 2, timeout: 60)
        deadline = Time.now + timeout
        last = size
        while Time.now < deadline
          sleep quiet
          break if size == last

          last = size
        end
      end
    end
  end
end

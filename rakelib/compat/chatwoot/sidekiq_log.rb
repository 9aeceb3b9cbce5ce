# frozen_string_literal: true

module Compat
  module Chatwoot
    # Chatwoot's Sidekiq log (JSON lines, the job's class in ctx): which jobs it performed
    # from a point on, and when it has gone quiet.
    class SidekiqLog
      # The job and the event name, its first argument (a broadcast's comes after its tokens).
      EVENT = Regexp.new('"msg":"Performing (EventDispatcherJob|ActionCableBroadcastJob) .*?with arguments: ' \
                         '(?:\[[^\]]*\], )?\\\\"([a-z_.]+)\\\\"')

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

      # The Chatwoot events dispatched (EventDispatcherJob) or broadcast to the dashboard
      # (ActionCableBroadcastJob) from byte `offset` on: {"EventDispatcherJob contact.updated" => 1, ...}.
      def events_since(offset)
        File.open(@path) do |f|
          f.seek(offset)
          f.read.scan(EVENT).map { |job, event| "#{job} #{event}" }.tally
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

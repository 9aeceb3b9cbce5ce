# frozen_string_literal: true

module WawebNative
  module Inbound
    # A receipt, reaction, edit or revoke whose message is not in the inbox yet. Two
    # Sidekiq threads can take a message and its receipt in either order, so the job
    # retries a few times (Webhooks::WhatsappWebEventsJob) before it lets the event go:
    # ids that never arrive (messages from before the inbox existed) cost only those retries.
    class TargetNotStoredYet < StandardError
      attr_reader :source_ids

      def initialize(source_ids)
        @source_ids = Array(source_ids)
        super("message #{@source_ids.join(', ')} is not stored yet")
      end
    end
  end
end

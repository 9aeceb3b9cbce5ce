# frozen_string_literal: true

module WawebNative
  module Inbound
    # Delivery and read receipts. A receipt lists several message ids; each message's
    # status only moves forward (sent < delivered < read), so a late "delivered" never
    # undoes a "read". "read-self" (the account read it on another device) counts as read.
    # Receipts are not in the processed-events ledger: applying one twice changes nothing.
    class ReceiptApplier
      RANK = { "sent" => 0, "failed" => 0, "delivered" => 1, "read" => 2 }.freeze
      TARGET = { delivered: "delivered", read: "read", read_self: "read" }.freeze

      def initialize(inbox)
        @inbox = inbox
      end

      # Returns how many messages changed. Ids not stored yet are applied by a retry
      # (TargetNotStoredYet); the ones found are applied now, and again harmlessly then.
      def apply(event)
        status = TARGET[event.receipt_type]
        ids = Array(event.ids).compact_blank.uniq
        return 0 if status.nil? || ids.empty?

        messages = ::Message.where(inbox_id: @inbox.id, source_id: ids).order(:id).to_a
        changed = messages.count { |message| advance(message, status) }
        missing = ids - messages.map(&:source_id)
        raise TargetNotStoredYet, missing if missing.any?

        changed
      end

      private

      def advance(message, status)
        changed = false
        message.with_lock do
          if RANK.fetch(message.status.to_s, 0) < RANK.fetch(status)
            message.update!(status: status)
            changed = true
          end
        end
        changed
      end
    end
  end
end

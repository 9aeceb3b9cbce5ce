# frozen_string_literal: true

module WawebNative
  module Inbound
    # Delivery and read receipts. A receipt lists several message ids; each message's
    # status only moves forward (sent < delivered < read), so a late "delivered" never
    # undoes a "read". "read-self" (the account read it on another device) counts as read.
    # Receipts are not in the processed-events ledger: applying one twice changes nothing.
    #
    # An id is a message's source_id, or one part of a reply the gem sent as several
    # WhatsApp messages (Outbound::DeliveredParts): a receipt for any part moves the reply.
    # A failed message stays failed. Chatwoot's own WhatsApp status handler overwrites the
    # status with whatever arrives, but Meta never confirms a message it failed; here a
    # failed reply with receipts is one whose later part did not go, and a receipt speaks
    # for the delivered part only: marking the reply delivered would hide the part the
    # customer never got, and the Retry the agent needs (Chatwoot offers it on failed only).
    class ReceiptApplier
      RANK = { "sent" => 0, "delivered" => 1, "read" => 2 }.freeze
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
        missing = ids - messages.map(&:source_id)
        parts = WawebNative::Outbound::DeliveredParts.message_ids(@inbox.id, missing)
        messages += parts_of_replies(parts.values - messages.map(&:id))
        changed = messages.count { |message| advance(message, status) }
        missing -= parts.keys
        raise TargetNotStoredYet, missing if missing.any?

        changed
      end

      private

      def parts_of_replies(message_ids)
        return [] if message_ids.empty?

        ::Message.where(inbox_id: @inbox.id, id: message_ids.uniq).order(:id).to_a
      end

      def advance(message, status)
        changed = false
        message.with_lock do
          current = RANK[message.status.to_s] # nil: failed, left as it is
          if current && current < RANK.fetch(status)
            message.update!(status: status)
            changed = true
          end
        end
        changed
      end
    end
  end
end

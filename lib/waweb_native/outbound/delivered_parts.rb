# frozen_string_literal: true

require "waweb_native/logging"

module WawebNative
  module Outbound
    # What WhatsApp already holds of one Chatwoot reply: one row per delivered part in the
    # gem's ledger (waweb_processed_events), key "sent:<message id>:<part>" (part: "text" or
    # "attachment:<id>"), with the WhatsApp id it went out as. A row is written the moment
    # the gateway confirms the part, so a failure or a crash after it still knows, and it
    # lives outside the message: Chatwoot's retry clears content_attributes, not the ledger.
    class DeliveredParts
      TEXT = "text"

      def self.attachment_key(attachment) = "attachment:#{attachment.id}"

      # A message's attachments in the order the agent attached them (by id): the order its
      # parts go out in. Unordered, PostgreSQL returns them as its pages hold the rows.
      def self.attachments(message)
        message.respond_to?(:attachments) ? message.attachments.to_a.sort_by { |a| a.id.to_i } : []
      end

      # {WhatsApp id => Chatwoot message id} for the ids that are parts of our replies.
      def self.message_ids(inbox_id, whatsapp_ids)
        ids = Array(whatsapp_ids).map(&:to_s).reject(&:empty?)
        return {} if ids.empty? || !available?

        ledger.where(inbox_id: inbox_id, whatsapp_id: ids).pluck(:whatsapp_id, :message_id).to_h
      end

      def self.ledger = WawebNative::Inbound::ProcessedEvent

      # The ledger has its whatsapp_id column (the gem's second migration). A host updated
      # without `db:migrate` sends as before the column came, recording nothing, rather than
      # failing after a part reached WhatsApp (a retry would send that part twice).
      # (ActiveRecord keeps the column list per process until reset_column_information.)
      def self.available?
        migrated = ledger.column_names.include?("whatsapp_id")
        warn_unmigrated unless migrated
        migrated
      end

      # Once per process.
      def self.warn_unmigrated
        return if @warned

        @warned = true
        WawebNative.logger&.warn("[waweb_native] waweb_processed_events has no whatsapp_id column: run db:migrate; " \
                                 "until then a reply that fails partway is not remembered part by part")
      end

      def initialize(message)
        @message = message
      end

      # {part => WhatsApp id} of the given parts already delivered.
      def of(parts)
        keys = parts.to_h { |part| [key(part), part] }
        return {} if keys.empty? || @message.id.nil? || !self.class.available?

        rows = self.class.ledger.where(inbox_id: @message.inbox_id, event_key: keys.keys)
        rows.where.not(whatsapp_id: nil).pluck(:event_key, :whatsapp_id).to_h { |k, id| [keys.fetch(k), id] }
      end

      # Every WhatsApp id the reply went out as, in the order it would be sent: the text,
      # then its attachments by id.
      def ids
        parts = [TEXT] + self.class.attachments(@message).map { |a| self.class.attachment_key(a) }
        found = of(parts)
        parts.filter_map { |part| found[part] }
      end

      # After the gateway confirmed `part`. A second row for the same part (two jobs sending
      # the same reply at once) is dropped: the first id stays the one recorded.
      def record(part, whatsapp_id)
        return if @message.id.nil? || !self.class.available? # nothing to find it by again

        self.class.ledger.insert({ inbox_id: @message.inbox_id, event_key: key(part), message_id: @message.id,
                                   whatsapp_id: whatsapp_id, created_at: Time.now })
      end

      private

      def key(part) = "sent:#{@message.id}:#{part}"
    end
  end
end

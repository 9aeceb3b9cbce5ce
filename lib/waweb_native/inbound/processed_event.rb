# frozen_string_literal: true

module WawebNative
  module Inbound
    # The idempotency ledger: one row per event that created a record, unique on
    # (inbox_id, event_key). The row is inserted first, in the same transaction as the
    # message it stands for, so a duplicate delivery (or the same event processed at
    # the same moment by another Sidekiq thread, or by a history import) fails on the
    # unique index and rolls back; the database, not a cache, guarantees one message
    # per event. Live webhooks and history imports use the same key for the same
    # WhatsApp message ("message:<id>"), so between them each message is made once.
    class ProcessedEvent < ::ActiveRecord::Base
      self.table_name = "waweb_processed_events"

      MAX_ATTEMPTS = 3

      # The key a WhatsApp message is claimed under, whoever brings it.
      def self.message_key(message_id)
        "message:#{message_id}"
      end

      def self.processed?(inbox_id, key)
        exists?(inbox_id: inbox_id, event_key: key)
      end

      # Runs the block in a transaction that first claims `key` in the ledger and
      # returns what the block returned (nil for a duplicate). A duplicate inserts no row
      # (ON CONFLICT DO NOTHING: a claim in flight in another thread is waited for) and
      # its block never runs; no error reaches PostgreSQL's log, so a redelivery needs no
      # read first. A uniqueness failure elsewhere (two new messages of one new contact
      # racing for its ContactInbox) is retried: the other side's rows now exist. One
      # still failing after MAX_ATTEMPTS is raised, never swallowed: the job fails and
      # Sidekiq retries it later, so the event is not lost.
      # `before_attempt` runs before every attempt (e.g. rewinding a media tempfile).
      def self.claim(inbox_id, key, before_attempt: nil)
        attempts = 0
        begin
          attempts += 1
          before_attempt&.call
          transaction(requires_new: true) do
            claim_id = insert_claim(inbox_id, key)
            raise ::ActiveRecord::Rollback if claim_id.nil? # claimed already: nil

            yield.tap { |record| remember(claim_id, record) }
          end
        rescue ::ActiveRecord::RecordNotUnique, ::ActiveRecord::RecordInvalid => e
          raise unless race?(e)
          return nil if processed?(inbox_id, key) # a duplicate: the other side made the record

          retry if attempts < MAX_ATTEMPTS
          raise
        end
      end

      # The ledger row names the record it stands for (a message).
      def self.remember(claim_id, record)
        where(id: claim_id).update_all(message_id: record.id) if record.respond_to?(:id)
      end

      # The new ledger row's id, or nil when (inbox_id, key) is claimed already.
      def self.insert_claim(inbox_id, key)
        insert({ inbox_id: inbox_id, event_key: key, created_at: Time.now }, returning: [:id]).rows.dig(0, 0)
      end

      # A unique index, or a uniqueness validation that already sees the other side's
      # committed row (contact identifier, ContactInbox source_id).
      def self.race?(error)
        return true if error.is_a?(::ActiveRecord::RecordNotUnique)

        error.record.errors.details.values.flatten.any? { |detail| detail[:error] == :taken }
      end

      # The gateway retries for 30 s; rows older than this only cost space.
      def self.prune(older_than: 30 * 24 * 3600)
        where(created_at: ...(Time.now - older_than)).delete_all
      end
    end
  end
end

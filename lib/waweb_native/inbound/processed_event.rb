# frozen_string_literal: true

module WawebNative
  module Inbound
    # The idempotency ledger: one row per event that created a record, unique on
    # (inbox_id, event_key). The row is inserted first, in the same transaction as the
    # message it stands for, so a duplicate delivery (or the same event processed at
    # the same moment by another Sidekiq thread) fails on the unique index and rolls
    # back; the database, not a cache, guarantees one message per event.
    class ProcessedEvent < ::ActiveRecord::Base
      self.table_name = "waweb_processed_events"

      # The gateway retries for 30 s; rows older than this only cost space.
      def self.prune(older_than: 30 * 24 * 3600)
        where(created_at: ...(Time.now - older_than)).delete_all
      end
    end
  end
end

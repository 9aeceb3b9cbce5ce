# frozen_string_literal: true

# The waweb_native gem's idempotency ledger (see WawebNative::Inbound::ProcessedEvent).
# A table of its own rather than a unique index on Chatwoot's messages: existing
# installations may already hold duplicate source_ids that such an index would refuse.
class CreateWawebProcessedEvents < ActiveRecord::Migration[7.0]
  def change
    # if_not_exists: a test host that reloads its schema reruns this over a surviving table.
    create_table :waweb_processed_events, if_not_exists: true do |t|
      t.bigint :inbox_id, null: false
      t.string :event_key, null: false
      t.bigint :message_id
      t.datetime :created_at, null: false
    end
    add_index :waweb_processed_events, %i[inbox_id event_key], unique: true, if_not_exists: true
    add_index :waweb_processed_events, :created_at, if_not_exists: true
  end
end

# frozen_string_literal: true

# One row per inbox: its history import's progress and the cursor it resumes from
# (see WawebNative::History::ImportState).
class CreateWawebHistoryImports < ActiveRecord::Migration[7.0]
  def change
    create_table :waweb_history_imports, if_not_exists: true do |t|
      t.bigint :inbox_id, null: false
      t.string :state, null: false, default: "queued"
      t.integer :days, null: false
      t.datetime :window_start, null: false
      t.datetime :window_end, null: false
      t.integer :chats_done, null: false, default: 0
      t.integer :chats_total
      t.integer :messages, null: false, default: 0
      t.bigint :media_bytes, null: false, default: 0
      t.string :done_through # chats go in JID order: the last one finished
      t.string :runner # who holds the import (one at a time per inbox)
      t.datetime :heartbeat_at
      t.datetime :started_at
      t.datetime :finished_at
      t.text :error
      t.timestamps
    end
    add_index :waweb_history_imports, :inbox_id, unique: true, if_not_exists: true
  end
end

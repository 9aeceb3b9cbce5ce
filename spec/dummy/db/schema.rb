# frozen_string_literal: true

# Chatwoot's tables as far as chatwoot-contract.md describes them. Hand-written so that it
# loads on both PostgreSQL (jsonb, as Chatwoot) and SQLite (json).
json = ActiveRecord::Base.connection.adapter_name.match?(/postg/i) ? :jsonb : :json

ActiveRecord::Schema[7.1].define do
  create_table :accounts, force: :cascade do |t|
    t.string :name, null: false
    t.integer :status, default: 0
    t.timestamps
  end

  create_table :users, force: :cascade do |t|
    t.string :name, null: false
    t.string :email, null: false
    t.timestamps
    t.index :email, unique: true
  end

  # Chatwoot's API authentication: an `api_access_token` header matched against an
  # access token owned by a user, and account membership with a role (agent 0, administrator 1).
  create_table :account_users, force: :cascade do |t|
    t.bigint :account_id, null: false
    t.bigint :user_id, null: false
    t.integer :role, default: 0
    t.timestamps
    t.index %i[account_id user_id], unique: true
  end

  create_table :access_tokens, force: :cascade do |t|
    t.string :owner_type
    t.bigint :owner_id
    t.string :token
    t.timestamps
    t.index :token, unique: true
    t.index %i[owner_type owner_id]
  end

  create_table :channel_whatsapp, force: :cascade do |t|
    t.integer :account_id, null: false
    t.string :phone_number, null: false
    t.string :provider, default: "default"
    t.column :provider_config, json, default: {}
    t.column :message_templates, json, default: {}
    t.datetime :message_templates_last_updated
    t.timestamps
    t.index :phone_number, unique: true
  end

  create_table :inboxes, force: :cascade do |t|
    t.integer :account_id, null: false
    t.string :name, null: false
    t.integer :channel_id, null: false
    t.string :channel_type
    t.boolean :lock_to_single_conversation, default: false, null: false
    t.timestamps
    t.index :account_id
    t.index %i[channel_id channel_type]
  end

  # Chatwoot's inbox_members: which agents see an inbox (the setup page adds its administrator).
  create_table :inbox_members, force: :cascade do |t|
    t.integer :user_id, null: false
    t.integer :inbox_id, null: false
    t.timestamps
    t.index %i[inbox_id user_id], unique: true
    t.index :inbox_id
  end

  create_table :contacts, force: :cascade do |t|
    t.integer :account_id, null: false
    t.string :name, default: ""
    t.string :email
    t.string :phone_number
    t.string :identifier
    t.column :additional_attributes, json, default: {}
    t.column :custom_attributes, json, default: {}
    t.timestamps
    t.index %i[phone_number account_id]
    t.index %i[identifier account_id], unique: true
  end

  create_table :contact_inboxes, force: :cascade do |t|
    t.bigint :contact_id
    t.bigint :inbox_id
    t.text :source_id, null: false
    t.timestamps
    t.index :contact_id
    t.index %i[inbox_id source_id], unique: true
  end

  create_table :conversations, force: :cascade do |t|
    t.integer :account_id, null: false
    t.integer :inbox_id, null: false
    t.bigint :contact_id
    t.bigint :contact_inbox_id
    t.integer :status, default: 0, null: false
    t.column :additional_attributes, json, default: {}
    t.datetime :last_activity_at, null: false, default: -> { "CURRENT_TIMESTAMP" }
    # Where agents act: the per-account number in the dashboard's URLs, who is assigned,
    # and when the agent / the assignee last opened the conversation.
    t.integer :display_id # from conversations_display_id_seq on PostgreSQL (see Conversation)
    t.bigint :assignee_id
    t.datetime :agent_last_seen_at
    t.datetime :assignee_last_seen_at
    t.timestamps
    t.index :account_id
    t.index %i[account_id display_id], unique: true
    t.index :contact_inbox_id
    t.index %i[inbox_id status]
  end

  create_table :messages, force: :cascade do |t|
    t.integer :account_id, null: false
    t.integer :inbox_id, null: false
    t.integer :conversation_id, null: false
    t.integer :message_type, null: false
    t.integer :content_type, default: 0, null: false
    t.integer :status, default: 0
    t.text :content
    t.text :source_id
    t.boolean :private, default: false, null: false
    t.string :sender_type
    t.bigint :sender_id
    t.column :content_attributes, json, default: {}
    t.column :external_source_ids, json, default: {}
    t.timestamps
    t.index :conversation_id
    t.index :source_id
    t.index %i[sender_type sender_id]
  end

  create_table :attachments, force: :cascade do |t|
    t.integer :message_id, null: false
    t.integer :account_id, null: false
    t.integer :file_type, default: 0
    t.string :external_url
    t.float :coordinates_lat, default: 0.0
    t.float :coordinates_long, default: 0.0
    t.string :fallback_title
    t.string :extension
    t.column :meta, json, default: {}
    t.timestamps
    t.index :message_id
  end

  # What Chatwoot's listeners make when a conversation or message is created
  # (NotificationListener, AutomationRuleListener): enough to count them.
  create_table :notifications, force: :cascade do |t|
    t.bigint :account_id, null: false
    t.bigint :user_id, null: false
    t.integer :notification_type, null: false
    t.string :primary_actor_type, null: false
    t.bigint :primary_actor_id, null: false
    t.string :secondary_actor_type
    t.bigint :secondary_actor_id
    t.timestamps
    t.index :user_id
  end

  create_table :automation_rules, force: :cascade do |t|
    t.bigint :account_id, null: false
    t.string :name, null: false
    t.string :event_name, null: false
    t.boolean :active, default: true, null: false
    t.integer :runs, default: 0, null: false # stands for AutomationRules::ActionService#perform
    t.timestamps
    t.index :account_id
  end

  # ActiveStorage, as `rails active_storage:install` creates it.
  create_table :active_storage_blobs, force: :cascade do |t|
    t.string :key, null: false
    t.string :filename, null: false
    t.string :content_type
    t.text :metadata
    t.string :service_name, null: false
    t.bigint :byte_size, null: false
    t.string :checksum
    t.datetime :created_at, null: false
    t.index :key, unique: true
  end

  create_table :active_storage_attachments, force: :cascade do |t|
    t.string :name, null: false
    t.references :record, null: false, polymorphic: true, index: false
    t.references :blob, null: false
    t.datetime :created_at, null: false
    t.index %i[record_type record_id name blob_id], name: :index_active_storage_attachments_uniqueness, unique: true
  end

  create_table :active_storage_variant_records, force: :cascade do |t|
    t.belongs_to :blob, null: false, index: false
    t.string :variation_digest, null: false
    t.index %i[blob_id variation_digest], name: :index_active_storage_variant_records_uniqueness, unique: true
  end

  add_foreign_key :active_storage_attachments, :active_storage_blobs, column: :blob_id
  add_foreign_key :active_storage_variant_records, :active_storage_blobs, column: :blob_id
  # Chatwoot's trigger draws display ids from a sequence: concurrent creations never collide.
  execute "CREATE SEQUENCE IF NOT EXISTS conversations_display_id_seq" if json == :jsonb
end

# frozen_string_literal: true

# Runs inside real Chatwoot (`bin/rails runner`, in the chroot): answers the compat task's
# questions about the records, one JSON request per line on stdin, one reply line on
# stdout prefixed with PROBE (anything else Chatwoot prints is not a reply).
require "json"
require "digest"

module WawebCompatProbe # rubocop:disable Metrics/ModuleLength -- one question per method
  module_function

  def setup_users(account_name)
    account = Account.create!(name: account_name)
    password = "Aa1!#{SecureRandom.hex(12)}"
    users = { "admin" => :administrator, "agent" => :agent }.to_h do |key, role|
      user = User.create!(name: "Compat #{key}", email: "#{key}-#{SecureRandom.hex(4)}@example.com",
                          password: password, password_confirmation: password, confirmed_at: Time.current)
      AccountUser.create!(account: account, user: user, role: role)
      # email and password: the dashboard's login form (WAWEB_COMPAT_DASHBOARD=1)
      [key, { "id" => user.id, "token" => user.reload.access_token.token, "email" => user.email,
              "password" => password }]
    end
    { "account_id" => account.id, **users }
  end

  # What Chatwoot's installation onboarding form does once it made the first user (until
  # then the dashboard sends every visitor to /installation/onboarding).
  def finish_onboarding
    ::Redis::Alfred.delete(::Redis::Alfred::CHATWOOT_INSTALLATION_ONBOARDING)
    { "onboarding" => ::Redis::Alfred.get(::Redis::Alfred::CHATWOOT_INSTALLATION_ONBOARDING) }
  end

  def table?(name) = ActiveRecord::Base.connection.table_exists?(name)

  def channel(inbox_id)
    channel = Inbox.find(inbox_id).channel
    { "type" => channel.class.name, "provider" => channel.try(:provider), "phone_number" => channel.try(:phone_number),
      "provider_config" => channel.try(:provider_config) }
  end

  def message(inbox_id, source_id)
    m = Message.find_by(inbox_id: inbox_id, source_id: source_id)
    m && describe(m)
  end

  def message_by_id(id)
    describe(Message.find(id))
  end

  def describe(message)
    conversation = message.conversation
    contact = conversation.contact
    sender = message.sender
    { "id" => message.id, "content" => message.content, "message_type" => message.message_type,
      "status" => message.status, "content_type" => message.content_type, "source_id" => message.source_id,
      "content_attributes" => message.content_attributes, "conversation_id" => conversation.id,
      "sender_type" => message.sender_type, "sender_name" => sender.try(:name),
      "sender_phone" => sender.try(:phone_number), "sender_identifier" => sender.try(:identifier),
      "contact_identifier" => contact&.identifier, "contact_name" => contact&.name,
      "contact_phone" => contact&.phone_number,
      "contact_inbox_source_id" => conversation.contact_inbox&.source_id,
      "attachments" => message.attachments.map { |a| attachment(a) } }
  end

  def attachment(att)
    described = { "file_type" => att.file_type, "fallback_title" => att.fallback_title,
                  "coordinates" => [att.coordinates_lat, att.coordinates_long] }
    return described unless att.file.attached?

    bytes = download(att)
    # The row commits before ActiveStorage uploads the file: not there *yet*.
    return described.merge("file_pending" => true) unless bytes

    described.merge("filename" => att.file.filename.to_s, "content_type" => att.file.content_type,
                    "byte_size" => bytes.bytesize, "sha256" => Digest::SHA256.hexdigest(bytes))
  end

  def download(att)
    att.file.download
  rescue ActiveStorage::FileNotFoundError
    nil
  end

  def conversation_messages(conversation_id)
    Message.where(conversation_id: conversation_id).order(:id).map do |m|
      { "id" => m.id, "message_type" => m.message_type, "content" => m.content, "source_id" => m.source_id }
    end
  end

  def last_activity(inbox_id)
    m = Message.where(inbox_id: inbox_id, message_type: :activity).order(:id).last
    m && { "id" => m.id, "content" => m.content, "in_reply_to" => m.content_attributes["in_reply_to"],
           "conversation_id" => m.conversation_id }
  end

  # A chat's ContactInbox, whichever form of the JID the gem keeps as its source id.
  def chat_contact_inbox(inbox_id, jid)
    user = jid.split("@").first
    ContactInbox.where(inbox_id: inbox_id, source_id: [jid, user, "+#{user}"]).order(:id).first or
      raise ActiveRecord::RecordNotFound, "no contact inbox for #{jid} in inbox #{inbox_id}"
  end

  # The contact a WhatsApp chat is in this inbox (its ContactInbox source id), with its avatar.
  def contact_avatar(inbox_id, source_id)
    contact = chat_contact_inbox(inbox_id, source_id).contact
    avatar = contact.avatar
    bytes = avatar.attached? ? avatar.download : nil
    { "contact_id" => contact.id, "attached" => avatar.attached?, "content_type" => bytes && avatar.content_type,
      "sha256" => bytes && Digest::SHA256.hexdigest(bytes) }
  end

  # An account webhook as an administrator adds it in Settings > Integrations > Webhooks.
  def add_webhook(account_id, url, events)
    Webhook.create!(account_id: account_id, url: url, subscriptions: events).id
  end

  def notification_count(account_id) = Notification.where(account_id: account_id).count

  def import_state(inbox_id)
    ActiveRecord::Base.connection.select_one(
      "SELECT state, messages, chats_done, error FROM waweb_history_imports WHERE inbox_id = #{Integer(inbox_id)}"
    )
  end

  # The conversations of a chat (its ContactInbox source id) in an inbox, oldest first.
  def chat_conversations(inbox_id, source_id)
    contact_inbox = begin
      chat_contact_inbox(inbox_id, source_id)
    rescue ActiveRecord::RecordNotFound
      nil
    end
    return [] unless contact_inbox

    Conversation.where(contact_inbox_id: contact_inbox.id).order(:id).map do |c|
      { "id" => c.id, "status" => c.status, "assignee_id" => c.assignee_id,
        "last_activity_at" => c.last_activity_at&.utc&.iso8601,
        "messages" => c.messages.order(:created_at).map do |m|
          { "source_id" => m.source_id, "message_type" => m.message_type, "content" => m.content,
            "created_at" => m.created_at.utc.iso8601 }
        end }
    end
  end

  # Nothing queued or running on Chatwoot's Sidekiq (the benchmark starts each side idle).
  def sidekiq_idle?
    require "sidekiq/api"
    Sidekiq::Stats.new.enqueued.zero? && Sidekiq::Workers.new.none?
  end

  def counts(inbox_id)
    { "contacts" => Contact.where(account_id: Inbox.find(inbox_id).account_id).count,
      "conversations" => Conversation.where(inbox_id: inbox_id).count,
      "messages" => Message.where(inbox_id: inbox_id).where.not(message_type: :activity).count,
      "activity" => Message.where(inbox_id: inbox_id, message_type: :activity).count,
      "attachments" => Attachment.joins(:message).where(messages: { inbox_id: inbox_id }).count,
      "processed_events" => ActiveRecord::Base.connection.select_value("SELECT count(*) FROM waweb_processed_events") }
  end
end

$stdout.sync = true
$stdout.puts "PROBE #{JSON.generate('ready' => Rails.env)}"
$stdin.each_line do |line|
  request = JSON.parse(line)
  # `rails runner` runs this whole loop inside one executor run, query cache on: each
  # answer must read what the database holds now.
  reply = ActiveRecord::Base.uncached do
    { "ok" => true, "value" => WawebCompatProbe.public_send(request.fetch("call"), *request.fetch("args", [])) }
  end
rescue StandardError => e
  reply = { "ok" => false, "error" => "#{e.class}: #{e.message}" }
ensure
  $stdout.puts "PROBE #{JSON.generate(reply)}"
end

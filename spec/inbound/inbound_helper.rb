# frozen_string_literal: true

require "rails_helper"

# Webhooks as the gateway sends them: fixture bytes, signed with the channel's secret.
module InboundHelpers
  FIXTURE_ROOT = FIXTURES
  EXPECTED = JSON.parse(File.read(File.join(FIXTURES, "expected.json"))).freeze

  def fixture(name)
    File.binread(File.join(FIXTURE_ROOT, name))
  end

  def fixture_names
    Dir.chdir(FIXTURE_ROOT) { Dir["v{7,8}/*.json"] }.sort
  end

  # One FakeGateway for inboxes whose spec needs no gateway of its own: saving a
  # whatsapp_web channel asks the gateway for its status.
  def self.shared_gateway
    @shared_gateway ||= FakeGateway.start.tap do |gateway|
      owner = Process.pid # a forked child (the client's fork spec) must not stop the parent's server
      at_exit { gateway.stop if Process.pid == owner }
    end
  end

  # A whatsapp_web inbox whose gateway is `gateway` (a FakeGateway), or the shared one.
  def create_web_inbox(gateway: nil, phone_number: "+6289600000001", **inbox_attrs)
    gateway ||= InboundHelpers.shared_gateway
    config = { "api_base_url" => gateway.url, "basic_auth_username" => gateway.username,
               "basic_auth_password" => gateway.password }
    create_whatsapp_inbox(provider: "whatsapp_web", phone_number: phone_number, provider_config: config,
                          **inbox_attrs)
  end

  def secret_of(inbox)
    inbox.channel.reload.provider_config["webhook_verify_token"]
  end

  def post_webhook(inbox_or_phone, body, secret: :channel, path: "whatsapp_web", headers: {})
    phone = inbox_or_phone.is_a?(String) ? inbox_or_phone : inbox_or_phone.channel.phone_number
    secret = secret_of(inbox_or_phone) if secret == :channel
    env = { "CONTENT_TYPE" => "application/json" }
    env["HTTP_X_HUB_SIGNATURE_256"] = WawebNative::Signature.sign(secret, body) if secret
    headers.each { |name, value| env["HTTP_#{name.upcase.tr('-', '_')}"] = value }
    post("/webhooks/#{path}/#{phone}", body, env)
    last_response
  end

  # POSTs signed, then runs what was queued through Sidekiq (real Redis).
  def deliver(inbox, body)
    response = post_webhook(inbox, body)
    expect(response.status).to eq(200)
    drain_sidekiq
    response
  end

  # What the app logs while the block runs, one "SEVERITY message" per line.
  def log_lines
    io = StringIO.new
    previous = Rails.logger
    Rails.logger = ActiveSupport::Logger.new(io).tap { |l| l.formatter = ->(sev, _, _, msg) { "#{sev} #{msg}\n" } }
    yield
    io.string
  ensure
    Rails.logger = previous
  end

  # Jobs waiting on the queue the gem files webhooks on (WAWEB_EVENTS_QUEUE, else `default`).
  def events_queue_jobs
    sidekiq_jobs(WawebNative::Inbound::EventsQueue.name)
  end

  def record_counts
    { contacts: Contact.count, contact_inboxes: ContactInbox.count, conversations: Conversation.count,
      messages: Message.count, attachments: Attachment.count }
  end
end

RSpec.configure do |config|
  config.include InboundHelpers, :inbound
  config.before(:each, :inbound) { WawebNative::Inbound::ChannelLookup.clear! }
end

# Webhook bodies shaped like the gateway's v8 envelope, for scenarios the fixtures don't cover.
module InboundBodies
  OWN_JID = "6289600000001@s.whatsapp.net"

  module_function

  def v8(event, payload)
    JSON.generate({ "device_id" => OWN_JID, "event" => event, "payload" => payload })
  end

  # options: body:, chat: (default from), from_lid:, name:, from_me:, and any other payload key.
  def text(id:, from:, **options)
    payload = { "body" => options.delete(:body) || "hi", "chat_id" => options.delete(:chat) || from, "from" => from,
                "from_name" => options.delete(:name) || "Someone", "id" => id,
                "is_from_me" => options.delete(:from_me) || false, "timestamp" => "2026-08-01T10:00:00Z" }
    from_lid = options.delete(:from_lid)
    payload["from_lid"] = from_lid if from_lid
    v8("message", payload.merge(options.transform_keys(&:to_s)))
  end

  def ack(ids, type, chat: "628123456789@s.whatsapp.net")
    v8("message.ack", { "chat_id" => chat, "from" => chat, "ids" => ids, "receipt_type" => type })
  end

  def participants(chat, type, jids)
    v8("group.participants", { "chat_id" => chat, "jids" => jids, "type" => type })
  end

  # The same body as the device of another number sends it: its envelope names that number.
  def from_device(raw, phone)
    raw.sub(%("device_id":"#{OWN_JID}"), %("device_id":"#{phone.delete('^0-9')}@s.whatsapp.net"))
  end
end

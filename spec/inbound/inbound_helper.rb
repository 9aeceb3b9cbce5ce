# frozen_string_literal: true

require "rails_helper"
require_relative "support/provider_stand_in"

# The gem's own table: the host loads its schema.rb directly, so the gem's migration
# is applied here the way `db:migrate` would pick it up from the engine.
module InboundSchema
  module_function

  def ensure!
    return if ActiveRecord::Base.connection.table_exists?(:waweb_processed_events)

    ActiveRecord::Migration.verbose = false
    ActiveRecord::MigrationContext.new(WawebNative::Engine.paths["db/migrate"].existent).migrate
  end
end
InboundSchema.ensure!

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

  # A whatsapp_web inbox whose gateway is `gateway` (a FakeGateway) when given.
  def create_web_inbox(gateway: nil, phone_number: "+6289600000001", **inbox_attrs)
    config = {}
    if gateway
      config = { "api_base_url" => gateway.url, "basic_auth_username" => gateway.username,
                 "basic_auth_password" => gateway.password }
    end
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

  def low_queue_jobs
    sidekiq_jobs("low")
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

# frozen_string_literal: true

require_relative "inbound_helper"

RSpec.describe "WawebNative::Engine and its Chatwoot hooks", :inbound do
  let(:account) { create_account }

  describe "Channel::Whatsapp" do
    it "admits whatsapp_web in the inclusion validator itself, keeping the other providers" do
      validator = Channel::Whatsapp.validators_on(:provider).grep(ActiveModel::Validations::InclusionValidator).sole
      expect(validator.options[:in]).to eq(%w[default whatsapp_cloud whatsapp_web])
      gateway = InboundHelpers.shared_gateway
      config = { "api_base_url" => gateway.url, "basic_auth_username" => gateway.username,
                 "basic_auth_password" => gateway.password }
      expect(Channel::Whatsapp.new(account: account, phone_number: "+15550001", provider: "whatsapp_web",
                                   provider_config: config)).to be_valid
      channel = Channel::Whatsapp.new(account: account, phone_number: "+15550002", provider: "telegram")
      expect(channel).not_to be_valid
      expect(channel.errors[:provider]).to include("is not included in the list")
    end

    it "serves whatsapp_web with Whatsapp::Providers::WhatsappWebService, others as before" do
      expect(create_web_inbox.channel.provider_service).to be_a(Whatsapp::Providers::WhatsappWebService)
      cloud = create_whatsapp_inbox(provider: "whatsapp_cloud").channel
      expect(cloud.provider_service).to be_a(Whatsapp::Providers::WhatsappCloudService)
    end

    it "generates the webhook secret on create for whatsapp_web, and keeps one the admin typed" do
      generated = create_web_inbox.channel.reload.provider_config["webhook_verify_token"]
      expect(generated).to match(/\A\h{32}\z/)
      gateway = InboundHelpers.shared_gateway
      config = { "api_base_url" => gateway.url, "basic_auth_username" => gateway.username,
                 "basic_auth_password" => gateway.password, "webhook_verify_token" => "typed-secret" }
      typed = create_whatsapp_inbox(provider: "whatsapp_web", phone_number: "+15550003", provider_config: config)
      expect(typed.channel.reload.provider_config["webhook_verify_token"]).to eq("typed-secret")
      default = create_whatsapp_inbox(provider: "default", phone_number: "+15550004")
      expect(default.channel.reload.provider_config).not_to have_key("webhook_verify_token")
    end
  end

  describe "ContactInbox#source_id" do
    let(:contact) { create_contact(account: account) }

    it "accepts phone digits, group JIDs and LIDs in a whatsapp_web inbox" do
      inbox = create_web_inbox(account: account)
      %w[5511987654321 120363025246125486@g.us 5511987654321-1612345678@g.us 123456789012345@lid].each do |id|
        expect(ContactInbox.new(contact: contact, inbox: inbox, source_id: id)).to be_valid, id
      end
      %w[5511987654321@s.whatsapp.net status@broadcast 120363123456789012@newsletter +5511987654321
         abc@lid].each do |id|
        expect(ContactInbox.new(contact: contact, inbox: inbox, source_id: id)).not_to be_valid, id
      end
    end

    it "keeps Chatwoot's digits-only rule in other WhatsApp inboxes" do
      inbox = create_whatsapp_inbox(account: account, provider: "default")
      expect(ContactInbox.new(contact: contact, inbox: inbox, source_id: "5511987654321")).to be_valid
      expect(ContactInbox.new(contact: contact, inbox: inbox, source_id: "120363025246125486@g.us")).not_to be_valid
    end
  end

  describe "the 24-hour reply window" do
    def stale_conversation(inbox)
      conversation = create_conversation(inbox: inbox)
      create_message(conversation: conversation, message_type: :incoming).update!(created_at: 3.days.ago)
      conversation
    end

    it "is lifted for whatsapp_web inboxes only" do
      web = stale_conversation(create_web_inbox(account: account))
      cloud = stale_conversation(create_whatsapp_inbox(account: account, provider: "whatsapp_cloud"))
      expect(Conversations::MessageWindowService.new(web).can_reply?).to be(true)
      expect(Conversations::MessageWindowService.new(cloud).can_reply?).to be(false)
    end
  end

  describe "Webhooks::WhatsappEventsJob" do
    it "sends a whatsapp_web channel's params to the whatsapp_web service" do
      inbox = create_web_inbox
      params = JSON.parse(fixture("v8/text.json")).deep_symbolize_keys.merge(phone_number: inbox.channel.phone_number)
      Webhooks::WhatsappEventsJob.perform_now(params)
      expect(Message.sole.source_id).to eq("3EB0A1")
      expect(Message.sole.content).to eq("Hello Chatwoot")
    end
  end

  describe "installation" do
    it "prepends each hook once, however often to_prepare runs" do
      3.times { WawebNative::Chatwoot.install! }
      hooks = WawebNative::Chatwoot::HOOKS.flat_map do |target, names|
        names.map { |name| [target.constantize, WawebNative::Chatwoot.const_get(name)] }
      end
      hooks.each do |target, hook|
        expect(target.ancestors.count(hook)).to eq(1), "#{target} #{hook}"
      end
      expect(Channel::Whatsapp.validators_on(:provider).size).to eq(1)
      expect(Channel::Whatsapp._validate_callbacks.count do |c|
        c.filter.is_a?(ActiveModel::Validations::InclusionValidator)
      end)
        .to eq(1)
    end

    it "autoloads the glue from the engine and routes the webhook" do
      expect(Webhooks::WhatsappWebController.instance_method(:process_payload).source_location.first)
        .to include("lib/waweb_native/app/controllers")
      expect(Rails.application.routes.recognize_path("/webhooks/whatsapp_web/+5511987654321", method: :post))
        .to include(controller: "webhooks/whatsapp_web", action: "process_payload", phone_number: "+5511987654321")
    end

    it "adds the gem's migration to the host's migration paths" do
      expect(Rails.application.config.paths["db/migrate"].to_a)
        .to include(File.expand_path("../../lib/waweb_native/db/migrate", __dir__))
      expect(ActiveRecord::Base.connection.index_exists?(:waweb_processed_events, %i[inbox_id event_key], unique: true))
        .to be(true)
    end
  end
end

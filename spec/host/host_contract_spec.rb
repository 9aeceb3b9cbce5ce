# frozen_string_literal: true

require "rails_helper"

RSpec.describe "The Chatwoot-shaped test host" do
  let(:inbox) { create_whatsapp_inbox(provider: "default") }
  let(:conversation) { create_conversation(inbox: inbox) }

  it "boots with the gem's engine even though spec_helper required the gem before Rails" do
    expect(Rails.application.railties.map(&:class)).to include(WawebNative::Engine)
  end

  describe "Channel::Whatsapp" do
    # The gem's engine swaps the validator for one that also admits whatsapp_web
    # (spec/inbound/engine_hooks_spec.rb); Chatwoot's own frozen array stays as it was.
    it "refuses a provider outside its list, through the inclusion validator" do
      channel = Channel::Whatsapp.new(account: create_account, phone_number: "+15550001111", provider: "telegram")
      expect(channel).not_to be_valid
      expect(channel.errors[:provider]).to include("is not included in the list")
      expect(Channel::Whatsapp::PROVIDERS).to eq(%w[default whatsapp_cloud])
      expect(Channel::Whatsapp::PROVIDERS).to be_frozen
    end

    it "adds Invalid Credentials when the provider service rejects the config, on every save" do
      channel = Channel::Whatsapp.new(account: create_account, phone_number: "+15550001112", provider: "default",
                                      provider_config: {})
      expect(channel).not_to be_valid
      expect(channel.errors[:provider_config]).to eq(["Invalid Credentials"])
      channel = create_whatsapp_inbox(provider: "default").channel
      expect(channel.update(provider_config: {})).to be(false)
    end

    it "generates a webhook verify token for whatsapp_cloud only and syncs templates on create" do
      cloud = create_whatsapp_inbox(provider: "whatsapp_cloud").channel.reload
      expect(cloud.provider_config["webhook_verify_token"]).to match(/\A\h{32}\z/)
      expect(cloud.message_templates_last_updated).to be_present
      expect(inbox.channel.reload.provider_config).not_to have_key("webhook_verify_token")
      expect(cloud.provider_service).to be_a(Whatsapp::Providers::WhatsappCloudService)
      expect(inbox.channel.provider_service).to be_a(Whatsapp::Providers::Whatsapp360DialogService)
    end

    it "stores jsonb on PostgreSQL and json on SQLite" do
      type = Channel::Whatsapp.columns_hash["provider_config"].sql_type
      expect(type).to eq(HostDatabase.postgresql? ? "jsonb" : "json")
    end
  end

  describe "ContactInbox" do
    it "accepts only up to 15 digits as source_id in WhatsApp inboxes" do
      contact = create_contact(account: inbox.account, phone_number: "+5511999990000")
      expect(ContactInbox.new(contact: contact, inbox: inbox, source_id: "5511999990000")).to be_valid
      %w[120363025246125888@g.us 5511999990000@s.whatsapp.net 1234567890123456 +5511999990000].each do |id|
        expect(ContactInbox.new(contact: contact, inbox: inbox, source_id: id)).not_to be_valid, id
      end
    end

    it "is unique per (inbox, source_id) in the database too" do
      ci = create_contact_inbox(inbox: inbox)
      expect { ContactInbox.new(contact: ci.contact, inbox: inbox, source_id: ci.source_id).save!(validate: false) }
        .to raise_error(ActiveRecord::RecordNotUnique)
    end
  end

  describe "Contact" do
    it "wants an E.164 phone number unique per account" do
      account = create_account
      create_contact(account: account, phone_number: "+5511988887777")
      expect(Contact.new(account: account, phone_number: "5511988887777")).not_to be_valid
      expect(Contact.new(account: account, phone_number: "+5511988887777")).not_to be_valid
      expect(Contact.new(account: create_account, phone_number: "+5511988887777")).to be_valid
    end
  end

  describe "Message" do
    it "uses Chatwoot's enum values" do
      expect(Message.message_types).to include("incoming" => 0, "outgoing" => 1, "activity" => 2, "template" => 3)
      expect(Message.statuses).to eq("sent" => 0, "delivered" => 1, "read" => 2, "failed" => 3)
      expect(Message.content_types).to include("text" => 0, "input_select" => 4, "sticker" => 11)
      expect(Conversation.statuses).to eq("open" => 0, "resolved" => 1, "pending" => 2, "snoozed" => 3)
      expect(Attachment.file_types).to include("image" => 0, "location" => 4, "fallback" => 5, "contact" => 8)
    end

    it "never goes back from read to delivered through the status update service" do
      message = create_message(conversation: conversation, status: :read)
      expect(Messages::StatusUpdateService.new(message, "delivered").perform).to be(false)
      expect(message.reload).to be_read
      expect(Messages::StatusUpdateService.new(message, "failed", "gone").perform).to be(true)
      expect(message.reload.content_attributes[:external_error]).to eq("gone")
    end

    it "resolves in_reply_to_external_id within the conversation, or clears it" do
      parent = create_message(conversation: conversation, source_id: "wamid.PARENT")
      other = create_conversation(inbox: inbox)
      create_message(conversation: other, source_id: "wamid.ELSEWHERE")

      reply = create_message(conversation: conversation,
                             content_attributes: { in_reply_to_external_id: "wamid.PARENT" })
      expect(reply.reload.content_attributes[:in_reply_to]).to eq(parent.id)
      expect(reply.content_attributes["in_reply_to_external_id"]).to eq("wamid.PARENT")

      stray = create_message(conversation: conversation,
                             content_attributes: { in_reply_to_external_id: "wamid.ELSEWHERE" })
      expect(stray.reload.content_attributes[:in_reply_to]).to be_nil
      expect(stray.content_attributes[:in_reply_to_external_id]).to be_nil
    end

    it "caps messages per conversation per minute" do
      stub_const("ENV", ENV.to_h.merge("CONVERSATION_MESSAGE_PER_MINUTE_LIMIT" => "2"))
      2.times { create_message(conversation: conversation) }
      expect { create_message(conversation: conversation) }
        .to raise_error(ActiveRecord::RecordInvalid, /Too many messages/)
    end

    it "keeps attachments in ActiveStorage with a download URL" do
      message = create_message(conversation: conversation)
      attachment = message.attachments.create!(account: message.account, file_type: :image,
                                               file: { io: StringIO.new("\x89PNG fake"), filename: "a.png",
                                                       content_type: "image/png" })
      expect(attachment.reload.file.download).to eq("\x89PNG fake".b)
      expect(attachment.download_url).to include("/rails/active_storage/blobs/")
    end
  end

  describe "sending replies" do
    it "enqueues SendReplyJob on high and stores the provider's id as source_id" do
      message = create_message(conversation: conversation, message_type: :outgoing, content: "hi there")
      expect(sidekiq_jobs("high").map { |j| j["wrapped"] }).to eq(["SendReplyJob"])
      ran = drain_sidekiq
      expect(ran.map { |job| job["wrapped"] }.count("SendReplyJob")).to eq(1)
      expect(message.reload.source_id).to start_with("Whatsapp360DialogService-")
      expect(Whatsapp::Providers::StandIn.deliveries.last)
        .to eq(["default", conversation.contact_inbox.source_id, message.id, message.source_id])
    end

    it "skips messages that already have a source_id, private notes and incoming messages" do
      before = Whatsapp::Providers::StandIn.deliveries.size
      typed_on_phone = create_message(conversation: conversation, message_type: :outgoing, source_id: "wamid.PHONE")
      create_message(conversation: conversation, message_type: :outgoing, private: true)
      incoming = create_message(conversation: conversation)
      SendReplyJob.perform_later(incoming.id)
      expect(drain_sidekiq.map { |job| job["wrapped"] }.count("SendReplyJob")).to eq(3)
      expect(Whatsapp::Providers::StandIn.deliveries.size).to eq(before)
      expect(typed_on_phone.reload.source_id).to eq("wamid.PHONE")
    end

    it "re-raises a failing job from drain_sidekiq and leaves it in Sidekiq's retry set" do
      SendReplyJob.perform_later(-1)
      expect { drain_sidekiq }.to raise_error(ActiveRecord::RecordNotFound)
      expect(Sidekiq::RetrySet.new.map(&:display_class)).to eq(["SendReplyJob"])
    end

    it "delays the send of a message with attachments, and drain_sidekiq still runs it" do
      message = Message.new(account: inbox.account, inbox: inbox, conversation: conversation, message_type: :outgoing,
                            sender: create_user, content: "photo")
      message.attachments.new(account: inbox.account, file_type: :image,
                              file: { io: StringIO.new("img"), filename: "p.jpg", content_type: "image/jpeg" })
      message.save!
      expect(Sidekiq::ScheduledSet.new.size).to eq(1)
      drain_sidekiq
      expect(message.reload.source_id).to be_present
    end
  end

  describe "the 24-hour window" do
    it "lets agents reply for 24 h after the last incoming message of a WhatsApp conversation" do
      expect(conversation.can_reply?).to be(false)
      create_message(conversation: conversation, created_at: 23.hours.ago)
      expect(conversation.can_reply?).to be(true)
      Message.update_all(created_at: 25.hours.ago)
      expect(Conversations::MessageWindowService.new(conversation.reload).can_reply?).to be(false)
    end
  end

  describe "the incoming webhook path", :truncation do
    include HostRequestHelper

    it "queues WhatsappEventsJob on low and routes it by provider through real Redis" do
      expect(Webhooks::WhatsappEventsJob.new.queue_name).to eq("low")
      cloud = create_whatsapp_inbox(provider: "whatsapp_cloud", phone_number: "+15551234567")
      post "/webhooks/whatsapp/+15551234567", { object: "whatsapp_business_account", entry: [{ id: "1" }] }.to_json,
           "CONTENT_TYPE" => "application/json"
      expect(last_response.status).to eq(200)
      expect(sidekiq_jobs("low").map { |j| j["wrapped"] }).to eq(["Webhooks::WhatsappEventsJob"])

      processed = Whatsapp::IncomingMessageBaseService.processed
      before = processed.size
      drain_sidekiq(queues: ["low"])
      expect(processed.size).to eq(before + 1)
      service, inbox_id, params = processed.last
      expect([service, inbox_id]).to eq(["Whatsapp::IncomingMessageWhatsappCloudService", cloud.id])
      expect(params[:entry]).to eq([{ "id" => "1" }])
    end

    it "skips unknown, reauthorization-needing and suspended-account channels" do
      inbox = create_whatsapp_inbox(provider: "default", phone_number: "+15557654321")
      processed = Whatsapp::IncomingMessageBaseService.processed
      before = processed.size
      Webhooks::WhatsappEventsJob.perform_later(phone_number: "+19999999999")
      inbox.channel.prompt_reauthorization!
      Webhooks::WhatsappEventsJob.perform_later(phone_number: "+15557654321")
      drain_sidekiq
      inbox.channel.reauthorized!
      inbox.account.suspended!
      Webhooks::WhatsappEventsJob.perform_later(phone_number: "+15557654321")
      drain_sidekiq
      expect(processed.size).to eq(before)
      inbox.account.active!
      Webhooks::WhatsappEventsJob.perform_later(phone_number: "+15557654321")
      drain_sidekiq
      expect(processed.last.first).to eq("Whatsapp::IncomingMessageService")
    end

    it "answers Meta's verify handshake only with the channel's token" do
      channel = create_whatsapp_inbox(provider: "whatsapp_cloud", phone_number: "+15550009999").channel
      token = channel.provider_config["webhook_verify_token"]
      get "/webhooks/whatsapp/+15550009999", "hub.verify_token" => token, "hub.challenge" => "42"
      expect([last_response.status, last_response.body]).to eq([200, "42"])
      get "/webhooks/whatsapp/+15550009999", "hub.verify_token" => "nope", "hub.challenge" => "42"
      expect(last_response.status).to eq(401)
    end

    it "serves the webhook on Puma and round-trips the job through Redis to worker threads" do
      inbox = create_whatsapp_inbox(provider: "default", phone_number: "+15553332222")
      processed = Whatsapp::IncomingMessageBaseService.processed
      before = processed.size
      with_sidekiq_workers(threads: 2) do
        with_puma_host do |url|
          response = Net::HTTP.post(URI("#{url}/webhooks/whatsapp/+15553332222"), { messages: [] }.to_json,
                                    "Content-Type" => "application/json")
          expect(response.code).to eq("200")
        end
        wait_for_sidekiq_idle
      end
      expect(sidekiq_worker_errors).to be_empty
      expect(processed.size).to eq(before + 1)
      expect(processed.last[0, 2]).to eq(["Whatsapp::IncomingMessageService", inbox.id])
    end

    it "runs jobs on real worker threads with committed data" do
      message = nil
      with_sidekiq_workers(threads: 2) do
        message = create_message(conversation: conversation, message_type: :outgoing)
        wait_for_sidekiq_idle
      end
      expect(sidekiq_worker_errors).to be_empty
      expect(message.reload.source_id).to be_present
    end
  end
end

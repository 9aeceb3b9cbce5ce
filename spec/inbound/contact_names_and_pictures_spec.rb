# frozen_string_literal: true

require_relative "inbound_helper"

RSpec.describe "Contacts look as they do on the phone: names and pictures", :inbound do
  let(:gateway) { FakeGateway.start }
  let(:inbox) { create_web_inbox(gateway: gateway) }
  let(:body) { InboundBodies }
  let(:ana) { "628123456789@s.whatsapp.net" }
  let(:group) { "120363025246125888@g.us" }

  after { gateway.stop }

  def avatar_calls = gateway.requests.select { |r| r.path == "/user/avatar" }.map { |r| r.query["phone"] }

  describe "names" do
    it "reads sender_display_name from the webhook (v9.1+), apart from the push name" do
      event = WawebNative::Payload.classify(body.text(id: "N0", from: ana, name: "Ana",
                                                      sender_display_name: "Dr. Ana (dentist)"))
      expect([event.push_name, event.display_name]).to eq(["Ana", "Dr. Ana (dentist)"])
      expect(WawebNative::Payload.classify(body.text(id: "N0", from: ana)).display_name).to be_nil
    end

    it "names a new contact with the phone owner's saved name rather than the push name" do
      deliver(inbox, body.text(id: "N1", from: ana, name: "Ana", sender_display_name: "Dr. Ana (dentist)"))
      expect(Contact.sole.name).to eq("Dr. Ana (dentist)")
    end

    it "uses the push name when the display name is only the number" do
      deliver(inbox, body.text(id: "N2", from: ana, name: "Ana", sender_display_name: "+62 812-3456-789"))
      expect(Contact.sole.name).to eq("Ana")
    end

    it "never overwrites a name an agent edited" do
      deliver(inbox, body.text(id: "N3", from: ana, name: "Ana"))
      Contact.sole.update!(name: "Ana Souza (VIP)")
      deliver(inbox, body.text(id: "N4", from: ana, name: "Ana", sender_display_name: "Dr. Ana (dentist)"))
      expect(Contact.sole.name).to eq("Ana Souza (VIP)")
    end

    it "names group senders likewise" do
      deliver(inbox, body.text(id: "N5", from: ana, chat: group, name: "Ana", sender_display_name: "Dr. Ana"))
      sender = Message.find_by!(source_id: "N5").sender
      expect(sender.name).to eq("Dr. Ana")
      expect(Conversation.sole.contact.name).to eq("Fake group")
    end
  end

  describe "pictures" do
    it "gives a new contact its WhatsApp picture in a job off the webhook's path" do
      picture = FakeGateway.png
      gateway.set_avatar(ana, picture)
      post_webhook(inbox, body.text(id: "P1", from: ana, name: "Ana"))
      ran = drain_sidekiq(queues: %w[default purgable]).map { |job| job["wrapped"] }
      # The message, then (behind it, on `purgable`) the picture, whose blob ActiveStorage analyses.
      expect(ran).to eq(%w[Webhooks::WhatsappWebEventsJob WhatsappWeb::ContactAvatarJob ActiveStorage::AnalyzeJob])
      contact = Contact.sole
      expect(Message.where(source_id: "P1").count).to eq(1)
      expect(contact.avatar).to be_attached
      expect(contact.avatar.download).to eq(picture)
      expect(contact.avatar.content_type).to eq("image/png")
      expect(avatar_calls).to eq([ana])
    end

    it "gives a new group conversation's contact the group's picture, and the sender theirs" do
      deliver(inbox, body.text(id: "P2", from: ana, chat: group, name: "Ana"))
      expect(avatar_calls).to contain_exactly(group, ana)
      expect(Contact.all.map { |c| c.avatar.attached? }).to eq([true, true])
    end

    it "asks at most once a day per contact" do
      deliver(inbox, body.text(id: "P3", from: ana))
      deliver(inbox, body.text(id: "P4", from: ana))
      expect(avatar_calls).to eq([ana])
      contact = Contact.sole
      stamp = (Time.now - (25 * 3600)).utc.iso8601
      contact.update_columns(additional_attributes: contact.additional_attributes.merge(
        "waweb_avatar_checked_at" => stamp
      ))
      deliver(inbox, body.text(id: "P5", from: ana))
      expect(avatar_calls).to eq([ana, ana])
      expect(ActiveStorage::Blob.count).to eq(1) # the same picture is not stored again
    end

    it "queues one picture job for a burst of messages from a contact, however many arrive before it runs" do
      %w[B1 B2 B3].each { |id| post_webhook(inbox, body.text(id: id, from: ana)) }
      3.times { sidekiq_processor.send(:process, pop_sidekiq_job(%w[default])) } # the three messages, in order
      queued = sidekiq_jobs("purgable").map { |job| job["wrapped"] }
      expect(queued).to eq(%w[WhatsappWeb::ContactAvatarJob])
      drain_sidekiq
      expect(avatar_calls).to eq([ana])
      expect(Message.where(source_id: %w[B1 B2 B3]).count).to eq(3)
    end

    it "changes nothing when there is no picture or it is private, and still stores the message" do
      gateway.set_avatar(ana, :none)
      gateway.set_avatar(group, :private)
      log = LogCapture.during { deliver(inbox, body.text(id: "P6", from: ana, chat: group)) }
      expect(Message.where(source_id: "P6").count).to eq(1)
      expect(Contact.all.map { |c| c.avatar.attached? }).to eq([false, false])
      expect(log).to include("that user has no profile picture", "the user has hidden their profile picture")
    end

    it "keeps a picture an agent uploaded" do
      deliver(inbox, body.text(id: "P7", from: "628111111111@s.whatsapp.net", name: "Bob"))
      contact = create_contact(account: inbox.account, name: "Ana", phone_number: "+628123456789")
      contact.avatar.attach(io: StringIO.new("agent's picture"), filename: "ana.jpg", content_type: "image/jpeg")
      deliver(inbox, body.text(id: "P8", from: ana))
      expect(contact.reload.avatar.download).to eq("agent's picture")
    end

    it "never blocks or fails the message when the gateway is down or answers 500" do
      inbox
      gateway.fail_next(:server_error) # the avatar's call: a text message needs nothing else
      log = LogCapture.during { deliver(inbox, body.text(id: "P9", from: ana)) }
      expect(Message.where(source_id: "P9").count).to eq(1)
      expect(Contact.sole.avatar).not_to be_attached
      expect(log).to include("avatar of contact #{Contact.sole.id} (inbox #{inbox.id}): none: something went wrong")

      Contact.sole.update_columns(additional_attributes: {})
      gateway.stop
      log = LogCapture.during { deliver_unchecked(body.text(id: "P10", from: ana)) }
      expect(log).to include("avatar of contact #{Contact.sole.id} (inbox #{inbox.id}): failed " \
                             "(WawebNative::Gateway::ConnectionError): Cannot connect to the WhatsApp gateway")
      expect(Message.where(source_id: "P10").count).to eq(1)
    end
  end

  # Delivers while the gateway itself is down (the webhook comes from a test, not from it).
  def deliver_unchecked(raw)
    expect(post_webhook(inbox, raw).status).to eq(200)
    drain_sidekiq
  end
end

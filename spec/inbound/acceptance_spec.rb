# frozen_string_literal: true

require_relative "inbound_helper"

# The seed's acceptance scenarios, each through the endpoint, Sidekiq and the database.
RSpec.describe "Inbound acceptance scenarios", :inbound do
  let(:gateway) { FakeGateway.start }
  let(:inbox) { create_web_inbox(gateway: gateway) }

  after { gateway.stop }

  it "a text creates the contact, the conversation and the message" do
    expect { deliver(inbox, fixture("v8/text.json")) }
      .to change { [Contact.count, Conversation.count, Message.count] }.from([0, 0, 0]).to([1, 1, 1])
    contact = Contact.sole
    expect([contact.name, contact.phone_number, contact.identifier])
      .to eq(["John Doe", "+628123456789", "628123456789@s.whatsapp.net"])
    conversation = Conversation.sole
    expect([conversation.inbox, conversation.contact, conversation.status]).to eq([inbox, contact, "open"])
    expect(conversation.contact_inbox.source_id).to eq("628123456789")
    message = Message.sole
    expect([message.content, message.message_type, message.sender, message.source_id])
      .to eq(["Hello Chatwoot", "incoming", contact, "3EB0A1"])
  end

  it "an image creates an attachment with the bytes the gateway serves" do
    bytes = Random.new(7).bytes(4096)
    gateway.add_media("1754000000-0b5c1e.jpeg", bytes)
    deliver(inbox, fixture("v8/image_caption.json"))
    message = Message.sole
    expect(message.content).to eq("Check this!")
    attachment = message.attachments.sole
    expect(attachment.file_type).to eq("image")
    expect(attachment.file.download).to eq(bytes)
    expect(attachment.file.filename.to_s).to eq("image-3EB0B1.jpeg")
    expect(attachment.file.content_type).to eq("image/jpeg")
    expect(gateway.requests.map(&:path)).to include("/statics/media/1754000000-0b5c1e.jpeg")
  end

  it "a read receipt updates the status and creates nothing" do
    deliver(inbox, fixture("v8/text.json"))
    reply = create_message(conversation: Conversation.sole, message_type: :outgoing, source_id: "3EB0E1")
    drain_sidekiq
    expect { deliver(inbox, fixture("v8/ack_read_many.json")) }.not_to(change { record_counts })
    expect(reply.reload.status).to eq("read")
  end

  it "a group join leaves an activity message in the group's conversation" do
    deliver(inbox, fixture("v8/group_text.json"))
    conversation = Conversation.sole
    deliver(inbox, fixture("v8/group_participants_join.json"))
    activity = conversation.messages.activity.sole
    expect(activity.content).to eq("John Doe, +628111111111 joined the group")
  end

  it "a bad signature is 401 and nothing is queued or created" do
    response = post_webhook(inbox, fixture("v8/text.json"), secret: "not-the-secret")
    expect(response.status).to eq(401)
    expect(drain_sidekiq).to be_empty
    expect(record_counts.values.sum).to eq(0)
  end
end

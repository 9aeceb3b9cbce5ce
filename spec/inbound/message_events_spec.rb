# frozen_string_literal: true

require_relative "inbound_helper"

RSpec.describe "Inbound message events", :inbound do
  let(:gateway) { FakeGateway.start }
  let(:inbox) { create_web_inbox(gateway: gateway) }
  let(:body) { InboundBodies }

  after { gateway.stop }

  describe "messages typed on the phone (from_me)" do
    it "become outgoing messages with their source_id and are never sent back" do
      deliver(inbox, fixture("v8/text_from_me.json"))
      message = Message.sole
      expect([message.message_type, message.source_id, message.content])
        .to eq(["outgoing", "3EB0A5", "typed on the phone"])
      expect(message.reload.status).to eq("sent")
      expect(message.conversation.contact.phone_number).to eq("+628123456789")
      expect(Contact.count).to eq(1) # not the account's own number
    end

    it "does not duplicate an agent's reply whose id the gateway echoes back" do
      deliver(inbox, fixture("v8/text.json"))
      reply = create_message(conversation: Conversation.sole, message_type: :outgoing, content: "typed on the phone",
                             source_id: "3EB0A5")
      drain_sidekiq
      expect { deliver(inbox, fixture("v8/text_from_me.json")) }.not_to change(Message, :count)
      expect(reply.reload.content).to eq("typed on the phone")
    end
  end

  describe "receipts" do
    let!(:reply) do
      deliver(inbox, fixture("v8/text.json"))
      create_message(conversation: Conversation.sole, message_type: :outgoing, source_id: "3EB0E1").tap do
        drain_sidekiq
      end
    end

    it "never move a status backwards when they arrive out of order" do
      deliver(inbox, body.ack(["3EB0E1"], "read"))
      expect(reply.reload.status).to eq("read")
      deliver(inbox, body.ack(["3EB0E1"], "delivered"))
      expect(reply.reload.status).to eq("read")
    end

    it "move sent to delivered to read, and treat read-self as read" do
      deliver(inbox, fixture("v8/ack_delivered.json"))
      expect(reply.reload.status).to eq("delivered")
      deliver(inbox, body.ack(["3EB0E1"], "read-self"))
      expect(reply.reload.status).to eq("read")
    end

    it "ignore ids that are not in this inbox" do
      other = create_web_inbox(phone_number: "+6289600000004")
      deliver(other, body.from_device(body.ack(["3EB0E1"], "read"), "+6289600000004"))
      expect(reply.reload.status).to eq("sent")
    end
  end

  describe "changes to an existing message" do
    let!(:original) { deliver(inbox, fixture("v8/text.json")) && Message.sole }

    it "edit: content replaced in place, the previous text kept; the same edit twice changes nothing more" do
      2.times { deliver(inbox, fixture("v8/edited.json")) }
      original.reload
      expect(original.content_attributes["bare_content"]).to eq("Hello Chatwoot (edited)")
      expect(original.content_attributes["previous_content"]).to eq("Hello Chatwoot")
      expect(original.content_attributes["edited_at"]).to eq(1_785_578_400)
      expect(Message.where.not(message_type: :activity).count).to eq(1)
    end

    it "revoke: flagged deleted, the original text kept for agents" do
      deliver(inbox, fixture("v8/revoked.json"))
      original.reload
      expect(original.content_attributes["deleted"]).to be(true)
      expect(original.content_attributes["original_content"]).to eq("Hello Chatwoot")
      expect(original.content).to include("Hello Chatwoot")
    end

    it "reactions: one per person, replaced by a newer one, removed by an empty one" do
      deliver(inbox, fixture("v8/reaction.json"))
      deliver(inbox, body.v8("message.reaction", { "chat_id" => "628123456789@s.whatsapp.net", "id" => "R2",
                                                   "from" => "5511987654321@s.whatsapp.net", "is_from_me" => false,
                                                   "reacted_message_id" => "3EB0A1", "reaction" => "🎉" }))
      expect(original.reload.content_attributes["reactions"]).to eq("628123456789" => "👍", "5511987654321" => "🎉")
      deliver(inbox, fixture("v8/reaction_removed.json"))
      expect(original.reload.content_attributes["reactions"]).to eq("5511987654321" => "🎉")
    end

    it "delete-for-me changes nothing" do
      before = original.attributes
      deliver(inbox, fixture("v8/deleted_for_me.json"))
      expect(original.reload.attributes).to eq(before)
    end

    it "a reply names its parent by WhatsApp id" do
      deliver(inbox, fixture("v8/text_reply.json"))
      reply = Message.find_by!(source_id: "3EB0A2")
      expect(reply.content_attributes["in_reply_to"]).to eq(original.id)
    end
  end

  describe "media" do
    it "a failed download still creates the message, with a visible note, the path kept and an error logged" do
      lines = log_lines { deliver(inbox, fixture("v8/image_caption.json")) } # the gateway has no such file: 404
      message = Message.sole
      expect(message.attachments).to be_empty
      expect(message.content).to start_with("Check this!").and include("Media unavailable")
      expect(message.content_attributes["media_path"]).to eq("statics/media/1754000000-0b5c1e.jpeg")
      expect(lines).to match(%r{ERROR.*media download failed.*statics/media/1754000000-0b5c1e\.jpeg})
    end

    it "a gateway error during the download is handled the same way" do
      gateway.add_media("1754000006-6b1c7e.pdf", "%PDF-1.4 test")
      inbox
      gateway.mode = :server_error
      deliver(inbox, fixture("v8/document.json"))
      expect(Message.sole.content_attributes["media_unavailable"]).to be(true)
    end

    it "refuses a media path outside the gateway's statics" do
      deliver(inbox, body.v8("message", { "chat_id" => "628123456789@s.whatsapp.net", "id" => "M9",
                                          "from" => "628123456789@s.whatsapp.net", "image" => "../../etc/passwd" }))
      expect(Message.sole.content).to include("Media unavailable")
      expect(gateway.requests.map(&:path)).not_to include(a_string_including("passwd"))
    end

    it "uses the sender's filename for documents" do
      gateway.add_media("1752404754-uuid.pdf", "%PDF-1.4 contract")
      deliver(inbox, fixture("v7/document.json"))
      file = Message.sole.attachments.sole.file
      expect([file.filename.to_s, file.content_type, file.download]).to eq(["contract.pdf", "application/pdf",
                                                                            "%PDF-1.4 contract"])
    end
  end

  it "an unsupported kind becomes a message with fallback text and the raw event logged" do
    lines = log_lines { deliver(inbox, fixture("v8/poll.json")) }
    expect(Message.sole.content_attributes["is_unsupported"]).to be(true)
    expect(lines).to include("unsupported WhatsApp message 3EB0C4").and include("Lunch?")
  end
end

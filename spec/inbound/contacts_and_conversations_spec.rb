# frozen_string_literal: true

require_relative "inbound_helper"

RSpec.describe "Inbound contacts and conversations", :inbound do
  let(:inbox) { create_web_inbox }
  let(:body) { InboundBodies }

  describe "Brazil's ninth digit" do
    it "finds the contact created under the 13-digit form when the 12-digit form writes" do
      deliver(inbox, body.text(id: "BR1", from: "5511987654321@s.whatsapp.net", name: "Ana"))
      deliver(inbox, body.text(id: "BR2", from: "551187654321@s.whatsapp.net", name: "Ana"))
      expect(Contact.count).to eq(1)
      expect(ContactInbox.pluck(:source_id)).to eq(["5511987654321"])
      expect(Conversation.sole.messages.order(:id).pluck(:source_id)).to eq(%w[BR1 BR2])
    end

    it "finds an agent-created contact whose phone is the other form, and gives it this inbox" do
      contact = create_contact(account: inbox.account, name: "Ana (customer)", phone_number: "+551187654321")
      deliver(inbox, body.text(id: "BR3", from: "5511987654321@s.whatsapp.net", name: "Ana"))
      expect(Contact.sole).to eq(contact)
      expect(contact.reload.name).to eq("Ana (customer)")
      expect(ContactInbox.sole.source_id).to eq("5511987654321")
    end

    it "keeps different people apart outside Brazil's rule" do
      deliver(inbox, body.text(id: "X1", from: "628123456789@s.whatsapp.net"))
      deliver(inbox, body.text(id: "X2", from: "62812345678@s.whatsapp.net"))
      expect(Contact.count).to eq(2)
    end
  end

  describe "LIDs" do
    it "remembers a LID that came with a phone, so a later LID-only message reaches the same contact" do
      deliver(inbox, fixture("v8/text.json")) # 628123456789 with from_lid 251500000001@lid
      contact = Contact.sole
      expect(ContactInbox.where(contact: contact).pluck(:source_id)).to contain_exactly("628123456789",
                                                                                        "251500000001@lid")
      deliver(inbox, body.text(id: "LID2", from: "251500000001@lid", body: "again, hidden number"))
      expect(Contact.count).to eq(1)
      message = Message.find_by!(source_id: "LID2")
      expect(message.sender).to eq(contact)
      expect(message.conversation).to eq(Message.find_by!(source_id: "3EB0A1").conversation)
      expect(message.conversation.contact_inbox.source_id).to eq("628123456789")
    end

    it "gives a LID-only sender a contact without a phone number" do
      deliver(inbox, fixture("v8/text_lid_only.json"))
      contact = Contact.sole
      expect([contact.phone_number, contact.identifier]).to eq([nil, "251500000002@lid"])
      expect(ContactInbox.sole.source_id).to eq("251500000002@lid")
    end

    it "adds the phone to a LID-only contact when the phone later arrives with that LID" do
      deliver(inbox, fixture("v8/text_lid_only.json"))
      deliver(inbox, body.text(id: "LID3", from: "5511912345678@s.whatsapp.net", from_lid: "251500000002@lid"))
      expect(Contact.count).to eq(1)
      expect(Contact.sole.phone_number).to eq("+5511912345678")
      expect(Message.pluck(:conversation_id).uniq.size).to eq(1)
    end

    it "never stores the account's own LID (messages typed on the phone carry it)" do
      deliver(inbox, fixture("v8/text_from_me.json"))
      expect(ContactInbox.where("source_id LIKE ?", "%@lid")).to be_empty
      deliver(inbox, body.text(id: "OWN1", from: InboundBodies::OWN_JID, chat: "628123456789@s.whatsapp.net",
                               from_lid: "999999999@lid"))
      expect(ContactInbox.where("source_id LIKE ?", "%@lid")).to be_empty
    end
  end

  describe "names" do
    it "takes the push name for a new contact and never replaces a name an agent set" do
      deliver(inbox, body.text(id: "N1", from: "628123456789@s.whatsapp.net", name: "Johnny"))
      contact = Contact.sole
      expect(contact.name).to eq("Johnny")
      contact.update!(name: "John (VIP)")
      deliver(inbox, body.text(id: "N2", from: "628123456789@s.whatsapp.net", name: "J."))
      expect(contact.reload.name).to eq("John (VIP)")
    end

    it "replaces a placeholder name (the phone) once a push name is known" do
      deliver(inbox, body.text(id: "N3", from: "628123456789@s.whatsapp.net", name: ""))
      expect(Contact.sole.name).to eq("+628123456789")
      deliver(inbox, body.text(id: "N4", from: "628123456789@s.whatsapp.net", name: "John"))
      expect(Contact.sole.name).to eq("John")
    end
  end

  describe "groups" do
    it "is one conversation whose contact is the group; each message's sender is the participant" do
      group = "120363025246125486@g.us"
      deliver(inbox, body.text(id: "G1", from: "628123456789@s.whatsapp.net", chat: group, name: "John"))
      deliver(inbox, body.text(id: "G2", from: "628111111111@s.whatsapp.net", chat: group, name: "Mary"))
      conversation = Conversation.sole
      expect(conversation.contact.identifier).to eq(group)
      expect(conversation.contact_inbox.source_id).to eq(group)
      expect(conversation.messages.order(:id).map { |m| m.sender.name }).to eq(%w[John Mary])
      expect(Contact.count).to eq(3)
    end

    it "names the group with the gateway's /group/info, and with the JID when the gateway is unreachable" do
      gateway = FakeGateway.start
      named = create_web_inbox(gateway: gateway, phone_number: "+6289600000002")
      group = lambda { |id, chat|
        body.from_device(body.text(id: id, from: "628123456789@s.whatsapp.net", chat: chat), "+6289600000002")
      }
      deliver(named, group.call("G3", "120363000000000001@g.us"))
      expect(Conversation.sole.contact.name).to eq("Fake group")
      gateway.stop
      deliver(named, group.call("G4", "120363000000000002@g.us"))
      expect(Conversation.order(:id).last.contact.name).to eq("120363000000000002@g.us")
    ensure
      gateway&.stop
    end

    it "records participant events only for a group the inbox knows" do
      deliver(inbox, body.participants("120363000000000009@g.us", "leave", ["628123456789@s.whatsapp.net"]))
      expect(record_counts.values.sum).to eq(0)
    end
  end

  describe "one conversation per chat" do
    it "opens a new conversation after the last one was resolved" do
      deliver(inbox, body.text(id: "C1", from: "628123456789@s.whatsapp.net"))
      Conversation.sole.update!(status: :resolved)
      deliver(inbox, body.text(id: "C2", from: "628123456789@s.whatsapp.net"))
      expect(Conversation.count).to eq(2)
      expect(Conversation.order(:id).last.messages.pluck(:source_id)).to eq(["C2"])
    end

    it "reuses (and reopens) the resolved conversation with lock_to_single_conversation" do
      locked = create_web_inbox(phone_number: "+6289600000003", lock_to_single_conversation: true)
      text = ->(id) { body.from_device(body.text(id: id, from: "628123456789@s.whatsapp.net"), "+6289600000003") }
      deliver(locked, text.call("C3"))
      Conversation.sole.update!(status: :resolved)
      deliver(locked, text.call("C4"))
      expect(Conversation.sole.messages.order(:id).pluck(:source_id)).to eq(%w[C3 C4])
      expect(Conversation.sole.status).to eq("open")
    end
  end
end

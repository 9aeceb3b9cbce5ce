# frozen_string_literal: true

require_relative "history_helper"

# The gateway's chat store becomes contacts, conversations and messages exactly as live
# webhooks would make them: same identity rules, WhatsApp's times, once.
RSpec.describe "History import", :history do
  let(:customer) { "6281234567890@s.whatsapp.net" }

  it "imports a 1:1 chat: incoming and typed-on-the-phone messages at their WhatsApp times, oldest first" do
    times = [ago(3600), ago(3000), ago(2000)]
    gateway.store_message(customer, id: "H1", timestamp: times[0], content: "hello", sender_display_name: "Ana")
    gateway.store_message(customer, id: "H2", timestamp: times[1], content: "hi Ana", is_from_me: true)
    gateway.store_message(customer, id: "H3", timestamp: times[2], content: "thanks")

    import!

    contact = Contact.sole
    expect([contact.name, contact.phone_number, contact.identifier]).to eq(["Ana", "+6281234567890", customer])
    conversation = Conversation.sole
    expect(conversation).to be_open
    messages = conversation.messages.order(:created_at)
    expect(messages.map { |m| [m.source_id, m.content, m.message_type] })
      .to eq([%w[H1 hello incoming], ["H2", "hi Ana", "outgoing"], %w[H3 thanks incoming]])
    expect(messages.map { |m| m.created_at.to_i }).to eq(times.map(&:to_i))
    expect(messages.first.sender).to eq(contact)
    expect(conversation.reload.last_activity_at.to_i).to eq(messages.last.created_at.to_i)
    expect(import_state.to_status).to include(state: "done", chats_done: 1, chats_total: 1, messages: 3, error: nil)
    expect(WawebNative::Inbound::ProcessedEvent.where(inbox_id: history_inbox.id).pluck(:event_key))
      .to match_array(%w[message:H1 message:H2 message:H3])
  end

  it "reads every page of chats and messages, within the window only" do
    3.times do |c|
      130.times do |i|
        gateway.store_message("62812000000#{c}@s.whatsapp.net", id: "P#{c}-#{i}", timestamp: ago(7200 + i),
                                                                content: "m#{i}")
      end
    end
    gateway.store_message(customer, id: "OLD", timestamp: ago(9 * 86_400), content: "too old")
    gateway.store_message("6281299999999@s.whatsapp.net", id: "OLDCHAT", timestamp: ago(30 * 86_400))

    import!(days: 7)

    expect(Message.count).to eq(390)
    expect(Message.where(source_id: %w[OLD OLDCHAT])).to be_empty
    expect(import_state.to_status).to include(chats_total: 3, chats_done: 3, messages: 390)
    pages = gateway.requests.select { |r| r.path.include?("/messages") }.map { |r| r.query["offset"].to_i }
    expect(pages.tally).to eq({ 0 => 3, 100 => 3 })
  end

  it "a group: one conversation, each message from its sender; typed-on-the-phone ones outgoing" do
    group = "120363025246125486@g.us"
    gateway.store_message(group, id: "G1", timestamp: ago(600), sender_jid: "6281111111111@s.whatsapp.net",
                                 sender_display_name: "Budi", content: "morning")
    gateway.store_message(group, id: "G2", timestamp: ago(500), sender_jid: "6282222222222@s.whatsapp.net",
                                 sender_display_name: "Citra", content: "hi all")
    gateway.store_message(group, id: "G3", timestamp: ago(400), is_from_me: true, content: "welcome")

    import!

    conversation = Conversation.sole
    expect(conversation.contact.identifier).to eq(group)
    expect(conversation.additional_attributes).to include("chat_type" => "group", "group_jid" => group)
    senders = conversation.messages.order(:created_at).map { |m| [m.source_id, m.message_type, m.sender&.name] }
    expect(senders).to eq([%w[G1 incoming Budi], %w[G2 incoming Citra], ["G3", "outgoing", nil]])
  end

  it "LID-only senders become LID contacts, in a group and in a 1:1 chat" do
    group = "120363000000000001@g.us"
    gateway.store_message(group, id: "L1", timestamp: ago(600), sender_jid: "123456789012345@lid",
                                 sender_display_name: "Dewi", content: "from a lid")
    gateway.store_message("987654321098765@lid", id: "L2", timestamp: ago(500), content: "lid chat")

    import!

    lid_sender = Message.find_by(source_id: "L1").sender
    expect([lid_sender.name, lid_sender.phone_number,
            lid_sender.identifier]).to eq(["Dewi", nil, "123456789012345@lid"])
    lid_chat = Message.find_by(source_id: "L2").conversation
    expect(lid_chat.contact_inbox.source_id).to eq("987654321098765@lid")
    expect(lid_chat.contact.phone_number).to be_nil
  end

  it "a Brazilian number stored without the ninth digit joins the contact and conversation known with it" do
    deliver(history_inbox, live_text(id: "LIVE1", from: "5511987654321@s.whatsapp.net", body: "live"))
    gateway.store_message("551187654321@s.whatsapp.net", id: "BR1", timestamp: ago(300), content: "stored")

    import!

    expect(Contact.count).to eq(1)
    expect(Conversation.sole.messages.pluck(:source_id)).to match_array(%w[LIVE1 BR1])
  end

  it "a chat without a message in the last 24 hours comes in resolved; a recent one open" do
    gateway.store_message(customer, id: "Q1", timestamp: ago(3 * 86_400), content: "old news")
    gateway.store_message(customer, id: "Q2", timestamp: ago(2 * 86_400), content: "still old")
    gateway.store_message("6289999999999@s.whatsapp.net", id: "R1", timestamp: ago(3600), content: "recent")

    import!

    quiet = Message.find_by(source_id: "Q1").conversation
    expect(quiet).to be_resolved
    expect(Message.find_by(source_id: "Q2").conversation).to eq(quiet)
    expect(Message.find_by(source_id: "R1").conversation).to be_open
    expect(Conversation.count).to eq(2)
  end

  it "media: downloaded through /message/:id/download; too large, over budget or gone: its text with a note" do
    png = FakeGateway.png
    gateway.store_message(customer, id: "IMG", timestamp: ago(900), media_type: "image", content: "a photo", bytes: png)
    gateway.store_message(customer, id: "BIG", timestamp: ago(800), media_type: "video", content: "huge",
                                    bytes: "x", file_length: 150 * 1024 * 1024)
    gateway.store_message(customer, id: "DOC", timestamp: ago(700), media_type: "document", filename: "a.pdf",
                                    bytes: "%PDF-1.4 #{'y' * 2000}")
    gateway.store_message(customer, id: "GONE", timestamp: ago(600), media_type: "image", file_length: 10)

    import!(media_budget: png.bytesize + 100)

    image = Message.find_by(source_id: "IMG")
    expect(image.content).to eq("a photo")
    expect(image.attachments.sole.file.download).to eq(png)
    expect(Message.find_by(source_id: "BIG").content)
      .to eq("huge\n\n[Media not imported: this video (150.0 MB) is larger than WhatsApp allows (100 MB). " \
             "It is still on the phone.]")
    expect(Message.find_by(source_id: "DOC").content).to include("media budget (0 MB) is used up")
    expect(Message.find_by(source_id: "GONE").content).to include("Media unavailable")
    expect(Attachment.count).to eq(1)
    expect(import_state.media_bytes).to eq(png.bytesize)
    downloads = gateway.requests.select { |r| r.path.end_with?("/download") }.map { |r| r.path.split("/")[2] }
    expect(downloads).to eq(%w[IMG GONE])
  end

  it "a reply points at the message it quotes; the store's reactions sit on their message" do
    gateway.store_message(customer, id: "ASK", timestamp: ago(900), content: "price?",
                                    reactions: [{ emoji: "👍", sender_jid: HistoryHelpers::OWN_JID, is_from_me: true,
                                                  timestamp: ago(850).iso8601 },
                                                { emoji: "❤️", sender_jid: customer, is_from_me: false,
                                                  timestamp: ago(840).iso8601 }])
    gateway.store_message(customer, id: "ANS", timestamp: ago(800), content: "10", is_from_me: true,
                                    replied_to_id: "ASK")

    import!

    asked = Message.find_by(source_id: "ASK")
    expect(asked.content_attributes["reactions"]).to eq("me" => "👍", "6281234567890" => "❤️")
    expect(Message.find_by(source_id: "ANS").content_attributes).to include("in_reply_to" => asked.id,
                                                                            "in_reply_to_external_id" => "ASK")
  end

  it "importing twice gives each message once, and leaves messages already in Chatwoot as they are" do
    deliver(history_inbox, live_text(id: "H1", from: customer, body: "as delivered live"))
    gateway.store_message(customer, id: "H1", timestamp: ago(100), content: "as stored")
    gateway.store_message(customer, id: "H2", timestamp: ago(50), content: "second")

    import!
    first = Message.order(:id).pluck(:id, :source_id, :content)
    import!

    expect(Message.order(:id).pluck(:id, :source_id, :content)).to eq(first)
    expect(first.map(&:last)).to eq(["as delivered live", "second"])
    expect(import_state.to_status).to include(state: "done", messages: 0)
  end
end

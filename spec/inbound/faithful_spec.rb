# frozen_string_literal: true

require_relative "inbound_helper"

# What Chatwoot 4.9.1's stock dashboard reads for each WhatsApp event: a message's
# content (Markdown in a text bubble), message_type (activity = a centred line),
# content_attributes (in_reply_to = the quote above a line, deleted, ...) and sender.
# These examples pin those records; README "Faithful" says what an agent sees.
RSpec.describe "Faithful: what the stock dashboard shows", :inbound do
  let(:inbox) { create_web_inbox }
  let(:body) { InboundBodies }
  let(:customer) { "628123456789@s.whatsapp.net" }
  let(:group) { "120363025246125486@g.us" }

  def lines
    Message.activity.order(:id).to_a
  end

  def at(seconds)
    Time.at(1_785_578_400 + seconds).utc.iso8601
  end

  # options: target: (WhatsApp id, default 3EB0A1), from:, chat: (default from), time: (seconds), from_me:
  def reaction(id, emoji, **options)
    from = options.fetch(:from, customer)
    body.v8("message.reaction", { "chat_id" => options.fetch(:chat, from), "from" => from, "id" => id,
                                  "is_from_me" => options.fetch(:from_me, false),
                                  "reacted_message_id" => options.fetch(:target, "3EB0A1"), "reaction" => emoji,
                                  "timestamp" => at(options.fetch(:time, 0)) })
  end

  def edit(id, text, time:, target: "3EB0A1", from: customer)
    body.v8("message.edited", { "chat_id" => from, "from" => from, "id" => id, "is_from_me" => false,
                                "original_message_id" => target, "body" => text, "timestamp" => at(time) })
  end

  def revoke(id, target: "3EB0A1", from: customer, chat: nil)
    body.v8("message.revoked", { "chat_id" => chat || from, "from" => from, "id" => id, "is_from_me" => false,
                                 "revoked_message_id" => target, "revoked_chat" => chat || from,
                                 "revoked_from_me" => false, "timestamp" => at(0) })
  end

  describe "reactions" do
    let!(:target) { deliver(inbox, fixture("v8/text.json")) && Message.sole }

    it "added, changed and removed: one activity line each, quoting the message; the reactions follow" do
      deliver(inbox, reaction("R1", "👍", time: 1))
      deliver(inbox, reaction("R2", "❤️", time: 2))
      deliver(inbox, reaction("R3", "", time: 3))

      expect(lines.map(&:content)).to eq([
                                           "John Doe reacted 👍 to “Hello Chatwoot”",
                                           "John Doe changed the reaction on “Hello Chatwoot” from 👍 to ❤️",
                                           "John Doe removed the reaction ❤️ from “Hello Chatwoot”"
                                         ])
      expect(lines.map { |l| [l.message_type, l.sender, l.content_attributes["in_reply_to"]] })
        .to all(eq(["activity", nil, target.id]))
      expect(lines.map { |l| l.content_attributes["reaction"]["emoji"] }).to eq(["👍", "❤️", ""])
      expect(lines.map(&:conversation_id).uniq).to eq([target.conversation_id])
      expect(target.reload.content_attributes["reactions"]).to eq({})
      expect(target.content).to eq("Hello Chatwoot") # the reacted message itself is untouched
    end

    it "the stored state is the reactions; each is shown once, however often it is delivered" do
      3.times { deliver(inbox, reaction("R1", "👍", time: 1)) }
      expect(lines.size).to eq(1)
      expect(target.reload.content_attributes["reactions"]).to eq("628123456789" => "👍")
    end

    it "the same emoji again under a new id changes nothing visible" do
      deliver(inbox, reaction("R1", "👍", time: 1))
      deliver(inbox, reaction("R2", "👍", time: 2))
      expect(lines.size).to eq(1)
    end

    it "a late, older reaction (swapped by Sidekiq) does not undo the newer one" do
      deliver(inbox, reaction("R2", "", time: 5))
      deliver(inbox, reaction("R1", "👍", time: 1))
      expect(target.reload.content_attributes["reactions"]).to eq({})
      expect(lines).to be_empty
    end

    it "removing a reaction nobody made shows nothing" do
      deliver(inbox, reaction("R1", "", time: 1))
      expect(lines).to be_empty
    end

    it "a reaction from the phone itself names this WhatsApp account" do
      deliver(inbox, reaction("R1", "🙏", from: body::OWN_JID, chat: customer, from_me: true))
      expect(lines.sole.content).to eq("This WhatsApp account reacted 🙏 to “Hello Chatwoot”")
      expect(target.reload.content_attributes["reactions"]).to eq("me" => "🙏")
    end

    it "quotes a long message by its first 60 characters and a media message as such" do
      deliver(inbox, body.text(id: "LONG", from: customer, body: "#{'a' * 70}\nsecond line"))
      deliver(inbox, reaction("R1", "👍", target: "LONG"))
      expect(lines.last.content).to eq("John Doe reacted 👍 to “#{'a' * 59}…”")
      deliver(inbox, body.v8("message", { "chat_id" => customer, "from" => customer, "id" => "IMG",
                                          "image" => "statics/media/missing.jpg" }))
      Message.find_by!(source_id: "IMG").update!(content: nil)
      deliver(inbox, reaction("R2", "👍", target: "IMG"))
      expect(lines.last.content).to eq("John Doe reacted 👍 to a message without text")
    end
  end

  describe "edits" do
    let!(:target) { deliver(inbox, fixture("v8/text.json")) && Message.sole }

    it "repeated edits: the newest text marked edited, every earlier text kept and told once" do
      deliver(inbox, edit("E1", "second", time: 10))
      deliver(inbox, edit("E2", "third", time: 20))
      target.reload

      expect(target.content).to eq("third\n\n✏️ Edited")
      expect(target.content_attributes.slice("bare_content", "previous_content", "edited_at"))
        .to eq("bare_content" => "third", "previous_content" => "second", "edited_at" => 1_785_578_420)
      expect(target.content_attributes["edits"]).to eq([{ "content" => "Hello Chatwoot", "edited_at" => 1_785_578_410 },
                                                        { "content" => "second", "edited_at" => 1_785_578_420 }])
      expect(lines.map(&:content)).to eq([
                                           "John Doe edited a message. Before: “Hello Chatwoot” Now: “second”",
                                           "John Doe edited a message. Before: “second” Now: “third”"
                                         ])
      expect(lines.map { |l| l.content_attributes["in_reply_to"] }).to eq([target.id, target.id])
      expect([target.message_type, target.sender]).to eq(["incoming", Conversation.sole.contact])
    end

    it "a first edit delivered again after a second one changes nothing (exactly once)" do
      deliver(inbox, edit("E1", "second", time: 10))
      deliver(inbox, edit("E2", "third", time: 20))
      expect { deliver(inbox, edit("E1", "second", time: 10)) }.not_to(change { target.reload.attributes })
      expect(lines.size).to eq(2)
    end

    it "an older edit arriving after a newer one joins the history without replacing the text" do
      deliver(inbox, edit("E2", "third", time: 20))
      deliver(inbox, edit("E1", "second", time: 10))
      target.reload
      expect(target.content_attributes["bare_content"]).to eq("third")
      expect(target.content_attributes["edits"]).to eq([{ "content" => "Hello Chatwoot", "edited_at" => 1_785_578_410 },
                                                        { "content" => "second", "edited_at" => 1_785_578_420 }])
      expect(target.content_attributes["previous_content"]).to eq("second")
      expect(target.content).to eq("third\n\n✏️ Edited")
      expect(lines.size).to eq(1)
    end

    it "the reply quoting an edited message shows its new text" do
      deliver(inbox, edit("E1", "second", time: 10))
      deliver(inbox, fixture("v8/text_reply.json"))
      reply = Message.find_by!(source_id: "3EB0A2")
      expect(Message.find(reply.content_attributes["in_reply_to"]).content).to start_with("second")
    end
  end

  describe "deletes for everyone" do
    let!(:target) { deliver(inbox, fixture("v8/text.json")) && Message.sole }

    it "the message says it was deleted and quotes what it said; one activity line; flags kept" do
      deliver(inbox, revoke("D1"))
      target.reload
      expect(target.content).to eq("🚫 This message was deleted on WhatsApp. It said: “Hello Chatwoot”")
      expect(target.content_attributes.slice("deleted", "original_content", "bare_content"))
        .to eq("deleted" => true, "original_content" => "Hello Chatwoot", "bare_content" => "Hello Chatwoot")
      expect(lines.sole.content).to eq("John Doe deleted a message on WhatsApp: “Hello Chatwoot”")
      expect(lines.sole.content_attributes["in_reply_to"]).to eq(target.id)
    end

    it "is shown once, however often it is delivered, and an edit after it changes nothing" do
      2.times { deliver(inbox, revoke("D1")) }
      deliver(inbox, revoke("D2"))
      deliver(inbox, edit("E1", "sneaky", time: 30))
      expect(lines.size).to eq(1)
      expect(target.reload.content).to end_with("It said: “Hello Chatwoot”")
    end

    it "an edited message deleted quotes its last text; the history stays" do
      deliver(inbox, edit("E1", "line one\nline two", time: 10))
      deliver(inbox, revoke("D1"))
      target.reload
      expect(target.content).to end_with("It said: “line one\nline two”")
      expect(target.content_attributes["edits"].map { |e| e["content"] }).to eq(["Hello Chatwoot"])
    end

    it "a deleted media message keeps its attachment" do
      gateway = FakeGateway.start
      media_inbox = create_web_inbox(gateway: gateway, phone_number: "+6289600000007")
      gateway.add_media("1754000001-1a2b3c.jpg", "\xFF\xD8\xFF jpeg".b)
      image = body.v8("message", { "chat_id" => customer, "from" => customer, "id" => "IMG1",
                                   "image" => "statics/media/1754000001-1a2b3c.jpg" })
      deliver(media_inbox, body.from_device(image, media_inbox.channel.phone_number))
      deliver(media_inbox, body.from_device(revoke("D9", target: "IMG1"), media_inbox.channel.phone_number))
      message = Message.find_by!(source_id: "IMG1")
      expect(message.content).to eq("🚫 This message was deleted on WhatsApp.")
      expect(message.attachments.size).to eq(1)
    ensure
      gateway&.stop
    end
  end

  it "a named location has no content, so the dashboard draws its map card with the name as title" do
    deliver(inbox, body.v8("message", { "chat_id" => customer, "from" => customer, "id" => "LOC",
                                        "location" => { "degreesLatitude" => -23.5, "degreesLongitude" => -46.6,
                                                        "name" => "Paulista Ave" } }))
    message = Message.sole
    expect(message.content).to be_nil
    expect(message.attachments.sole.slice(:file_type, :fallback_title, :coordinates_lat))
      .to eq("file_type" => "location", "fallback_title" => "Paulista Ave", "coordinates_lat" => -23.5)
  end

  it "a deleted text that would quote past Chatwoot's content limit is cut, whole in bare_content" do
    text = "x\n" * 74_990 # under the limit alone, over it with the delete note
    deliver(inbox, body.text(id: "BIG", from: customer, body: text))
    deliver(inbox, revoke("DBIG", target: "BIG"))
    message = Message.find_by!(source_id: "BIG")
    expect(message.content.length).to eq(150_000)
    expect(message.content).to end_with("…")
    expect(message.content_attributes["bare_content"]).to eq(text)
  end

  describe "group messages" do
    def group_text(id, from:, text: "hello group", name: nil, **extra)
      body.text(id: id, from: from, chat: group, body: text, name: name, **extra)
    end

    it "begin with the sender's name in bold; the parts are kept apart" do
      deliver(inbox, fixture("v8/group_text.json"))
      message = Message.sole
      expect(message.content).to eq("**John Doe**\nhello group")
      expect(message.content_attributes.slice("sender_label", "bare_content"))
        .to eq("sender_label" => "John Doe", "bare_content" => "hello group")
      expect([message.message_type, message.sender.phone_number]).to eq(["incoming", "+628123456789"])
    end

    it "show the number when the name is unknown, and an agent's name for the contact when there is one" do
      deliver(inbox, group_text("G1", from: "5511987654321@s.whatsapp.net", name: " "))
      expect(Message.last.content).to eq("**+5511987654321**\nhello group")
      Contact.find_by!(phone_number: "+5511987654321").update!(name: "Ana (supplier)")
      deliver(inbox, group_text("G2", from: "5511987654321@s.whatsapp.net", name: " "))
      expect(Message.last.content).to eq("**Ana (supplier)**\nhello group")
    end

    it "name a participant known only by a LID by its push name, else as unknown" do
      deliver(inbox, group_text("GL1", from: "251500000009@lid", name: "Zé"))
      deliver(inbox, group_text("GL2", from: "251500000008@lid", name: " "))
      expect(Message.order(:id).pluck(:content)).to eq(["**Zé**\nhello group", "**Unknown participant**\nhello group"])
    end

    it "escape Markdown in names" do
      deliver(inbox, group_text("G1", from: "5511987654321@s.whatsapp.net", name: "*star* _x_"))
      expect(Message.last.content).to eq("**\\*star\\* \\_x\\_**\nhello group")
    end

    it "put the name alone on a media message without caption; locations and contact cards are left alone" do
      deliver(inbox, body.v8("message", { "chat_id" => group, "from" => customer, "from_name" => "John Doe",
                                          "id" => "GIMG", "image" => "statics/media/missing.jpg" }))
      expect(Message.find_by!(source_id: "GIMG").content).to start_with("**John Doe**\nMedia unavailable")
      deliver(inbox, body.v8("message", { "chat_id" => group, "from" => customer, "from_name" => "John Doe",
                                          "id" => "GLOC",
                                          "location" => { "degreesLatitude" => -23.5, "degreesLongitude" => -46.6 } }))
      located = Message.find_by!(source_id: "GLOC")
      expect(located.content_attributes).not_to have_key("sender_label")
      expect(located.sender.name).to eq("John Doe") # the location bubble says "John Doe has shared a location"
    end

    it "an edit or a delete keeps the sender line" do
      deliver(inbox, fixture("v8/group_text.json"))
      deliver(inbox, body.v8("message.edited", { "chat_id" => group, "from" => customer, "id" => "GE1",
                                                 "original_message_id" => "3EB0A6", "body" => "hello all",
                                                 "timestamp" => at(5) }))
      expect(Message.find_by!(source_id: "3EB0A6").content).to eq("**John Doe**\nhello all\n\n✏️ Edited")
      deliver(inbox, revoke("GD1", target: "3EB0A6", from: customer, chat: group))
      expect(Message.find_by!(source_id: "3EB0A6").content)
        .to eq("**John Doe**\n🚫 This message was deleted on WhatsApp. It said: “hello all”")
    end

    it "a reaction in a group names the participant who reacted" do
      deliver(inbox, fixture("v8/group_text.json"))
      deliver(inbox, group_text("G1", from: "5511987654321@s.whatsapp.net", name: "Ana"))
      deliver(inbox, reaction("GR1", "😂", target: "3EB0A6", from: "5511987654321@s.whatsapp.net", chat: group))
      expect(lines.sole.content).to eq("Ana reacted 😂 to “hello group”")
    end

    it "names in activity lines cannot carry HTML" do
      deliver(inbox, fixture("v8/group_text.json"))
      deliver(inbox, group_text("G1", from: "5511987654321@s.whatsapp.net", name: "<img src=x>"))
      deliver(inbox, reaction("GR1", "👍", target: "3EB0A6", from: "5511987654321@s.whatsapp.net", chat: group))
      expect(lines.sole.content).to eq("‹img src=x› reacted 👍 to “hello group”")
    end

    it "show the bare text when the inbox's group_sender_names is false" do
      channel = inbox.channel
      channel.update!(provider_config: channel.provider_config.merge("group_sender_names" => false))
      deliver(inbox, fixture("v8/group_text.json"))
      message = Message.sole
      expect(message.content).to eq("hello group")
      expect(message.content_attributes).not_to have_key("sender_label")
    end

    it "1:1 messages and messages typed on the phone have no sender line" do
      deliver(inbox, fixture("v8/text.json"))
      deliver(inbox, group_text("G1", from: body::OWN_JID, from_me: true))
      expect(Message.order(:id).pluck(:content)).to eq(["Hello Chatwoot", "hello group"])
    end
  end

  context "with committed records and real threads", :truncation do
    def perform(inbox_id, raw)
      ActiveRecord::Base.connection_pool.with_connection do
        Whatsapp::IncomingMessageWhatsappWebService.new(inbox: Inbox.find(inbox_id), raw: raw).perform
      end
    end

    # Runs the block in `count` threads released together; returns their errors.
    def at_once(count)
      gate = Concurrent::CountDownLatch.new(1)
      errors = Concurrent::Array.new
      threads = Array.new(count) do |i|
        Thread.new do
          gate.wait
          yield i
        rescue StandardError => e
          errors << e
        end
      end
      gate.count_down
      threads.each(&:join)
      errors
    end

    let!(:target) { deliver(inbox, fixture("v8/text.json")) && Message.sole }

    it "the same reaction, edit and delete each taken by two threads at once are shown once" do
      [reaction("R1", "👍", time: 1), edit("E1", "second", time: 2), revoke("D1")].each do |raw|
        expect(at_once(2) { perform(inbox.id, raw) }).to be_empty
      end
      expect(lines.map(&:content)).to eq(["John Doe reacted 👍 to “Hello Chatwoot”",
                                          "John Doe edited a message. Before: “Hello Chatwoot” Now: “second”",
                                          "John Doe deleted a message on WhatsApp: “second”"])
      expect(target.reload.content_attributes["edits"].size).to eq(1)
    end

    it "two people reacting at the same moment both keep their reaction" do
      raws = [reaction("R1", "👍", time: 1),
              reaction("R2", "🎉", from: "5511987654321@s.whatsapp.net", chat: customer, time: 1)]
      expect(at_once(2) { |i| perform(inbox.id, raws[i]) }).to be_empty
      expect(target.reload.content_attributes["reactions"]).to eq("628123456789" => "👍", "5511987654321" => "🎉")
      expect(lines.size).to eq(2)
    end
  end
end

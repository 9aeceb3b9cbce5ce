# frozen_string_literal: true

# What each kind of fixture must leave in the database (every_fixture_spec.rb).
# Expects `inbox` and `gateway` (a FakeGateway serving the fixtures' media).
# One module so the whole table of expectations reads in one place.
module FixtureChecks # rubocop:disable Metrics/ModuleLength
  NAMES = Dir.chdir(FIXTURES) { Dir["v{7,8}/*.json"] }.sort.freeze
  TARGET_TEXT = { "v7" => "v7/text.json", "v8" => "v8/text.json" }.freeze
  FILE_TYPES = { "image" => "image", "sticker" => "image", "video" => "video", "audio" => "audio",
                 "document" => "file" }.freeze

  def entry(name)
    InboundHelpers::EXPECTED.fetch(name)
  end

  def media_bytes(path)
    # No magic number: ActiveStorage would sniff the type from it instead of the one given.
    "media:#{path}:\x00\x01\xFE#{'x' * 300}".b
  end

  def serve_all_media
    InboundHelpers::EXPECTED.each_value do |exp|
      gateway.add_media(File.basename(exp["media_path"]), media_bytes(exp["media_path"])) if exp["media_path"]
    end
  end

  def message_id_of(name)
    entry(name)["message_id"] || WawebNative::Payload.classify(fixture(name)).message_id
  end

  def message_for(name)
    Message.find_by!(inbox_id: inbox.id, source_id: message_id_of(name))
  end

  def assert_message(name)
    exp = entry(name)
    message = message_for(name)
    expect(message.message_type).to eq(exp["from_me"] ? "outgoing" : "incoming")
    expect(message.conversation.inbox_id).to eq(inbox.id)
    message
  end

  def assert_text(name)
    exp = entry(name)
    message = assert_message(name)
    expect(message.content).to eq(exp["text"]) if exp["text"]
    assert_reply(message, exp["reply_to_id"]) if exp["reply_to_id"]
    assert_parties(message, exp)
  end

  def assert_reply(message, parent_source_id)
    parent = Message.find_by!(inbox_id: inbox.id, source_id: parent_source_id)
    expect(message.content_attributes["in_reply_to"]).to eq(parent.id)
    expect(message.content_attributes["in_reply_to_external_id"]).to eq(parent_source_id)
  end

  # Who the conversation is with, and who sent the message.
  def assert_parties(message, exp)
    if exp["chat"]&.end_with?("@g.us") then assert_group_parties(message, exp)
    elsif exp["from_me"] then assert_from_me_parties(message, exp["chat"])
    elsif exp["sender"]&.end_with?("@lid") then assert_lid_parties(message, exp["sender"])
    else expect(message.sender).to eq(message.conversation.contact)
    end
  end

  def assert_group_parties(message, exp)
    chat = message.conversation.contact
    expect([chat.identifier, chat.name]).to eq([exp["chat"], "Fake group"])
    expect(message.sender.phone_number).to eq(phone_of(exp["sender"]))
  end

  # Typed on the phone: no contact sent it; the conversation is with the chat.
  def assert_from_me_parties(message, chat)
    expect([message.sender, message.conversation.contact.phone_number]).to eq([nil, phone_of(chat)])
  end

  def assert_lid_parties(message, lid)
    expect([message.sender.identifier, message.sender.phone_number]).to eq([lid, nil])
    expect(message.conversation.contact_inbox.source_id).to eq(lid)
  end

  def phone_of(jid)
    "+#{jid.split('@').first}"
  end

  def assert_media(name)
    exp = entry(name)
    message = assert_message(name)
    expect(message.content).to eq(exp["caption"].presence) if exp.key?("caption")
    return assert_not_downloaded(message, exp) if exp["media_url"]

    assert_attachment(message, exp)
  end

  def assert_not_downloaded(message, exp)
    expect(message.attachments).to be_empty
    expect(message.content).to include("Media not downloaded")
    expect(message.content_attributes["media_url"]).to eq(exp["media_url"])
  end

  def assert_attachment(message, exp)
    attachment = message.attachments.sole
    file = attachment.file
    expect(attachment.file_type).to eq(FILE_TYPES.fetch(exp["kind"]))
    expect(file.download).to eq(media_bytes(exp["media_path"]))
    expect([file.filename.to_s, file.content_type])
      .to eq([exp["filename"] || expected_filename(exp), expected_content_type(exp)])
    expect(message.content_type).to eq("sticker") if exp["kind"] == "sticker"
  end

  def expected_filename(entry)
    ext = File.extname(entry["media_path"]).delete_prefix(".")
    "#{entry['kind']}-#{Message.where(inbox_id: inbox.id).last.source_id}.#{ext == 'jpe' ? 'jpg' : ext}"
  end

  def expected_content_type(entry)
    return entry["mime_type"].split(";").first if entry["mime_type"]

    { "jpeg" => "image/jpeg", "jpe" => "image/jpeg", "mp4" => "video/mp4", "ogg" => "audio/ogg",
      "pdf" => "application/pdf", "webp" => "image/webp" }.fetch(File.extname(entry["media_path"]).delete_prefix("."))
  end

  def run_fixture(name)
    exp = entry(name)
    format = name.split("/").first
    case exp["kind"]
    when "text", "image", "video", "audio", "document", "sticker", "contact", "location", "unsupported"
      deliver(inbox, fixture(TARGET_TEXT.fetch(format))) if exp["reply_to_id"]
      deliver(inbox, fixture(name))
      send(:"check_#{%w[text unsupported contact location].include?(exp['kind']) ? exp['kind'] : 'media'}", name)
    else
      send(:"check_#{exp['kind']}", name, format)
    end
  end

  def check_text(name) = assert_text(name)
  def check_media(name) = assert_media(name)

  def check_unsupported(name)
    message = assert_message(name)
    expect(message.content_attributes["is_unsupported"]).to be(true)
    expect(message.content).to include("not supported")
  end

  def check_contact(name)
    exp = entry(name)
    message = assert_message(name)
    attachment = message.attachments.sole
    expect(attachment.file_type).to eq("contact")
    expect(attachment.fallback_title).to eq(exp["contact_phone"] || exp["contact_name"])
    expect(attachment.file.download).to start_with("BEGIN:VCARD").and include("FN:Bob")
    expect(message.content_attributes["vcard"]).to include("BEGIN:VCARD")
  end

  def check_location(name)
    exp = entry(name)
    attachment = assert_message(name).attachments.sole
    expect(attachment.file_type).to eq("location")
    expect([attachment.coordinates_lat, attachment.coordinates_long]).to eq([exp["latitude"], exp["longitude"]])
    expect(attachment.fallback_title).to eq(exp["location_name"]) if exp["location_name"]
  end

  def deliver_target(format)
    deliver(inbox, fixture(TARGET_TEXT.fetch(format)))
    Message.where(inbox_id: inbox.id).order(:id).last
  end

  # A change to a stored message adds exactly one activity line (quoting it) and no other record.
  def expect_one_activity_line(target, &)
    others = -> { record_counts.merge(messages: Message.where.not(message_type: :activity).count) }
    before = others.call
    expect(&).to change { Message.activity.count }.by(1)
    expect(others.call).to eq(before)
    line = Message.activity.order(:id).last
    expect(line.content_attributes["in_reply_to"]).to eq(target.id)
    line
  end

  def check_reaction(name, format)
    target = deliver_target(format)
    deliver(inbox, fixture("v8/reaction.json")) if name == "v8/reaction_removed.json"
    line = expect_one_activity_line(target) { deliver(inbox, fixture(name)) }
    emoji = entry(name)["emoji"]
    reactions = target.reload.content_attributes["reactions"]
    expect(reactions).to eq(emoji.empty? ? {} : { "628123456789" => emoji })
    expect(line.content).to include(emoji.empty? ? "removed the reaction 👍" : "reacted #{emoji}")
  end

  def check_edit(name, format)
    target = deliver_target(format)
    original = target.content
    line = expect_one_activity_line(target) { deliver(inbox, fixture(name)) }
    expect(target.reload.content).to eq("#{entry(name)['text']}\n\n✏️ Edited")
    expect(target.content_attributes["bare_content"]).to eq(entry(name)["text"])
    expect(target.content_attributes["previous_content"]).to eq(original)
    expect(line.content).to include("edited a message. Before: “#{original}”")
  end

  def check_revoke(name, format)
    target = deliver_target(format)
    original = target.content
    line = expect_one_activity_line(target) { deliver(inbox, fixture(name)) }
    expect(target.reload.content_attributes["deleted"]).to be(true)
    expect(target.content_attributes["original_content"]).to eq(original)
    expect(target.content).to start_with("🚫").and end_with("It said: “#{original}”")
    expect(line.content).to include("deleted a message on WhatsApp: “#{original}”")
  end

  def check_delete_for_me(name, format)
    target = deliver_target(format)
    before = target.reload.attributes
    expect { deliver(inbox, fixture(name)) }.not_to(change { record_counts })
    expect(target.reload.attributes).to eq(before)
  end

  def check_receipt(name, format)
    conversation = deliver_target(format).conversation
    ids = entry(name)["ids"]
    ids.each { |id| create_message(conversation: conversation, message_type: :outgoing, source_id: id) }
    drain_sidekiq
    expect { deliver(inbox, fixture(name)) }.not_to(change { record_counts })
    expected = entry(name)["receipt_type"] == "delivered" ? "delivered" : "read"
    expect(Message.where(source_id: ids).pluck(:status)).to all(eq(expected))
  end

  def check_group_participants(name, _format)
    # v8's group is the one of v8/group_text.json; v7's is a group this inbox has never seen.
    return check_unknown_group(name) unless entry(name)["chat"] == "120363025246125486@g.us"

    deliver(inbox, fixture("v8/group_text.json"))
    activities = Conversation.sole.messages.activity
    expect { deliver(inbox, fixture(name)) }.to change(activities, :count).by(1)
    verb = WawebNative::Inbound::GroupActivity::VERBS.fetch(entry(name)["group_action"].to_sym)
    expect(activities.sole.content).to eq("John Doe, +628111111111 #{verb}")
  end

  def check_unknown_group(name)
    expect { deliver(inbox, fixture(name)) }.not_to(change { record_counts })
  end

  def check_group_joined(name, _format) = check_unknown_group(name)

  def check_ignored(name)
    expect(post_webhook(inbox, fixture(name)).status).to eq(200)
    expect(drain_sidekiq).to be_empty
    expect(record_counts.values.sum).to eq(0)
  end

  %w[presence call newsletter unknown].each do |kind|
    define_method(:"check_#{kind}") { |name, _format| check_ignored(name) }
  end
end

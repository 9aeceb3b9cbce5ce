# frozen_string_literal: true

require_relative "inbound_helper"

# Every webhook fixture, signed, through the real endpoint, Sidekiq on real Redis and
# the database, with the records each kind must leave.
RSpec.describe "Every webhook fixture, end to end", :inbound do
  FIXTURE_NAMES = Dir.chdir(FIXTURES) { Dir["v{7,8}/*.json"] }.sort.freeze
  TARGET_TEXT = { "v7" => "v7/text.json", "v8" => "v8/text.json" }.freeze
  FILE_TYPES = { "image" => "image", "sticker" => "image", "video" => "video", "audio" => "audio",
                 "document" => "file" }.freeze

  before(:all) { @gateway = FakeGateway.start } # rubocop:disable RSpec/InstanceVariable
  after(:all) { @gateway.stop } # rubocop:disable RSpec/InstanceVariable

  let(:gateway) { @gateway } # rubocop:disable RSpec/InstanceVariable
  let(:inbox) { create_web_inbox(gateway: gateway) }

  def entry(name)
    InboundHelpers::EXPECTED.fetch(name)
  end

  def media_bytes(path)
    # No magic number: ActiveStorage would sniff the type from it instead of the one given.
    "media:#{path}:\x00\x01\xFE#{'x' * 300}".b
  end

  def serve_all_media
    InboundHelpers::EXPECTED.each_value do |e|
      gateway.add_media(File.basename(e["media_path"]), media_bytes(e["media_path"])) if e["media_path"]
    end
  end

  def message_id_of(name)
    entry(name)["message_id"] || WawebNative::Payload.classify(fixture(name)).message_id
  end

  def message_for(name)
    Message.find_by!(inbox_id: inbox.id, source_id: message_id_of(name))
  end

  def assert_message(name)
    e = entry(name)
    message = message_for(name)
    expect(message.message_type).to eq(e["from_me"] ? "outgoing" : "incoming")
    expect(message.conversation.inbox_id).to eq(inbox.id)
    message
  end

  def assert_text(name)
    e = entry(name)
    message = assert_message(name)
    expect(message.content).to eq(e["text"]) if e["text"]
    if e["reply_to_id"]
      parent = Message.find_by!(inbox_id: inbox.id, source_id: e["reply_to_id"])
      expect(message.content_attributes["in_reply_to"]).to eq(parent.id)
      expect(message.content_attributes["in_reply_to_external_id"]).to eq(e["reply_to_id"])
    end
    if e["chat"]&.end_with?("@g.us")
      expect(message.conversation.contact.identifier).to eq(e["chat"])
      expect(message.conversation.contact.name).to eq("Fake group")
      expect(message.sender.phone_number).to eq("+#{e['sender'].split('@').first}")
    elsif e["from_me"]
      expect(message.sender).to be_nil
      expect(message.conversation.contact.phone_number).to eq("+#{e['chat'].split('@').first}")
    elsif e["sender"]&.end_with?("@lid")
      expect(message.sender.identifier).to eq(e["sender"])
      expect(message.sender.phone_number).to be_nil
      expect(message.conversation.contact_inbox.source_id).to eq(e["sender"])
    else
      expect(message.sender).to eq(message.conversation.contact)
    end
  end

  def assert_media(name)
    e = entry(name)
    message = assert_message(name)
    expect(message.content).to eq(e["caption"].presence) if e.key?("caption")
    if e["media_url"]
      expect(message.attachments).to be_empty
      expect(message.content).to include("Media not downloaded")
      expect(message.content_attributes["media_url"]).to eq(e["media_url"])
      return
    end
    expect(message.attachments.size).to eq(1)
    attachment = message.attachments.first
    expect(attachment.file_type).to eq(FILE_TYPES.fetch(e["kind"]))
    expect(attachment.file.download).to eq(media_bytes(e["media_path"]))
    expect(attachment.file.filename.to_s).to eq(e["filename"] || expected_filename(e))
    expect(attachment.file.content_type).to eq(expected_content_type(e))
    expect(message.content_type).to eq("sticker") if e["kind"] == "sticker"
  end

  def expected_filename(e)
    ext = File.extname(e["media_path"]).delete_prefix(".")
    "#{e['kind']}-#{Message.where(inbox_id: inbox.id).last.source_id}.#{ext == 'jpe' ? 'jpg' : ext}"
  end

  def expected_content_type(e)
    return e["mime_type"].split(";").first if e["mime_type"]

    { "jpeg" => "image/jpeg", "jpe" => "image/jpeg", "mp4" => "video/mp4", "ogg" => "audio/ogg",
      "pdf" => "application/pdf", "webp" => "image/webp" }.fetch(File.extname(e["media_path"]).delete_prefix("."))
  end

  def run_fixture(name)
    e = entry(name)
    format = name.split("/").first
    case e["kind"]
    when "text", "image", "video", "audio", "document", "sticker", "contact", "location", "unsupported"
      deliver(inbox, fixture(TARGET_TEXT.fetch(format))) if e["reply_to_id"]
      deliver(inbox, fixture(name))
      send(:"check_#{%w[text unsupported contact location].include?(e['kind']) ? e['kind'] : 'media'}", name)
    else
      send(:"check_#{e['kind']}", name, format)
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
    e = entry(name)
    message = assert_message(name)
    attachment = message.attachments.sole
    expect(attachment.file_type).to eq("contact")
    expect(attachment.fallback_title).to eq(e["contact_phone"] || e["contact_name"])
    expect(attachment.file.download).to start_with("BEGIN:VCARD").and include("FN:Bob")
    expect(message.content_attributes["vcard"]).to include("BEGIN:VCARD")
  end

  def check_location(name)
    e = entry(name)
    attachment = assert_message(name).attachments.sole
    expect(attachment.file_type).to eq("location")
    expect([attachment.coordinates_lat, attachment.coordinates_long]).to eq([e["latitude"], e["longitude"]])
    expect(attachment.fallback_title).to eq(e["location_name"]) if e["location_name"]
  end

  def deliver_target(format)
    deliver(inbox, fixture(TARGET_TEXT.fetch(format)))
    Message.where(inbox_id: inbox.id).order(:id).last
  end

  def check_reaction(name, format)
    target = deliver_target(format)
    deliver(inbox, fixture("v8/reaction.json")) if name == "v8/reaction_removed.json"
    expect { deliver(inbox, fixture(name)) }.not_to(change { record_counts })
    reactions = target.reload.content_attributes["reactions"]
    expect(reactions).to eq(entry(name)["emoji"].empty? ? {} : { "628123456789" => entry(name)["emoji"] })
  end

  def check_edit(name, format)
    target = deliver_target(format)
    original = target.content
    expect { deliver(inbox, fixture(name)) }.not_to(change { record_counts })
    expect(target.reload.content).to eq(entry(name)["text"])
    expect(target.content_attributes["previous_content"]).to eq(original)
  end

  def check_revoke(name, format)
    target = deliver_target(format)
    original = target.content
    expect { deliver(inbox, fixture(name)) }.not_to(change { record_counts })
    expect(target.reload.content_attributes["deleted"]).to be(true)
    expect(target.content_attributes["original_content"]).to eq(original)
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
    chat = entry(name)["chat"]
    if chat == "120363025246125486@g.us"
      deliver(inbox, fixture("v8/group_text.json"))
      conversation = Conversation.sole
      expect { deliver(inbox, fixture(name)) }.to change { conversation.messages.activity.count }.by(1)
      activity = conversation.messages.activity.sole
      verb = WawebNative::Inbound::GroupActivity::VERBS.fetch(entry(name)["group_action"].to_sym)
      expect(activity.content).to eq("John Doe, +628111111111 #{verb}")
    else # a group this inbox has never seen
      expect { deliver(inbox, fixture(name)) }.not_to(change { record_counts })
    end
  end

  def check_group_joined(name, _format)
    expect { deliver(inbox, fixture(name)) }.not_to(change { record_counts })
  end

  def check_ignored(name)
    expect(post_webhook(inbox, fixture(name)).status).to eq(200)
    expect(drain_sidekiq).to be_empty
    expect(record_counts.values.sum).to eq(0)
  end

  %w[presence call newsletter unknown].each do |kind|
    define_method(:"check_#{kind}") { |name, _format| check_ignored(name) }
  end

  FIXTURE_NAMES.each do |name|
    it "#{name} (#{InboundHelpers::EXPECTED.fetch(name)['kind']})" do
      serve_all_media
      inbox
      run_fixture(name)
      expect(sidekiq_queue_sizes.values.sum).to eq(0)
    end
  end

  it "covers every fixture file" do
    expect(FIXTURE_NAMES.size).to eq(InboundHelpers::EXPECTED.size)
    expect(FIXTURE_NAMES.size).to be >= 53
  end
end

# frozen_string_literal: true

require_relative "../../../spec/support/gateway_json"

module Compat
  module Chatwoot
    # Every webhook fixture of ../shared/fixtures/webhooks, byte for byte, signed with the
    # inbox's secret and POSTed to Chatwoot; each checked on the records it must leave
    # (the same expectations as spec/inbound/support/fixture_checks.rb, read through the
    # probe). Targets come before what acts on them: messages, then reactions, edits,
    # deletes and revokes, then groups, receipts and the events that must be ignored.
    class FixtureWebhooks
      DIR = ENV.fetch("WAWEB_FIXTURES") { File.expand_path("../shared/fixtures/webhooks", Compat::PROJECT) }
      FILE_TYPES = { "image" => "image", "sticker" => "image", "video" => "video", "audio" => "audio",
                     "document" => "file" }.freeze
      MESSAGE_KINDS = %w[text image video audio document sticker contact location unsupported].freeze
      ORDER = %w[text image video audio document sticker contact location unsupported reaction edit
                 delete_for_me revoke group_participants group_joined receipt presence call newsletter unknown].freeze
      GROUP = "120363025246125486@g.us"

      # Kept for the steps that build webhook bodies (spec/support/gateway_json.rb).
      def self.gateway_json(value) = GatewayJson.generate(value)

      def initialize(scenario)
        @s = scenario
        @t = scenario.t
        @expected = JSON.parse(File.read(File.join(DIR, "expected.json")))
      end

      def run
        @t.section("Signed webhooks: every fixture of ../shared/fixtures/webhooks")
        @expected.each_value do |exp|
          @s.gateway.add_media(File.basename(exp["media_path"]), media_bytes(exp["media_path"])) if exp["media_path"]
        end
        forged
        names = @expected.keys.sort_by { |n| [n.start_with?("v8") ? 0 : 1, ORDER.index(@expected[n]["kind"]) || 99, n] }
        names.each { |name| @t.step("#{name} (#{@expected[name]['kind']})") { run_fixture(name) } }
      end

      private

      def body(name) = File.binread(File.join(DIR, name))

      # No magic number: ActiveStorage must keep the type the gateway gave.
      def media_bytes(path) = "media:#{path}:\x00\x01\xFE#{'x' * 300}".b

      def forged
        @t.step("a forged webhook (no signature) is refused") do
          before = @s.counts
          code = @s.deliver(body("v8/text.json"), signed: false).code
          @t.check(code == "401", "HTTP #{code}")
          @t.check(@s.counts == before, "records changed")
          "HTTP 401, nothing stored"
        end
      end

      def deliver!(name)
        response = @s.deliver(body(name))
        @t.check(response.code == "200", "HTTP #{response.code}: #{response.body.to_s[0, 200]}")
      end

      def message_id(name)
        @expected[name]["message_id"] || JSON.parse(body(name)).then do |b|
          b.dig("message", "id") || b.dig("payload", "id")
        end
      end

      def arrived(name)
        id = message_id(name)
        # A message's attachment row is visible a moment before its file is stored.
        @s.wait_for("message #{id} and its files") do
          found = @s.message(id)
          found unless found.nil? || found["attachments"].any? { |a| a["file_pending"] }
        end
      end

      def run_fixture(name)
        exp = @expected[name]
        kind = exp["kind"]
        return check_message(name, exp) if MESSAGE_KINDS.include?(kind)

        send(:"check_#{kind}", name, exp)
      end

      def check_message(name, exp)
        deliver!(name)
        msg = arrived(name)
        @t.check(msg["message_type"] == (exp["from_me"] ? "outgoing" : "incoming"), "type #{msg['message_type']}")
        @t.check(msg["content"] == exp["text"], "content #{msg['content'].inspect}") if exp["text"]
        parties(msg, exp)
        reply_link(msg, exp["reply_to_id"]) if exp["reply_to_id"]
        detail = case exp["kind"]
                 when "text" then "\"#{msg['content'].to_s[0, 40]}\""
                 when "contact", "location" then attachment_of_kind(msg, exp["kind"])
                 when "unsupported" then unsupported(msg)
                 else media(msg, exp)
                 end
        "#{msg['message_type']} message #{msg['id']} in conversation #{msg['conversation_id']}: #{detail}"
      end

      def parties(msg, exp)
        if exp["chat"]&.end_with?("@g.us")
          @t.check(msg["contact_identifier"] == exp["chat"], "not in the group's conversation")
          if exp["sender"]
            @t.check(msg["sender_phone"] == "+#{exp['sender'].split('@').first}",
                     "sender #{msg['sender_phone']}")
          end
        elsif exp["from_me"]
          @t.check(msg["sender_type"].nil?, "typed on the phone but sent by #{msg['sender_type']}")
        elsif exp["chat"]&.end_with?("@lid")
          @t.check(msg["contact_inbox_source_id"] == exp["chat"], "source id #{msg['contact_inbox_source_id']}")
        else
          @t.check(msg["sender_type"] == "Contact", "sender #{msg['sender_type']}")
        end
      end

      def reply_link(msg, parent_source_id)
        parent = @s.message(parent_source_id)
        @t.check(parent && msg["content_attributes"]["in_reply_to"] == parent["id"],
                 "not linked to #{parent_source_id}")
      end

      def media(msg, exp)
        if exp["media_url"] || exp["media_path"].nil?
          @t.check(msg["attachments"].empty? && msg["content"].to_s.include?("Media not downloaded"), "expected a note")
          return "not downloaded (a URL only), noted"
        end
        caption(msg, exp)
        att = msg["attachments"].first
        @t.check(msg["attachments"].size == 1, "#{msg['attachments'].size} attachments")
        same_file(att, exp)
        "#{att['file_type']} #{att['filename']} (#{att['content_type']}, #{att['byte_size']} bytes, the served bytes)"
      end

      def caption(msg, exp)
        return unless exp.key?("caption")

        want = exp["caption"].to_s.empty? ? nil : exp["caption"]
        @t.check(msg["content"] == want, "caption #{msg['content'].inspect}")
      end

      def same_file(att, exp)
        @t.check(att["file_type"] == FILE_TYPES.fetch(exp["kind"]), "file_type #{att['file_type']}")
        @t.check(att["sha256"] == Digest::SHA256.hexdigest(media_bytes(exp["media_path"])), "not the gateway's bytes")
        return unless exp["mime_type"]

        @t.check(att["content_type"] == exp["mime_type"].split(";").first, "type #{att['content_type']}")
      end

      def attachment_of_kind(msg, kind)
        att = msg["attachments"].first
        @t.check(att && att["file_type"] == kind, "no #{kind} attachment")
        kind == "contact" ? "vCard #{att['fallback_title']}" : "location #{att['coordinates'].inspect}"
      end

      def unsupported(msg)
        @t.check(msg["content_attributes"]["is_unsupported"] == true, "not flagged unsupported")
        "flagged unsupported"
      end

      def target_of(exp)
        target = @s.message(exp["target_id"])
        @t.check(target, "target #{exp['target_id']} is not stored")
        target
      end

      # Applied to an existing message: no new record anywhere.
      def unchanged_counts
        before = @s.counts.except("processed_events")
        yield
        after = @s.counts.except("processed_events")
        @t.check(after == before, "records changed: #{before} -> #{after}")
      end

      # A change to a stored message: exactly one activity line quoting it, no other record.
      def one_activity_line(target)
        before = @s.counts.except("processed_events")
        yield
        line = @s.wait_for("the activity line") do
          @s.counts["activity"] > before["activity"] ? @s.probe.call("last_activity", @s.inbox_id) : nil
        end
        after = @s.counts.except("processed_events")
        @t.check(after == before.merge("activity" => before["activity"] + 1), "records changed: #{before} -> #{after}")
        @t.check(line["in_reply_to"] == target["id"], "the activity line does not quote message #{target['id']}")
        line
      end

      def check_reaction(name, exp)
        target = target_of(exp)
        want = exp["emoji"].empty? ? {} : { "628123456789" => exp["emoji"] }
        line = one_activity_line(target) do
          deliver!(name)
          @s.wait_for("the reaction") { @s.message(exp["target_id"])["content_attributes"]["reactions"] == want }
        end
        @t.check(line["content"].include?(want.empty? ? "removed the reaction" : "reacted #{exp['emoji']}"),
                 "activity #{line['content'].inspect}")
        what = want.empty? ? "reaction removed" : "#{exp['emoji']} on #{exp['target_id']}"
        "#{what}; activity \"#{line['content']}\""
      end

      def check_edit(name, exp)
        target = target_of(exp)
        original = target["content"]
        line = one_activity_line(target) do
          deliver!(name)
          @s.wait_for("the edit") { @s.message(exp["target_id"])["content_attributes"]["bare_content"] == exp["text"] }
        end
        edited = @s.message(exp["target_id"])
        @t.check(edited["content"] == "#{exp['text']}\n\n✏️ Edited", "content #{edited['content'].inspect}")
        previous = edited["content_attributes"]["previous_content"]
        @t.check(previous == original, "previous_content #{previous.inspect}, was #{original.inspect}")
        @t.check(line["content"].include?("edited a message. Before: “#{original}”"), "activity #{line['content']}")
        "now \"#{exp['text']}\" (was \"#{original}\"), marked edited; one activity line"
      end

      def check_delete_for_me(name, exp)
        before = target_of(exp)
        unchanged_counts { deliver!(name) }
        sleep 2 # a job that would change it has had its time
        @t.check(@s.message(exp["target_id"]) == before, "the message changed")
        "200, the message is left as it was"
      end

      def check_revoke(name, exp)
        target = target_of(exp)
        # An edited message's own text, without the edit mark (what WhatsApp showed).
        original = target["content_attributes"]["bare_content"] || target["content"]
        line = one_activity_line(target) do
          deliver!(name)
          @s.wait_for("the revoke") { @s.message(exp["target_id"])["content_attributes"]["deleted"] == true }
        end
        revoked = @s.message(exp["target_id"])
        kept = revoked["content_attributes"]["original_content"]
        @t.check(kept == original, "original_content #{kept.inspect}")
        @t.check(revoked["content"].start_with?("🚫") && revoked["content"].end_with?("It said: “#{original}”"),
                 "content #{revoked['content'].inspect}")
        @t.check(line["content"].include?("deleted a message on WhatsApp: “#{original}”"),
                 "activity #{line['content']}")
        "marked deleted, the note with the original text; one activity line"
      end

      def check_group_participants(name, exp)
        return check_ignored(name, exp) unless exp["chat"] == GROUP

        conversation = @s.message("3EB0A6")&.fetch("conversation_id")
        @t.check(conversation, "the group's conversation is not there (v8/group_text.json)")
        before = @s.probe.call("conversation_messages", conversation).size
        deliver!(name)
        activity = @s.wait_for("the activity message") do
          list = @s.probe.call("conversation_messages", conversation)
          list.size > before ? list.last : nil
        end
        @t.check(activity["message_type"] == "activity", "a #{activity['message_type']} message")
        @t.check(activity["content"].include?("+628111111111"), "content #{activity['content'].inspect}")
        "activity \"#{activity['content']}\""
      end

      def check_group_joined(name, exp) = check_ignored(name, exp)
      def check_receipt(name, exp) = check_ignored(name, exp, "ids not sent by this inbox: ")

      # Accepted (the gateway must not retry) and no record made.
      def check_ignored(name, _exp, why = "")
        unchanged_counts do
          deliver!(name)
          sleep 1
        end
        "#{why}200, no record"
      end

      %w[presence call newsletter unknown].each do |kind|
        define_method(:"check_#{kind}") { |name, exp| check_ignored(name, exp) }
      end
    end
  end
end

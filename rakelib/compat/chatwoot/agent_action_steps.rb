# frozen_string_literal: true

module Compat
  module Chatwoot
    # What agents do in Chatwoot's dashboard, through Chatwoot's own routes, reaching WhatsApp
    # (a Scenario mixin): opening a conversation marks it read, typing shows "typing…",
    # deleting a reply deletes it for everyone; and the customer's profile picture became
    # the contact's avatar. Each is checked on the fake gateway's recorded calls and the records.
    module AgentActionSteps
      READ = %r{\A/message/[^/]+/read\z}
      PRESENCE = %r{\A/send/chat-presence\z}

      private

      def agent_actions
        t.section("Agent actions through Chatwoot's routes")
        t.step("POST .../conversations/:id/update_last_seen -> /message/:id/read") { seen_marks_read }
        t.step("POST .../toggle_typing_status on, then off -> /send/chat-presence") { typing }
        t.step("DELETE .../conversations/:cid/messages/:id of a reply -> /message/:id/revoke") { delete_revokes }
        t.step("the customer's WhatsApp picture is the contact's avatar") { avatar }
      end

      def conversation_url = "#{host}/api/v1/accounts/#{@account_id}/conversations/#{conversation_id}"

      def gateway_calls(pattern) = gateway.requests.select { |r| r.path.match?(pattern) }

      def agent_post(path, body = nil)
        request(:post, "#{conversation_url}/#{path}", headers: admin_headers, json: body)
      end

      def incoming_source_ids
        probe.call("conversation_messages", conversation_id)
             .select { |m| m["message_type"] == "incoming" }.map { |m| m["source_id"] }
      end

      # The gateway's /message/:id/read calls after one visit (the job marks them in one go).
      def reads_after_visit
        gateway.clear_requests
        t.check((code = agent_post("update_last_seen").code) == "200", "HTTP #{code}")
        wait_for("POST /message/:id/read") { gateway_calls(READ).first }
        sleep 1
        gateway_calls(READ)
      end

      def seen_marks_read
        t.check(conversation_id, "no conversation (the text webhook did not arrive)")
        reads = reads_after_visit
        ids = reads.map { |r| r.path.split("/")[2] }
        t.check((ids - incoming_source_ids).empty?, "marked ids not incoming here: #{ids - incoming_source_ids}")
        phones = reads.map { |r| r.json["phone"] }.uniq
        t.check(phones == [Scenario::CUSTOMER], "phones #{phones}")
        t.check(ids.uniq.size == ids.size, "an id marked twice")
        second_visit_sends_none(reads.size)
        "#{ids.size} incoming message(s) marked read for #{Scenario::CUSTOMER}; a second visit sends none"
      end

      def second_visit_sends_none(count)
        t.check(agent_post("update_last_seen").code == "200", "the second visit failed")
        sleep 2
        t.check(gateway_calls(READ).size == count, "a second visit marked again")
      end

      def presence(action)
        wait_for("/send/chat-presence #{action}") { gateway_calls(PRESENCE).find { |r| r.json["action"] == action } }
      end

      def typing
        gateway.clear_requests
        { "on" => "start", "off" => "stop" }.each do |status, action|
          code = agent_post("toggle_typing_status", { typing_status: status }).code
          t.check(code == "200", "typing #{status}: HTTP #{code}")
          t.check(presence(action).json["phone"] == Scenario::CUSTOMER, "presence to another chat")
        end
        private_note = agent_post("toggle_typing_status", { typing_status: "on", is_private: true }).code
        sleep 2
        starts = gateway_calls(PRESENCE).count { |r| r.json["action"] == "start" }
        t.check(private_note == "200" && starts == 1, "typing a private note showed typing (#{starts} starts)")
        "start, then stop (Chatwoot's AsyncDispatcher -> the gem's listener -> Sidekiq); a private note shows nothing"
      end

      def revoke_call(reply)
        path = %r{\A/message/#{Regexp.escape(reply['source_id'])}/revoke\z}
        wait_for("POST /message/#{reply['source_id']}/revoke") { gateway_calls(path).first }
      end

      def deleted_without_note(id)
        sleep 1
        attributes = probe.call("message_by_id", id)["content_attributes"]
        t.check(attributes["deleted"] == true, "not deleted in Chatwoot")
        t.check(attributes["external_error"].nil?, "noted #{attributes['external_error']}")
      end

      def delete_revokes
        reply = @outgoing&.first
        t.check(reply, "no reply was sent")
        gateway.clear_requests
        code = request(:delete, "#{conversation_url}/messages/#{reply['id']}", headers: admin_headers).code
        t.check(code == "200", "HTTP #{code}")
        t.check(revoke_call(reply).json["phone"] == Scenario::CUSTOMER, "revoke for another chat")
        deleted_without_note(reply["id"])
        "message #{reply['id']} deleted in Chatwoot; POST /message/#{reply['source_id']}/revoke for the customer"
      end

      def avatar
        found = wait_for("the contact's avatar") do
          a = probe.call("contact_avatar", inbox_id, Scenario::CUSTOMER)
          a["attached"] ? a : nil
        end
        t.check(found["sha256"] == Digest::SHA256.hexdigest(FakeGateway.png), "not the gateway's picture")
        "contact #{found['contact_id']}: #{found['content_type']}, the bytes GET /user/avatar pointed at"
      end
    end
  end
end

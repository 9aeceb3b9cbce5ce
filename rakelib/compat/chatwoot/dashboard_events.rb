# frozen_string_literal: true

module Compat
  module Chatwoot
    # What the dashboard steps look at, made through the gateway's webhooks (a Scenario
    # mixin): Maria, a new customer, asks; an agent answers through the API; she reacts to
    # the answer (added, changed, removed), edits a message and deletes another. In the
    # group, a member WhatsApp gives no name for writes. Each change is checked to have made
    # its activity line.
    module DashboardEvents
      MARIA = "628155500011@s.whatsapp.net"
      STRANGER = "628177700022@s.whatsapp.net"

      private

      # One event from the phone's gateway, in its v8 envelope.
      def phone_event(event, payload)
        body = FixtureWebhooks.gateway_json(event: event, device_id: "6289600000001@s.whatsapp.net", payload: payload)
        code = deliver(body).code
        t.check(code == "200", "#{event}: HTTP #{code}")
      end

      def event_time(offset) = (Time.now.utc + offset).strftime("%Y-%m-%dT%H:%M:%SZ")

      def maria_says(id, text, offset)
        phone_event("message", { body: text, chat_id: MARIA, from: MARIA, from_name: "Maria Silva", id: id,
                                 is_from_me: false, timestamp: event_time(offset) })
        wait_for("message #{id}") { message(id) }
      end

      def maria_change(event, id, offset, extra)
        before = counts["activity"]
        phone_event(event, { chat_id: MARIA, from: MARIA, from_name: "Maria Silva", id: id, is_from_me: false,
                             timestamp: event_time(offset) }.merge(extra))
        wait_for("the activity line of #{id}") { counts["activity"] > before }
      end

      def maria_events
        first = maria_says("3EB0E1", "Do you deliver on Sundays?", -60)
        @maria_conversation = first["conversation_id"]
        reply = agent_reply(@maria_conversation, "Yes, from 9 to 12.")
        { "3EB0E2" => "👍", "3EB0E3" => "❤️", "3EB0E4" => "" }.each_with_index do |(id, emoji), i|
          maria_change("message.reaction", id, -50 + i, reacted_message_id: reply["source_id"], reaction: emoji)
        end
        maria_says("3EB0E5", "I need 2 boxes", -40)
        maria_change("message.edited", "3EB0E6", -35, original_message_id: "3EB0E5", body: "I need 3 boxes")
        maria_says("3EB0E7", "Call me at 5 pm", -30)
        maria_change("message.revoked", "3EB0E8", -25, revoked_message_id: "3EB0E7", revoked_chat: MARIA,
                                                       revoked_from_me: false)
        "conversation #{@maria_conversation}: 3 reaction lines, one edit, one delete (each one activity line)"
      end

      # An agent's reply through the API, once the gateway gave it a WhatsApp id.
      def agent_reply(conversation, text)
        url = "#{host}/api/v1/accounts/#{@account_id}/conversations/#{conversation}/messages"
        response = request(:post, url, headers: admin_headers, json: { content: text, message_type: "outgoing" })
        t.check(response.code == "200", "HTTP #{response.code}")
        id = json(response)["id"]
        wait_for("the send of #{id}") { probe.call("message_by_id", id).then { |m| m["source_id"] && m } }
      end

      def stranger_in_group
        phone_event("message", { body: "Who is bringing the cake?", chat_id: FixtureWebhooks::GROUP, from: STRANGER,
                                 id: "3EB0E9", is_from_me: false, timestamp: event_time(-20) })
        msg = wait_for("message 3EB0E9") { message("3EB0E9") }
        t.check(msg["content"] == "**+628177700022**\nWho is bringing the cake?", "content #{msg['content'].inspect}")
        @group_conversation = msg["conversation_id"]
        "content #{msg['content'].inspect}"
      end
    end
  end
end

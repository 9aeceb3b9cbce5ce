# frozen_string_literal: true

require "json"

module WawebNative
  module History
    # A stored message written as the v8 webhook the gateway sends for a live one
    # (gateway-contract.md, "v8+ envelope"), so the inbound path reads both alike.
    # The store has no quoted-message field in v9.2; a `replied_to_id` (the webhook's
    # name) is passed on when a gateway's store has one.
    module WebhookBody
      module_function

      # media: {kind:, path:} of a file the gateway downloaded, or nil; note: a line
      # appended to the text when the media was not imported.
      def message(row, device_id:, media: nil, note: nil)
        payload = common(row)
        reply = row.values_at("replied_to_id", "reply_to_id", "quoted_message_id").find { |id| id.is_a?(String) }
        payload["replied_to_id"] = reply unless reply.to_s.empty?
        text = row["content"].to_s.empty? ? nil : row["content"].to_s
        payload[media[:kind]] = { "path" => media[:path], "caption" => text }.compact if media
        body = media ? text.to_s : [text, note].compact.join("\n\n")
        payload["body"] = body unless body.empty?
        envelope("message", device_id, payload)
      end

      # One of the store's reactions on `row`, as a message.reaction webhook.
      def reaction(row, reaction, device_id:)
        from_me = reaction["is_from_me"] == true
        payload = { "id" => "history-reaction:#{row['id']}:#{reaction['sender_jid']}", "chat_id" => row["chat_jid"],
                    "from" => reaction["sender_jid"].presence || row["chat_jid"], "is_from_me" => from_me,
                    "reaction" => reaction["emoji"].to_s, "reacted_message_id" => row["id"] }
        time = Store.time(reaction["timestamp"])
        payload["timestamp"] = time.iso8601 if time
        envelope("message.reaction", device_id, payload)
      end

      def common(row)
        payload = { "id" => row["id"], "chat_id" => row["chat_jid"], "is_from_me" => row["is_from_me"] == true,
                    "timestamp" => row["timestamp"].utc.iso8601 }
        sender = row["sender_jid"].to_s
        payload["from"] = sender.empty? ? row["chat_jid"] : sender
        name = row["sender_display_name"].to_s.strip
        payload["sender_display_name"] = name unless name.empty? || payload["is_from_me"]
        payload
      end

      def envelope(event, device_id, payload)
        body = { "event" => event, "payload" => payload }
        body["device_id"] = device_id if device_id
        JSON.generate(body)
      end
    end
  end
end

# frozen_string_literal: true

module Compat
  module Chatwoot
    # Agents' replies through Chatwoot's messages API (Chatwoot's SendReplyJob on Sidekiq ->
    # the provider -> the fake gateway), then the gateway's receipts on them (a Scenario mixin).
    module ReplySteps
      PDF = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".b

      private

      def replies
        t.section("Agent replies through Chatwoot's messages API")
        @outgoing = []
        t.step("text reply (POST .../conversations/:id/messages)") { text_reply }
        t.step("image reply (multipart attachments[])") { image_reply }
        t.step("document reply (a PDF)") { document_reply }
        t.step("a photo and a PDF, the gateway failing the PDF, then Chatwoot's Retry") { partial_then_retry }
        t.step("receipts on the replies: delivered, then read") { receipts }
      end

      def conversation_id
        @conversation_id ||= message("3EB0A1")&.fetch("conversation_id")
      end

      def post_reply(**body)
        t.check(conversation_id, "no conversation (the text webhook did not arrive)")
        gateway.clear_requests
        url = "#{host}/api/v1/accounts/#{@account_id}/conversations/#{conversation_id}/messages"
        response = if body[:form]
                     request(:post, url, headers: admin_headers,
                                         form: body[:form])
                   else
                     request(:post, url, headers: admin_headers,
                                         json: body)
                   end
        t.check(response.code == "200", "HTTP #{response.code}: #{response.body[0, 200]}")
        sent(json(response)["id"])
      end

      def attachment_form(content, bytes, filename, type)
        [["content", content], ["message_type", "outgoing"],
         ["attachments[]", StringIO.new(bytes), { filename: filename, content_type: type }]]
      end

      def text_reply
        m = post_reply(content: "Hi John, how can we help?", message_type: "outgoing")
        sent = gateway.requests.find { |r| r.path == "/send/message" }
        t.check(sent&.json == { "phone" => Scenario::CUSTOMER, "message" => "Hi John, how can we help?" },
                "gateway got #{sent&.json.inspect}")
        "POST /send/message; WhatsApp id #{m['source_id']}, status #{m['status']}"
      end

      def image_reply
        png = FakeGateway.png
        m = post_reply(form: attachment_form("Here is the form", png, "form.png", "image/png"))
        req = gateway.requests.find { |r| r.path == "/send/image" }
        t.check(req && req.files.first&.bytes == png, "the image did not reach the gateway")
        t.check(req.fields == { "phone" => Scenario::CUSTOMER, "caption" => "Here is the form" },
                "fields #{req.fields}")
        "POST /send/image (#{png.bytesize} bytes), WhatsApp id #{m['source_id']}"
      end

      def document_reply
        m = post_reply(form: attachment_form("", PDF, "terms.pdf", "application/pdf"))
        req = gateway.requests.find { |r| r.path == "/send/file" }
        t.check(req && req.files.first&.bytes == PDF, "the file did not reach the gateway")
        "POST /send/file (#{PDF.bytesize} bytes), WhatsApp id #{m['source_id']}"
      end

      # The outgoing message once Sidekiq's SendReplyJob got it an id from the gateway.
      def sent(id)
        m = wait_for("the send of message #{id}") do
          found = probe.call("message_by_id", id)
          if found["status"] == "failed"
            raise StepFailed,
                  "send failed: #{found['content_attributes']['external_error']}"
          end

          found["source_id"].to_s.empty? ? nil : found
        end
        @outgoing << m
        m
      end

      def receipts
        ids = @outgoing.map { |m| m["source_id"] }
        t.check(ids.size >= 2, "fewer than two replies were sent")
        %w[delivered read].each do |type|
          payload = { chat_id: Scenario::CUSTOMER, from: Scenario::CUSTOMER, ids: ids, receipt_type: type }
          body = FixtureWebhooks.gateway_json(event: "message.ack", device_id: "6289600000001@s.whatsapp.net",
                                              payload: payload)
          code = deliver(body).code
          t.check(code == "200", "HTTP #{code}")
          wait_for("#{type} on #{ids.size} replies") do
            @outgoing.all? { |m| probe.call("message_by_id", m["id"])["status"] == type }
          end
        end
        "#{ids.size} replies: sent -> delivered -> read"
      end
    end
  end
end

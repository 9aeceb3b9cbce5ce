# frozen_string_literal: true

module Compat
  module Chatwoot
    # A second number on the same gateway, added through the setup page's API, and the
    # routing of webhooks by device between the two inboxes (a Scenario mixin).
    module SecondNumberSteps
      PHONE_B = "+6289600000002"
      CUSTOMER_B = "628555000222@s.whatsapp.net"

      attr_reader :inbox_b

      private

      def second_number
        t.section("A second number: the setup page's API, routing by device")
        t.step("POST /api/v1/accounts/:id/whatsapp_web/inboxes (setup page)") { setup_inbox_b }
        t.step("the gateway's device webhook points at the new inbox") { device_webhook_b }
        t.step("the device's own event lands in its inbox (per-device webhook)") { own_event_b }
        t.step("number B's event signed by B, posted to A's URL: only in B") { b_on_a_url }
        t.step("number B's event signed with A's secret: dropped") { b_signed_by_a }
      end

      def setup_inbox_b
        body = { name: "WhatsApp B (compat)", phone_number: PHONE_B, api_base_url: gateway.url,
                 basic_auth_username: gateway.username, basic_auth_password: gateway.password }
        response = request(:post, "#{host}/api/v1/accounts/#{@account_id}/whatsapp_web/inboxes",
                           headers: admin_headers, json: body)
        t.check(response.code == "201", "HTTP #{response.code}: #{response.body[0, 300]}")
        created = json(response)
        @inbox_b = created["inbox_id"]
        @gateway_b = created["gateway"] || {}
        t.check(@gateway_b["configured"] == true, "gateway not configured: #{@gateway_b.inspect[0, 300]}")
        channel_b
        "inbox #{@inbox_b} (201), device slot #{@gateway_b['device_id']}, its own secret"
      end

      def channel_b
        channel = probe.call("channel", @inbox_b)
        t.check(channel["provider"] == "whatsapp_web" && channel["phone_number"] == PHONE_B, "channel #{channel}")
        @secret_b = channel["provider_config"]["webhook_verify_token"].to_s
        t.check(@secret_b.match?(/\A\h{32}\z/) && @secret_b != @secret, "no secret of its own")
        @url_b = "#{host}/webhooks/whatsapp_web/#{PHONE_B.delete('+')}"
      end

      def device_webhook_b
        slot = @gateway_b && @gateway_b["device_id"]
        t.check(slot, "no device slot in the answer")
        hook = gateway.device_webhook(slot)
        t.check(hook["webhook_url"] == @url_b, "device #{slot} sends to #{hook['webhook_url'].inspect}")
        t.check(hook["webhook_secret"] == @secret_b, "the device's webhook secret is not the inbox's")
        gateway.scan!(slot, PHONE_B)
        status = json(request(:get, "#{host}/api/v1/accounts/#{@account_id}/inboxes/#{@inbox_b}/whatsapp_web/status",
                              headers: admin_headers))
        t.check(status["logged_in"] == true, "B not logged in: #{status.inspect[0, 200]}")
        "device #{slot} -> #{@url_b}, signed with B's secret; scanned, B logged in"
      end

      def b_payload(id, text)
        { body: text, chat_id: CUSTOMER_B, from: CUSTOMER_B, from_name: "Bea", id: id, is_from_me: false,
          timestamp: Time.now.utc.iso8601 }
      end

      def b_envelope(id, text)
        FixtureWebhooks.gateway_json(event: "message", device_id: "#{PHONE_B.delete('+')}@s.whatsapp.net",
                                     payload: b_payload(id, text))
      end

      def landed_only_in_b(id)
        found = wait_for("message #{id} in inbox B") { probe.call("message", @inbox_b, id) }
        t.check(probe.call("message", inbox_id, id).nil?, "#{id} also in inbox A")
        t.check(found["contact_inbox_source_id"].to_s.delete("^0-9") == CUSTOMER_B.split("@").first,
                "chat #{found['contact_inbox_source_id']}")
        found
      end

      def own_event_b
        results = gateway.deliver_event(@gateway_b["device_id"], "message", b_payload("3EBB0001", "Hi B"))
        t.check(results.map(&:first) == [@url_b], "the gateway posted to #{results.map(&:first)}")
        t.check(results.all? { |(_, code)| code.to_s == "200" }, "answers #{results.map(&:last)}")
        m = landed_only_in_b("3EBB0001")
        "gateway -> #{@url_b} (HTTP 200); message #{m['id']} in inbox #{@inbox_b} only"
      end

      def b_on_a_url
        body = b_envelope("3EBB0002", "Hi again")
        code = request(:post, @webhook_url, json: body,
                                            headers: { "X-Hub-Signature-256" => signature(@secret_b, body) }).code
        t.check(code == "200", "HTTP #{code}")
        m = landed_only_in_b("3EBB0002")
        "HTTP 200 on A's URL; message #{m['id']} in inbox B only"
      end

      def b_signed_by_a
        before = [counts, probe.call("counts", @inbox_b)]
        body = b_envelope("3EBB0003", "I speak for B")
        code = deliver(body).code # A's URL, A's secret
        t.check(code == "200", "HTTP #{code} (the gateway must not retry)")
        sleep 2
        t.check(probe.call("message", @inbox_b, "3EBB0003").nil? && probe.call("message", inbox_id, "3EBB0003").nil?,
                "the message was stored")
        after = [counts, probe.call("counts", @inbox_b)].map { |c| c.except("processed_events") }
        t.check(after == before.map { |c| c.except("processed_events") }, "records changed")
        "HTTP 200, nothing stored in A or B"
      end
    end
  end
end

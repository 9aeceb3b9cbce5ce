# frozen_string_literal: true

module Compat
  module Chatwoot
    # The gem's management API (.../inboxes/:id/whatsapp_web/*) and its rake doctor,
    # on real Chatwoot's authentication (a Scenario mixin).
    module ManagementSteps
      private

      def api = "#{host}/api/v1/accounts/#{@account_id}/inboxes/#{inbox_id}/whatsapp_web"

      def management
        t.section("Management API")
        t.step("agents may not manage the connection (403)") { agent_refused }
        t.step("GET .../whatsapp_web/status (logged out)") { status_logged_out }
        t.step("POST .../whatsapp_web/login (QR PNG)") { login_qr }
        t.step("POST .../whatsapp_web/login_with_code (pairing code)") { login_with_code }
        t.step("the phone scans: status logged in") { scanned }
        t.step("GET .../whatsapp_web/devices") { devices }
        t.step("POST .../whatsapp_web/test (a wrong password)") { config_test }
        t.step("rake waweb:doctor[id] (Chatwoot's rake)") { doctor }
      end

      def agent_refused
        code = request(:post, "#{api}/login", headers: { "api_access_token" => @agent["token"] }).code
        t.check(code == "403", "agent got HTTP #{code}")
        "POST .../whatsapp_web/login as the agent: 403"
      end

      def status_logged_out
        status = json(request(:get, "#{api}/status", headers: admin_headers))
        t.check(status["logged_in"] == false, "expected logged out: #{status.inspect[0, 200]}")
        t.check(status["webhook_secret_default"] == false, "the secret is the gateway default")
        @webhook_url = status["webhook_url"]
        want = "#{host}/webhooks/whatsapp_web/#{Scenario::PHONE.delete('+')}"
        t.check(@webhook_url == want, "webhook_url #{@webhook_url.inspect}")
        "webhook_url #{@webhook_url}"
      end

      def login_qr
        qr = json(request(:post, "#{api}/login", headers: admin_headers))
        png = qr["data_url"].to_s.delete_prefix("data:image/png;base64,").unpack1("m")
        t.check(png.start_with?("\x89PNG".b), "not a PNG: #{qr.inspect[0, 120]}")
        "#{png.bytesize}-byte PNG, expires in #{qr['expires_in']} s"
      end

      def login_with_code
        code = json(request(:post, "#{api}/login_with_code", headers: admin_headers, json: { phone: "+628111222333" }))
        t.check(code["pair_code"].to_s.match?(/\A[A-Z0-9-]{8,9}\z/), "pair_code #{code.inspect[0, 120]}")
        "pair code #{code['pair_code']}"
      end

      # Chatwoot's inbox create queued the gem's gateway configuration (Sidekiq): a device
      # slot of the inbox's own with its webhook pointing at the inbox; the phone scans that.
      def scanned
        slot = wait_for("the inbox's device slot") { probe.call("channel", inbox_id)["provider_config"]["device_id"] }
        hook = wait_for("the device's webhook") { gateway.device_webhook(slot)["webhook_url"] }
        t.check(hook == @webhook_url, "device #{slot} sends to #{hook.inspect}, not #{@webhook_url}")
        gateway.scan!(slot, Scenario::PHONE) # what WhatsApp does when the code is scanned
        status = json(request(:get, "#{api}/status", headers: admin_headers))
        t.check(status["logged_in"] == true, "status #{status.inspect[0, 200]}")
        "device slot #{slot} (configured on inbox create) logged in as #{status['device_id']}"
      end

      def devices
        list = json(request(:get, "#{api}/devices", headers: admin_headers))["devices"]
        t.check(list.is_a?(Array) && !list.empty?, "devices #{list.inspect[0, 200]}")
        "#{list.size} device(s)"
      end

      def config_test
        config = { api_base_url: gateway.url, basic_auth_username: gateway.username, basic_auth_password: "wrong" }
        result = json(request(:post, "#{api}/test", headers: admin_headers, json: { provider_config: config }))
        t.check(result["reachable"] == true && result["credentials_valid"] == false,
                "a wrong password was not reported: #{result.inspect[0, 200]}")
        "reachable, credentials refused: \"#{result['error']}\""
      end

      def doctor
        out = services.capture("cd /chatwoot && bundle exec rails 'waweb:doctor[#{inbox_id}]' 2>&1",
                               services.chatwoot_env)
        t.check(out[:ok], "doctor exited non-zero: #{out[:text].lines.last(8).join(' ')}")
        "#{out[:text].scan(/\[OK\s*\]/).size} checks passed"
      end
    end
  end
end

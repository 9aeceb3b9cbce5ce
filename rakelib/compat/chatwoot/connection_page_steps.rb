# frozen_string_literal: true

module Compat
  module Chatwoot
    # The connection page on real Chatwoot's authentication, then disconnecting and editing
    # the inbox as the dashboard would (a Scenario mixin).
    module ConnectionPageSteps
      private

      def connection_page
        t.section("Connection page, then disconnecting")
        t.step("GET /whatsapp_web/inboxes/:id/connect?token=") { page_for_admin }
        t.step("the page refuses an agent (403)") { page_refuses_agent }
        t.step("POST .../whatsapp_web/logout, then status logged out") { logout }
        t.step("PATCH the inbox without the secrets keeps them (issue 9.1)") { edit_keeps_secrets }
      end

      # The page shows administrators the gateway's flags (secrets included, by design), so it
      # must never be cached nor leak its URL (which carries the token) in a Referer.
      def page_for_admin
        response = request(:get, "#{host}/whatsapp_web/inboxes/#{inbox_id}/connect?token=#{@admin['token']}")
        t.check(response.code == "200", "HTTP #{response.code}")
        t.check(response["Content-Type"].to_s.start_with?("text/html"), "type #{response['Content-Type']}")
        t.check(response.body.include?("WhatsApp (compat)") && response.body.include?('id="qr"'), "not the page")
        t.check(response.body.include?("--webhook=#{@webhook_url}"), "no gateway flags for this inbox")
        headers = %w[Cache-Control Referrer-Policy].map { |h| response[h] }
        t.check(headers == %w[no-store no-referrer], "Cache-Control/Referrer-Policy #{headers.inspect}")
        "HTML page for the inbox with its gateway flags; no-store, no-referrer"
      end

      def page_refuses_agent
        code = request(:get, "#{host}/whatsapp_web/inboxes/#{inbox_id}/connect?token=#{@agent['token']}").code
        t.check(code == "403", "HTTP #{code}")
        "HTTP 403"
      end

      # What the dashboard's settings form sends: provider_config without the secrets.
      def edit_keeps_secrets
        before = probe.call("channel", inbox_id)["provider_config"]
        body = { channel: { provider_config: { api_base_url: gateway.url, basic_auth_username: gateway.username } } }
        response = request(:patch, "#{host}/api/v1/accounts/#{@account_id}/inboxes/#{inbox_id}",
                           headers: admin_headers, json: body)
        t.check(response.code == "200", "HTTP #{response.code}: #{response.body[0, 200]}")
        same_secrets(before, probe.call("channel", inbox_id)["provider_config"])
        "HTTP 200; webhook_verify_token and basic_auth_password unchanged"
      end

      def same_secrets(before, after)
        %w[webhook_verify_token basic_auth_password].each do |key|
          t.check(after[key] == before[key], "#{key} changed (#{after[key].to_s.empty? ? 'now blank' : 'replaced'})")
        end
      end

      def logout
        t.check(json(request(:post, "#{api}/logout", headers: admin_headers))["ok"] == true, "logout not ok")
        status = json(request(:get, "#{api}/status", headers: admin_headers))
        t.check(status["logged_in"] == false, "still logged in: #{status.inspect[0, 200]}")
        "logged out"
      end
    end
  end
end

# frozen_string_literal: true

require "stringio"
require "digest"

module Compat
  module Chatwoot
    # bin/demo's steps against real Chatwoot over HTTP: users (rails runner), the inbox and
    # the management API through Chatwoot's routes, signed webhooks of every kind, agents'
    # replies through Chatwoot's messages API to the fake gateway, receipts. Every step is
    # checked on the records, read back through the probe or the API.
    class Scenario
      include HttpClient

      PHONE = "+6289600000001" # the fixtures' device
      CUSTOMER = "628123456789@s.whatsapp.net"
      WAIT = 45 # seconds for a Sidekiq job (the machine may be busy)

      attr_reader :t, :probe, :gateway, :services, :inbox_id, :secret

      def initialize(transcript:, services:, probe:, gateway:)
        @t = transcript
        @services = services
        @probe = probe
        @gateway = gateway
      end

      def host = services.url

      def run
        users
        inbox
        management
        FixtureWebhooks.new(self).run if @secret
        replies
        receipts
        connection_page
        management_last
      end

      # Polls until the block gives a truthy value.
      def wait_for(what, timeout: WAIT)
        deadline = Time.now + timeout
        loop do
          value = yield
          return value if value
          raise StepFailed, "timed out after #{timeout} s waiting for #{what}" if Time.now > deadline

          sleep 0.25
        end
      end

      def admin_headers = { "api_access_token" => @admin["token"] }

      def deliver(body, signed: true)
        headers = signed ? { "X-Hub-Signature-256" => signature(@secret, body) } : {}
        request(:post, @webhook_url, json: body, headers: headers)
      end

      def message(source_id) = probe.call("message", inbox_id, source_id)
      def counts = probe.call("counts", inbox_id)

      private

      def users
        t.section("Chatwoot: users and inbox through its API")
        t.step("account, administrator and agent (rails runner)") do
          @users = probe.call("setup_users", "Compat Inc")
          @account_id = @users["account_id"]
          @admin = @users["admin"]
          @agent = @users["agent"]
          t.check(@admin["token"].to_s.size >= 20, "no access token")
          profile = json(request(:get, "#{host}/api/v1/profile", headers: admin_headers))
          t.check(profile["id"] == @admin["id"], "GET /api/v1/profile answered #{profile['id'].inspect}")
          "account #{@account_id}; the admin's token works on GET /api/v1/profile"
        end
      end

      def inbox
        t.step("POST /api/v1/accounts/:id/inboxes (whatsapp_web)") do
          response = request(:post, "#{host}/api/v1/accounts/#{@account_id}/inboxes", headers: admin_headers, json: {
                               name: "WhatsApp (compat)",
                               channel: { type: "whatsapp", phone_number: PHONE, provider: "whatsapp_web",
                                          provider_config: { api_base_url: gateway.url,
                                                             basic_auth_username: gateway.username,
                                                             basic_auth_password: gateway.password } }
                             })
          t.check(response.code == "200", "HTTP #{response.code}: #{response.body[0, 300]}")
          @inbox_id = json(response)["id"]
          channel = probe.call("channel", @inbox_id)
          t.check(channel["provider"] == "whatsapp_web", "provider #{channel['provider'].inspect}")
          @secret = channel["provider_config"]["webhook_verify_token"].to_s
          t.check(@secret.match?(/\A\h{32}\z/), "no generated webhook secret")
          "inbox #{@inbox_id}: Channel::Whatsapp, provider whatsapp_web, secret generated"
        end
        t.step("GET /api/v1/accounts/:id/inboxes lists it") do
          list = json(request(:get, "#{host}/api/v1/accounts/#{@account_id}/inboxes", headers: admin_headers))
          ours = list["payload"].find { |i| i["id"] == inbox_id }
          t.check(ours, "the inbox is not listed")
          t.check(ours["provider"] == "whatsapp_web", "listed provider #{ours['provider'].inspect}")
          t.check(!JSON.generate(ours).include?(gateway.password), "the gateway password is in the inbox JSON")
          "provider whatsapp_web; the gateway password is not in the answer"
        end
      end

      def api = "#{host}/api/v1/accounts/#{@account_id}/inboxes/#{inbox_id}/whatsapp_web"

      def management
        t.section("Management API")
        t.step("agents may not manage the connection (403)") do
          code = request(:post, "#{api}/login", headers: { "api_access_token" => @agent["token"] }).code
          t.check(code == "403", "agent got HTTP #{code}")
          "POST .../whatsapp_web/login as the agent: 403"
        end
        t.step("GET .../whatsapp_web/status (logged out)") do
          status = json(request(:get, "#{api}/status", headers: admin_headers))
          t.check(status["logged_in"] == false, "expected logged out: #{status.inspect[0, 200]}")
          t.check(status["webhook_secret_default"] == false, "the secret is the gateway default")
          @webhook_url = status["webhook_url"]
          t.check(@webhook_url == "#{host}/webhooks/whatsapp_web/#{PHONE}", "webhook_url #{@webhook_url.inspect}")
          "webhook_url #{@webhook_url}"
        end
        t.step("POST .../whatsapp_web/login (QR PNG)") do
          qr = json(request(:post, "#{api}/login", headers: admin_headers))
          png = qr["data_url"].to_s.delete_prefix("data:image/png;base64,").unpack1("m")
          t.check(png.start_with?("\x89PNG".b), "not a PNG: #{qr.inspect[0, 120]}")
          "#{png.bytesize}-byte PNG, expires in #{qr['expires_in']} s"
        end
        t.step("POST .../whatsapp_web/login_with_code (pairing code)") do
          code = json(request(:post, "#{api}/login_with_code", headers: admin_headers, json: { phone: "+628111222333" }))
          t.check(code["pair_code"].to_s.match?(/\A[A-Z0-9-]{8,9}\z/), "pair_code #{code.inspect[0, 120]}")
          "pair code #{code['pair_code']}"
        end
        t.step("the phone scans: status logged in") do
          gateway.logged_in = true
          status = json(request(:get, "#{api}/status", headers: admin_headers))
          t.check(status["logged_in"] == true, "status #{status.inspect[0, 200]}")
          "logged in as #{status['device_id']}"
        end
        t.step("GET .../whatsapp_web/devices") do
          devices = json(request(:get, "#{api}/devices", headers: admin_headers))["devices"]
          t.check(devices.is_a?(Array) && !devices.empty?, "devices #{devices.inspect[0, 200]}")
          "#{devices.size} device(s)"
        end
        t.step("POST .../whatsapp_web/test (a configuration before saving)") do
          result = json(request(:post, "#{api}/test", headers: admin_headers,
                                                      json: { provider_config: { api_base_url: gateway.url,
                                                                                 basic_auth_username: gateway.username,
                                                                                 basic_auth_password: "wrong" } }))
          t.check(result.to_s.match?(/credential|auth/i), "a wrong password was not reported: #{result.inspect[0, 200]}")
          "a wrong password is reported"
        end
        t.step("rake waweb:doctor[id] (Chatwoot's rake)") do
          out = services.capture("cd /chatwoot && bundle exec rails 'waweb:doctor[#{inbox_id}]' 2>&1",
                                 services.chatwoot_env)
          t.check(out[:ok], "doctor exited non-zero:\n#{out[:text][-600..]}")
          "#{out[:text].scan(/\[OK\s*\]/).size} checks passed"
        end
      end

      def conversation_id
        @conversation_id ||= message("3EB0A1")&.fetch("conversation_id")
      end

      def replies
        t.section("Agent replies through Chatwoot's messages API")
        @outgoing = []
        messages_url = "#{host}/api/v1/accounts/#{@account_id}/conversations/#{conversation_id}/messages"
        t.step("text reply (POST .../conversations/:id/messages)") do
          t.check(conversation_id, "no conversation (the text webhook did not arrive)")
          gateway.clear_requests
          response = request(:post, messages_url, headers: admin_headers,
                                                  json: { content: "Hi John, how can we help?", message_type: "outgoing" })
          t.check(response.code == "200", "HTTP #{response.code}: #{response.body[0, 200]}")
          m = sent(json(response)["id"])
          sent = gateway.requests.find { |r| r.path == "/send/message" }
          t.check(sent&.json == { "phone" => CUSTOMER, "message" => "Hi John, how can we help?" },
                  "gateway got #{sent&.json.inspect}")
          "POST /send/message; WhatsApp id #{m['source_id']}, status #{m['status']}"
        end
        t.step("image reply (multipart attachments[])") do
          t.check(conversation_id, "no conversation")
          gateway.clear_requests
          png = FakeGateway.png
          response = request(:post, messages_url, headers: admin_headers,
                                                  form: [["content", "Here is the form"], ["message_type", "outgoing"],
                                                         ["attachments[]", StringIO.new(png),
                                                          { filename: "form.png", content_type: "image/png" }]])
          t.check(response.code == "200", "HTTP #{response.code}: #{response.body[0, 200]}")
          m = sent(json(response)["id"])
          req = gateway.requests.find { |r| r.path == "/send/image" }
          t.check(req && req.files.first&.bytes == png, "the image did not reach the gateway")
          t.check(req.fields == { "phone" => CUSTOMER, "caption" => "Here is the form" }, "fields #{req.fields}")
          "POST /send/image (#{png.bytesize} bytes), WhatsApp id #{m['source_id']}"
        end
        t.step("document reply (a PDF)") do
          t.check(conversation_id, "no conversation")
          gateway.clear_requests
          pdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
          response = request(:post, messages_url, headers: admin_headers,
                                                  form: [["content", ""], ["message_type", "outgoing"],
                                                         ["attachments[]", StringIO.new(pdf),
                                                          { filename: "terms.pdf", content_type: "application/pdf" }]])
          t.check(response.code == "200", "HTTP #{response.code}: #{response.body[0, 200]}")
          m = sent(json(response)["id"])
          req = gateway.requests.find { |r| r.path == "/send/file" }
          t.check(req && req.files.first&.bytes == pdf.b, "the file did not reach the gateway")
          "POST /send/file, WhatsApp id #{m['source_id']}"
        end
      end

      # The outgoing message once Sidekiq's SendReplyJob got it an id from the gateway.
      def sent(id)
        m = wait_for("the send of message #{id}") do
          found = probe.call("message_by_id", id)
          if found["status"] == "failed"
            raise StepFailed, "the send failed: #{found['content_attributes']['external_error']}"
          end

          found["source_id"].to_s.empty? ? nil : found
        end
        @outgoing << m
        m
      end

      def receipts
        t.step("receipts on the replies: delivered, then read") do
          ids = @outgoing.map { |m| m["source_id"] }
          t.check(ids.size >= 2, "fewer than two replies were sent")
          %w[delivered read].each do |type|
            body = FixtureWebhooks.gateway_json(event: "message.ack", device_id: "6289600000001@s.whatsapp.net",
                                                payload: { chat_id: CUSTOMER, from: CUSTOMER, ids: ids, receipt_type: type })
            code = deliver(body).code
            t.check(code == "200", "HTTP #{code}")
            wait_for("#{type} on #{ids.size} replies") do
              @outgoing.all? { |m| probe.call("message_by_id", m["id"])["status"] == type }
            end
          end
          "#{ids.size} replies: sent -> delivered -> read"
        end
      end

      def connection_page
        t.section("Connection page")
        t.step("GET /whatsapp_web/inboxes/:id/connect?token=") do
          response = request(:get, "#{host}/whatsapp_web/inboxes/#{inbox_id}/connect?token=#{@admin['token']}")
          t.check(response.code == "200", "HTTP #{response.code}")
          t.check(response["Content-Type"].to_s.start_with?("text/html"), "type #{response['Content-Type']}")
          t.check(response.body.include?("WhatsApp (compat)") && response.body.include?('id="qr"'), "not the page")
          t.check(!response.body.include?(gateway.password), "the gateway password is on the page")
          "HTML page for the inbox, #{response.body.bytesize} bytes, no password in it"
        end
        t.step("the page refuses an agent (403)") do
          code = request(:get, "#{host}/whatsapp_web/inboxes/#{inbox_id}/connect?token=#{@agent['token']}").code
          t.check(code == "403", "HTTP #{code}")
          "HTTP 403"
        end
      end

      def management_last
        t.section("Management API: disconnecting")
        t.step("POST .../whatsapp_web/logout, then status logged out") do
          t.check(json(request(:post, "#{api}/logout", headers: admin_headers))["ok"] == true, "logout not ok")
          status = json(request(:get, "#{api}/status", headers: admin_headers))
          t.check(status["logged_in"] == false, "still logged in: #{status.inspect[0, 200]}")
          "logged out"
        end
      end
    end
  end
end
